"""Public workflow routes (``/v1/public/@{nickname}/...``): get and trigger a shared version.

The emulator has one account, so any ``@nickname`` names it. A version is reachable here
when it is shared: ``visibility`` public or unlisted (``allowed_to_share: true`` on a
version upsert makes it unlisted); anything else is the documented 404.
"""

from __future__ import annotations

import copy
import hmac
from typing import TYPE_CHECKING, Any

from flowdsl.emulator.execution_routes import start_run
from flowdsl.emulator.routing import Request, body_object, route
from flowdsl.emulator.store import ApiFailure

if TYPE_CHECKING:
    from flowdsl.emulator.server import Emulator

_BASE = "/public/@{nickname}/workflows/{slug}/versions/{version}"


def _shared(emu: "Emulator", req: Request) -> tuple[dict[str, Any], dict[str, Any]]:
    slug, vid = req.params["slug"], req.params["version"]
    with emu.store.lock:
        wf = next((w for w in emu.store.workflows.values()
                   if w["slug"] == slug and w.get("status") != "deleted"), None)
        version = (wf or {}).get("versions", {}).get(vid)
        if wf is None or version is None or version.get("visibility") not in ("public", "unlisted"):
            raise ApiFailure(404, f"workflow version not found or not shared: {slug} {vid}")
        return wf, version


@route("GET", _BASE, surfaces=("v1",), auth=False)
def get_public(emu: "Emulator", req: Request) -> tuple[int, Any]:
    wf, version = _shared(emu, req)
    view: dict[str, Any] = {k: copy.deepcopy(wf[k]) for k in
                            ("workflow_id", "slug", "name", "description", "categories", "status",
                             "created_at", "updated_at")}
    view["version_id"] = version["version_id"]
    if version.get("definition") is not None:
        view["definition"] = copy.deepcopy(version["definition"])
    return 200, view


@route("POST", _BASE + "/trigger", surfaces=("v1",), auth=False)
def trigger_public(emu: "Emulator", req: Request) -> tuple[int, Any]:
    body = body_object(req)
    key = body.get("api_key")  # the schema requires it in the body (checked before this runs)
    expected = emu.config.api_key
    if not key or (expected is not None and not hmac.compare_digest(key.encode(), expected.encode())):
        raise ApiFailure(401, "Invalid or missing API key")
    inputs = body.get("inputs") or {}
    if not isinstance(inputs, dict):
        raise ApiFailure(400, "inputs must be an object")
    wf, version = _shared(emu, req)
    definition = copy.deepcopy(version.get("definition"))
    if not definition:
        raise ApiFailure(400, f"version {version['version_id']} has no definition")
    url = body.get("webhook_url")
    ex = start_run(emu, wf, version["version_id"], definition, inputs,
                   webhook_url=url if isinstance(url, str) and url else None)
    return 202, {"execution_id": ex["execution_id"], "status": "queued"}
