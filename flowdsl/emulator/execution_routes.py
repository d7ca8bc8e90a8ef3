"""Execution endpoints: trigger and bulk trigger (engine and /v1 spellings), get one (with
the engine's long poll), list a workflow's executions."""

from __future__ import annotations

import copy
import time
import uuid
from typing import TYPE_CHECKING, Any

from flowdsl.emulator.executions import checked_inputs, plan_execution
from flowdsl.emulator.routing import Request, body_object, int_param, route
from flowdsl.emulator.store import ApiFailure, now_iso
from flowdsl.emulator.views import execution_view, summary_view

if TYPE_CHECKING:
    from flowdsl.emulator.server import Emulator

MAX_BULK = 10  # inputs per bulk trigger, as the API documents


@route("GET", "/workflows/executions/{execution_id}", surfaces=("v1",))
@route("GET", "/executions/{execution_id}", surfaces=("engine",))
def get_execution(emu: "Emulator", req: Request) -> tuple[int, Any]:
    ex = emu.store.executions.get(req.params["execution_id"])
    if ex is None:
        raise ApiFailure(404, f"execution not found: {req.params['execution_id']}")
    if req.query.get("timeout"):
        # Long poll, as the engine documents: wait (bounded) for a terminal status.
        # Bounded to the documented 1-30 s (clamped: this operation documents no 400).
        deadline = time.time() + int_param(req.query, "timeout", 10, 1, 30, clamp=True)
        while time.time() < deadline and execution_view(ex, v1=req.v1)["status"] == "running":
            time.sleep(0.05)
    return 200, execution_view(ex, v1=req.v1)


def _resolve_version(emu: "Emulator", ident: str, vid: str | None) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """(workflow, version id, a copy of the version's definition) for a trigger."""
    with emu.store.lock:
        wf = emu.store.find_workflow(ident)
        vid = vid or wf.get("latest_version_id")
        version = wf["versions"].get(vid) if vid else None
        if version is None:
            raise ApiFailure(404, f"version not found: {vid}")
        definition = copy.deepcopy(version.get("definition"))
        if not definition:
            raise ApiFailure(400, f"version {vid} has no definition")
        return wf, str(vid), definition


def _inputs_of(body: dict[str, Any]) -> dict[str, Any]:
    inputs = body.get("inputs")
    if inputs is None and isinstance(body.get("input"), dict):
        inputs = body["input"]  # one SDK page says `input`
    if inputs is None:
        return {}
    if not isinstance(inputs, dict):
        raise ApiFailure(400, "inputs must be an object")
    return inputs


def start_run(emu: "Emulator", wf: dict[str, Any], vid: str, definition: dict[str, Any],
              inputs: dict[str, Any], *, bulk_id: str | None = None,
              webhook_url: str | None = None) -> dict[str, Any]:
    """Validate ``inputs`` against the flow's input schema (defaults applied for the run;
    ``ApiFailure(400)`` when invalid), plan the run on the simulator, store it."""
    values = checked_inputs(definition, inputs)
    # Simulated outside the lock: a python step runs in a subprocess.
    eid = str(uuid.uuid4())
    created = time.time()
    planned = plan_execution(definition, values, emu.catalog, emu.config.timing, created)
    record: dict[str, Any] = {"execution_id": eid, "workflow_id": wf["workflow_id"], "version_id": vid,
                              "inputs": inputs, "definition": definition, "created": created, **planned}
    if bulk_id:
        record["bulk_id"] = bulk_id
    if webhook_url:
        record["webhook_url"] = webhook_url
    with emu.store.lock:
        emu.store.executions[eid] = record
        wf["trigger_count"] += 1
        version = wf["versions"].get(vid)
        if version is not None:
            version["trigger_count"] += 1
    return record


def _webhook(req: Request, body: dict[str, Any]) -> str | None:
    url = body.get("webhook_url") or req.query.get("webhook_url")
    return url if isinstance(url, str) and url else None


@route("POST", "/{wf}/trigger", surfaces=("engine",))
def trigger_engine(emu: "Emulator", req: Request) -> tuple[int, Any]:
    body = body_object(req)
    inputs = _inputs_of(body)
    vid = body.get("version_id") if isinstance(body.get("version_id"), str) else None
    wf, vid, definition = _resolve_version(emu, req.params["wf"], vid or None)
    ex = start_run(emu, wf, vid, definition, inputs, webhook_url=_webhook(req, body))
    return 202, {"execution_id": ex["execution_id"], "status": "queued", "started_at": now_iso(ex["created"])}


@route("POST", "/workflows/trigger/{wf}/{version}", surfaces=("v1",))
def trigger_v1(emu: "Emulator", req: Request) -> tuple[int, Any]:
    body = body_object(req)
    inputs = _inputs_of(body)
    wf, vid, definition = _resolve_version(emu, req.params["wf"], req.params["version"])
    ex = start_run(emu, wf, vid, definition, inputs, webhook_url=_webhook(req, body))
    return 202, {"execution_id": ex["execution_id"], "status": "queued"}


def _bulk(emu: "Emulator", req: Request, vid: str | None) -> dict[str, Any]:
    """Each input its own execution under one ``bulk_id``; an invalid input fails only its
    entry (``status: failed`` and a ``message``), as the API documents."""
    body = body_object(req)
    items = body.get("inputs")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BULK:
        raise ApiFailure(400, f"inputs must be a list of 1 to {MAX_BULK} input objects")
    if not all(isinstance(i, dict) for i in items):
        raise ApiFailure(400, "every entry of inputs must be an object")
    if vid is None and isinstance(body.get("version_id"), str) and body["version_id"]:
        vid = body["version_id"]
    wf, vid, definition = _resolve_version(emu, req.params["wf"], vid)
    bulk_id = str(uuid.uuid4())
    entries: list[dict[str, Any]] = []
    for inputs in items:
        try:
            ex = start_run(emu, wf, vid, copy.deepcopy(definition), inputs, bulk_id=bulk_id,
                           webhook_url=_webhook(req, body))
        except ApiFailure as exc:
            entries.append({"status": "failed", "message": exc.message})
            continue
        entry = {"execution_id": ex["execution_id"], "status": "queued"}
        if not req.v1:
            entry["started_at"] = now_iso(ex["created"])
        entries.append(entry)
    return {"bulk_id": bulk_id, "executions": entries}


@route("POST", "/{wf}/bulk-trigger", surfaces=("engine",))
def bulk_trigger_engine(emu: "Emulator", req: Request) -> tuple[int, Any]:
    return 202, _bulk(emu, req, None)


@route("POST", "/workflows/bulk-trigger/{wf}/{version}", surfaces=("v1",))
def bulk_trigger_v1(emu: "Emulator", req: Request) -> tuple[int, Any]:
    return 202, _bulk(emu, req, req.params["version"])


@route("GET", "/workflows/{wf}/executions")
def list_executions(emu: "Emulator", req: Request) -> tuple[int, Any]:
    limit = int_param(req.query, "limit", 50, 1, 100)
    offset = int_param(req.query, "offset", 0, 0, None)
    with emu.store.lock:
        wf = emu.store.find_workflow(req.params["wf"])
        items = sorted((e for e in emu.store.executions.values() if e["workflow_id"] == wf["workflow_id"]),
                       key=lambda e: e["created"], reverse=True)
        bulk = req.query.get("bulk_id")
        if bulk:
            items = [e for e in items if e.get("bulk_id") == bulk]
        page = items[offset:offset + limit]
        body: dict[str, Any] = {"executions": [summary_view(e, wf["name"]) for e in page],
                                "limit": limit, "total_count": len(items)}
    if len(page) == limit:
        body["offset"] = offset + limit
    return 200, body
