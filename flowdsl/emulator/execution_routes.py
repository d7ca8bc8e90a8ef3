"""Execution endpoints: trigger (engine and /v1 spellings), get one (with the engine's long
poll), list a workflow's executions."""

from __future__ import annotations

import copy
import time
import uuid
from typing import TYPE_CHECKING, Any

from flowdsl.emulator.executions import missing_inputs, plan_execution
from flowdsl.emulator.routing import Request, body_object, int_param, route
from flowdsl.emulator.store import ApiFailure, now_iso
from flowdsl.emulator.views import execution_view, summary_view

if TYPE_CHECKING:
    from flowdsl.emulator.server import Emulator


@route("GET", "/workflows/executions/{execution_id}", surfaces=("v1",))
@route("GET", "/executions/{execution_id}", surfaces=("engine",))
def get_execution(emu: "Emulator", req: Request) -> tuple[int, Any]:
    ex = emu.store.executions.get(req.params["execution_id"])
    if ex is None:
        raise ApiFailure(404, f"execution not found: {req.params['execution_id']}")
    if req.query.get("timeout"):
        # Long poll, as the engine documents: wait (bounded) for a terminal status.
        deadline = time.time() + min(30, max(1, int_param(req.query, "timeout", 10, 1, 30)))
        while time.time() < deadline and execution_view(ex, v1=req.v1)["status"] == "running":
            time.sleep(0.05)
    return 200, execution_view(ex, v1=req.v1)


def _trigger(emu: "Emulator", req: Request, ident: str, version_id: str | None) -> dict[str, Any]:
    body = body_object(req)
    inputs = body.get("inputs", body.get("input", {}))  # one SDK page says `input`
    if inputs is None:
        inputs = {}
    if not isinstance(inputs, dict):
        raise ApiFailure(400, "inputs must be an object")
    with emu.store.lock:
        wf = emu.store.find_workflow(ident)
        vid = version_id or body.get("version_id") or wf.get("latest_version_id")
        version = wf["versions"].get(vid) if vid else None
        if version is None:
            raise ApiFailure(404, f"version not found: {vid}")
        definition = copy.deepcopy(version.get("definition"))
        if not definition:
            raise ApiFailure(400, f"version {vid} has no definition")
        missing = missing_inputs(definition, inputs)
        if missing:
            raise ApiFailure(400, f"invalid input: missing required field '{missing[0]}'")
    # Simulated outside the lock: a python step runs in a subprocess.
    eid = str(uuid.uuid4())
    created = time.time()
    planned = plan_execution(definition, inputs, emu.catalog, emu.config.timing, created)
    with emu.store.lock:
        emu.store.executions[eid] = {
            "execution_id": eid, "workflow_id": wf["workflow_id"], "version_id": vid,
            "inputs": inputs, "definition": definition, "created": created, **planned,
        }
        wf["trigger_count"] += 1
        version["trigger_count"] += 1
    return {"execution_id": eid, "status": "queued", "created": created}


@route("POST", "/{wf}/trigger", surfaces=("engine",))
def trigger_engine(emu: "Emulator", req: Request) -> tuple[int, Any]:
    out = _trigger(emu, req, req.params["wf"], None)
    return 202, {"execution_id": out["execution_id"], "status": "queued",
                 "started_at": now_iso(out["created"])}


@route("POST", "/workflows/trigger/{wf}/{version}", surfaces=("v1",))
def trigger_v1(emu: "Emulator", req: Request) -> tuple[int, Any]:
    out = _trigger(emu, req, req.params["wf"], req.params["version"])
    return 202, {"execution_id": out["execution_id"], "status": "queued"}


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
