"""Webhooks (``GET /v1/webhooks``, ``GET /v1/webhooks/{execution_id}``): the notification
each execution or prediction triggered with a ``webhook_url`` gets when it ends.

The emulator records the notification (its JSON payload as ``request``) but never sends it:
calling out to arbitrary URLs from a test stand-in would be a surprise (and a way to reach
the host's network). Its one attempt is therefore listed as ``PENDING``.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from flowdsl.emulator.prediction_routes import prediction_view
from flowdsl.emulator.routing import Request, int_param, route
from flowdsl.emulator.store import ApiFailure, now_iso
from flowdsl.emulator.views import execution_view

if TYPE_CHECKING:
    from flowdsl.emulator.server import Emulator


def _records(emu: "Emulator", t: float) -> list[dict[str, Any]]:
    """The webhooks of runs that have ended by ``t``, newest first."""
    out: list[dict[str, Any]] = []
    with emu.store.lock:
        execs = [e for e in emu.store.executions.values() if e.get("webhook_url")]
        preds = [p for p in emu.store.predictions.values() if p.get("webhook_url")]
    for ex in execs:
        if t < ex["end"]:
            continue
        payload = execution_view(ex, ex["end"], v1=True)
        if ex.get("bulk_id"):
            payload["bulk_id"] = ex["bulk_id"]
        out.append({"execution_id": ex["execution_id"], "url": ex["webhook_url"],
                    "request": json.dumps(payload, sort_keys=True), "source": "workflow",
                    "created_at": now_iso(ex["end"]), "at": ex["end"]})
    for rec in preds:
        view = prediction_view(rec, None, t)
        if view["status"] in ("starting", "processing"):
            continue
        ended = rec.get("cancelled_at") or rec["end"]
        out.append({"execution_id": rec["id"], "url": rec["webhook_url"],
                    "request": json.dumps(view, sort_keys=True), "source": "prediction",
                    "created_at": now_iso(ended), "at": ended})
    out.sort(key=lambda r: r["at"], reverse=True)
    return out


def _view(rec: dict[str, Any]) -> dict[str, Any]:
    return {k: rec[k] for k in ("execution_id", "url", "request", "source", "created_at")}


@route("GET", "/webhooks", surfaces=("v1",))
def list_webhooks(emu: "Emulator", req: Request) -> tuple[int, Any]:
    # Clamped, not refused: this operation documents no 400.
    limit = int_param(req.query, "limit", 50, 1, 100, clamp=True)
    offset = int_param(req.query, "offset", 0, 0, None, clamp=True)
    items = _records(emu, time.time())
    return 200, {"webhooks": [_view(r) for r in items[offset:offset + limit]],
                 "limit": limit, "offset": offset, "total_count": len(items)}


@route("GET", "/webhooks/{execution_id}", surfaces=("v1",))
def get_webhook(emu: "Emulator", req: Request) -> tuple[int, Any]:
    eid = req.params["execution_id"]
    rec = next((r for r in _records(emu, time.time()) if r["execution_id"] == eid), None)
    if rec is None:
        raise ApiFailure(404, f"no webhook for execution {eid}")
    view = _view(rec)
    view["attempts"] = [{"status": "PENDING", "status_code": None, "response": None,
                         "error_message": "the flowdsl emulator records webhooks but does not send them",
                         "created_at": rec["created_at"]}]
    return 200, view
