"""Execution response bodies: a planned execution (see ``executions``) read at a time.

The engine's ``ExecutionDetails`` (``v1`` adds ``version_id``, ``workflow_output`` — the
flow's mapped ``outputs:`` — and ``total_cost``) and the list endpoint's summary.
"""

from __future__ import annotations

import time
from typing import Any

from flowdsl.emulator.store import now_iso


def _step_view(r: dict[str, Any], t: float) -> dict[str, Any]:
    if r["start"] is None:  # cancelled before it started
        return {"step_id": r["step_id"], "status": "cancelled" if t >= r["end"] else "queued"}
    so: dict[str, Any] = {"step_id": r["step_id"]}
    if t < r["start"]:
        so["status"] = "queued"
        return so
    if t < r["end"]:
        so.update(status="running", started_at=now_iso(r["start"]))
        return so
    so.update(status=r["status"], started_at=now_iso(r["start"]), completed_at=now_iso(r["end"]))
    if r["status"] == "completed":
        if r.get("output") is not None:
            so["output"] = r["output"]
        if r.get("primary") is not None and not isinstance(r.get("primary"), list):
            so["primary"] = r["primary"]
    if r.get("metadata"):
        so["metadata"] = r["metadata"]
    if r["status"] == "failed" and r.get("error"):
        so["error"], so["error_cause"] = r["error"], r["error_cause"]
    if r.get("selected") and so["status"] in ("completed", "failed"):
        so["selected"] = r["selected"]
    return so


def execution_view(ex: dict[str, Any], now: float | None = None, *, v1: bool) -> dict[str, Any]:
    """ExecutionDetails at time ``now``."""
    t = time.time() if now is None else now
    started = t >= ex["run_start"]
    finished = started and t >= ex["end"]
    view: dict[str, Any] = {"execution_id": ex["execution_id"], "workflow_id": ex["workflow_id"],
                            "inputs": ex["inputs"],
                            "step_outputs": {r["step_id"]: _step_view(r, t) for r in ex["steps"]}}
    if started:
        view["started_at"] = now_iso(ex["run_start"])
    if not finished:
        view["status"] = "running"
        view["output"] = None
    else:
        view["status"] = "completed" if ex["status"] == "completed" else "failed"
        view["completed_at"] = now_iso(ex["end"])
        if view["status"] == "failed":
            err = ex.get("error") or {}
            where = f"Step '{err['step']}' failed: " if err.get("step") else ""
            view["error"] = "ExecutionFailed"
            view["error_cause"] = f"{where}{err.get('cause') or err.get('error') or 'failed'}"
            view["output"] = None
        else:
            view["output"] = ex["output"]
    if v1:
        view["version_id"] = ex["version_id"]
        if finished:
            if view["status"] == "completed" and ex.get("workflow_output") is not None:
                view["workflow_output"] = ex["workflow_output"]
            view["total_cost"] = round(float(ex.get("cost_usd") or 0.0), 6)
    return view


def summary_view(ex: dict[str, Any], flow_name: str, now: float | None = None) -> dict[str, Any]:
    detail = execution_view(ex, now, v1=True)
    out: dict[str, Any] = {"execution_id": ex["execution_id"], "flow_id": ex["workflow_id"],
                           "flow_name": flow_name, "version_id": ex["version_id"],
                           "status": detail["status"], "created_at": now_iso(ex["created"]),
                           "updated_at": detail.get("completed_at") or now_iso(ex["created"]),
                           "inputs": ex["inputs"]}
    if "started_at" in detail:
        out["started_at"] = detail["started_at"]
    if "completed_at" in detail:
        out["ended_at"] = detail["completed_at"]
    if detail["status"] == "completed":
        if isinstance(detail.get("output"), str):
            out["output"] = detail["output"]
        if isinstance(detail.get("workflow_output"), dict):
            out["output_json"] = detail["workflow_output"]
    return out
