"""The predictions API (``/v1/prediction``: create, get, cancel, run) and the model execution
history (``GET /v1/executions``), for the models the emulator serves.

A prediction is a one-step workflow run through the simulator like any execution (one
interpreter): the model step's params are the prediction's ``input`` (passed as workflow
inputs, never read as templates), its output is the model's simulated output, and its timing
follows the emulator's ``Timing``.
"""

from __future__ import annotations

import re
import time
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import jsonschema

from flowdsl.emulator.executions import plan_execution
from flowdsl.emulator.routing import Request, body_object, int_param, route
from flowdsl.emulator.store import ApiFailure, now_iso

if TYPE_CHECKING:
    from flowdsl.emulator.server import Emulator

RUN_WAIT_S = 60.0  # /v1/prediction/run waits at most this long for the outcome
STEP_ID = "prediction"


def _model_input_error(model: dict[str, Any], value: dict[str, Any]) -> str | None:
    schema = model.get("request_schema")
    if not isinstance(schema, dict):
        return None
    try:
        cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
        cls.check_schema(schema)
    except jsonschema.SchemaError:
        return None  # a catalog schema that is not JSON Schema: nothing to check against
    err = jsonschema.exceptions.best_match(cls(schema).iter_errors(value))
    if err is None:
        return None
    where = "/".join(str(p) for p in err.absolute_path)
    return f"invalid input{' at ' + where if where else ''}: {err.message[:200]}"


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _one_step_flow(slug: str, value: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The prediction as a one-step definition and its inputs. Each param is passed as a
    workflow input (``{{inputs.k}}``), so a prediction's text is never read as a template
    (a prompt may well contain ``{{``) and keeps its JSON type."""
    names = [k for k in value if _NAME.fullmatch(k)]
    params = {k: ("{{inputs.%s}}" % k if k in names else v) for k, v in value.items()}
    definition = {"version": "v1", "input_schema": {"type": "object", "properties": {k: {} for k in names}},
                  "steps": [{"step_id": STEP_ID, "type": "model", "model": slug, "params": params}]}
    return definition, {k: value[k] for k in names}


def _create(emu: "Emulator", req: Request) -> dict[str, Any]:
    body = body_object(req)
    slug, value = body.get("model"), body.get("input")
    if not isinstance(slug, str) or not slug:
        raise ApiFailure(400, "model is required")
    if not isinstance(value, dict):
        raise ApiFailure(400, "input must be an object")
    model = emu.models.get(slug)
    if model is None:
        raise ApiFailure(400, f"model not found: {slug}")
    why = _model_input_error(model, value)
    if why is not None:
        raise ApiFailure(400, why)
    definition, inputs = _one_step_flow(slug, value)
    pid = str(uuid.uuid4())
    created = time.time()
    planned = plan_execution(definition, inputs, emu.catalog, emu.config.timing, created)
    record: dict[str, Any] = {"id": pid, "model": slug, "input": value, "created": created, **planned}
    if isinstance(body.get("webhook_url"), str) and body["webhook_url"]:
        record["webhook_url"] = body["webhook_url"]
    with emu.store.lock:
        emu.store.predictions[pid] = record
    return record


def _find(emu: "Emulator", pid: str) -> dict[str, Any]:
    with emu.store.lock:
        rec = emu.store.predictions.get(pid)
    if rec is None:
        raise ApiFailure(404, f"prediction not found: {pid}")
    return rec


def _outcome(rec: dict[str, Any], t: float) -> tuple[str, float]:
    """(status, when it ended or will end) at time ``t``."""
    cancelled = rec.get("cancelled_at")
    if cancelled is not None and cancelled < rec["end"]:
        return ("cancelled", cancelled) if t >= cancelled else ("processing", cancelled)
    if t < rec["run_start"]:
        return "starting", rec["end"]
    if t < rec["end"]:
        return "processing", rec["end"]
    return ("success" if rec["status"] == "completed" else "failed"), rec["end"]


def _step(rec: dict[str, Any]) -> dict[str, Any]:
    return next((r for r in rec.get("steps") or [] if r.get("step_id") == STEP_ID), {})


def prediction_view(rec: dict[str, Any], host: str | None, t: float | None = None) -> dict[str, Any]:
    now = time.time() if t is None else t
    status, ended = _outcome(rec, now)
    view: dict[str, Any] = {"id": rec["id"], "input": rec["input"], "status": status, "logs": None}
    step = _step(rec)
    if status == "success" and step.get("output") is not None:
        view["output"] = step["output"]
    if status in ("success", "failed", "cancelled"):
        view["metrics"] = {"predict_time": round(max(0.0, ended - rec["run_start"]), 3),
                           "cost": round(float(rec.get("cost_usd") or 0.0), 6)}
    if status == "failed":
        view["error"] = str(step.get("error_cause") or (rec.get("error") or {}).get("cause") or "failed")
    if host:
        base = f"http://{host}/v1/prediction/{rec['id']}"
        view["urls"] = {"get": base, "cancel": base + "/cancel"}
    return view


@route("POST", "/prediction", surfaces=("v1",))
def create_prediction(emu: "Emulator", req: Request) -> tuple[int, Any]:
    rec = _create(emu, req)
    return 200, {"status": "success", "message": "Prediction created successfully", "predictionID": rec["id"]}


@route("POST", "/prediction/run", surfaces=("v1",))
def run_prediction(emu: "Emulator", req: Request) -> tuple[int, Any]:
    rec = _create(emu, req)
    time.sleep(max(0.0, min(RUN_WAIT_S, rec["end"] - time.time())))
    view = prediction_view(rec, None)
    body: dict[str, Any] = {"status": "success" if view["status"] == "success" else "failed",
                            "predictionID": rec["id"], "output": view.get("output")}
    if body["status"] == "failed":
        body["error"] = view.get("error") or f"prediction still {view['status']} after {RUN_WAIT_S:.0f} s"
    return 200, body


@route("GET", "/prediction/{id}", surfaces=("v1",))
def get_prediction(emu: "Emulator", req: Request) -> tuple[int, Any]:
    host = req.headers.get("Host") if req.headers is not None else None
    return 200, prediction_view(_find(emu, req.params["id"]), host)


@route("POST", "/prediction/{id}/cancel", surfaces=("v1",))
def cancel_prediction(emu: "Emulator", req: Request) -> tuple[int, Any]:
    rec = _find(emu, req.params["id"])
    now = time.time()
    with emu.store.lock:
        status, _ = _outcome(rec, now)
        if status in ("starting", "processing"):
            rec["cancelled_at"] = now
            return 200, {"status": "cancelled", "message": "Prediction cancelled", "predictionID": rec["id"]}
    # The response's status can only be "cancelled"; the message says nothing changed.
    return 200, {"status": "cancelled", "message": f"prediction had already ended ({status}); nothing to cancel",
                 "predictionID": rec["id"]}


# ---------------------------------------------------------------- GET /v1/executions

_STATUS_TOKENS = ("created", "starting", "success", "error")
_CLASSES = ("content_moderation", "execution_timeout", "invalid_user_input", "invalid_model_config",
            "provider_auth", "provider_error", "provider_rate_limit", "provider_unavailable",
            "internal_error", "unknown")


def _history_status(start: float | None, end: float, status: str, t: float) -> str:
    if start is None or t < start:
        return "created"
    if t < end:
        return "starting"
    return "success" if status == "completed" else "error"


def _classify(cause: str) -> str:
    return "invalid_model_config" if cause.startswith("model not found") else "provider_error"


def _as_text(output: Any) -> str | None:
    if output is None or isinstance(output, str):
        return output
    if isinstance(output, list) and output and isinstance(output[0], str):
        return output[0]
    import json
    return json.dumps(output)


def _history(emu: "Emulator", t: float) -> list[dict[str, Any]]:
    """Every model run the emulator made: predictions and the model steps of executions."""
    rows: list[dict[str, Any]] = []
    with emu.store.lock:
        preds = list(emu.store.predictions.values())
        execs = list(emu.store.executions.values())
    for rec in preds:
        step = _step(rec)
        status, ended = _outcome(rec, t)
        hist = {"success": "success", "failed": "error", "cancelled": "error",
                "starting": "created", "processing": "starting"}[status]
        rows.append({"id": rec["id"], "model": rec["model"], "requested_model": None,
                     "status": hist, "workflow_id": None, "workflow_execution_id": None,
                     "execution_cost": round(float(rec.get("cost_usd") or 0.0), 6),
                     "created": rec["created"], "start": rec["run_start"], "end": ended,
                     "output": step.get("output"), "cause": str(step.get("error_cause") or "")})
    for ex in execs:
        for r in ex.get("steps") or []:
            meta = r.get("metadata") or {}
            if r.get("kind") != "model" or not meta.get("model"):
                continue
            rows.append({"id": str(meta.get("prediction_id") or r["step_id"]), "model": meta["model"],
                         "requested_model": None,
                         "status": _history_status(r.get("start"), r["end"], r["status"], t),
                         "workflow_id": ex["workflow_id"], "workflow_execution_id": ex["execution_id"],
                         "execution_cost": 0.0, "created": ex["created"], "start": r.get("start"),
                         "end": r["end"], "output": r.get("output"), "cause": str(r.get("error_cause") or "")})
    return rows


def _row_view(row: dict[str, Any]) -> dict[str, Any]:
    done = row["status"] in ("success", "error")
    start = row["start"]
    return {"id": row["id"], "model": row["model"], "requested_model": None, "status": row["status"],
            "workflow_id": row["workflow_id"], "workflow_execution_id": row["workflow_execution_id"],
            "execution_cost": row["execution_cost"],
            "run_time": round(max(0.0, row["end"] - start), 3) if done and start is not None else 0.0,
            "created_at": now_iso(row["created"]),
            "started_at": now_iso(start) if start is not None and row["status"] != "created" else None,
            "completed_at": now_iso(row["end"]) if done else None,
            "output": _as_text(row["output"]) if row["status"] == "success" else None}


def _time_param(q: dict[str, str], name: str) -> float | None:
    raw = q.get(name)
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise ApiFailure(400, f"{name} must be an RFC 3339 date-time") from None


def _tokens(q: dict[str, str], name: str, allowed: tuple[str, ...]) -> set[str]:
    got = {t.strip() for t in (q.get(name) or "").split(",") if t.strip()}
    bad = sorted(got - set(allowed))
    if bad:
        raise ApiFailure(400, f"{name}: {bad[0]!r} is not one of {', '.join(allowed)}")
    return got


@route("GET", "/executions", surfaces=("v1",))
def list_history(emu: "Emulator", req: Request) -> tuple[int, Any]:
    q = req.query
    limit = int_param(q, "limit", 20, 1, 100)
    offset = int_param(q, "offset", 0, 0, None)
    statuses = _tokens(q, "status", _STATUS_TOKENS)
    classes = _tokens(q, "error_classification", _CLASSES)
    t = time.time()
    to = _time_param(q, "to")
    frm = _time_param(q, "from")
    if frm is None:
        frm = (to if to is not None else t) - 90 * 86400
    rows = [r for r in _history(emu, t)
            if (not q.get("model") or r["model"] == q["model"])
            and (not statuses or r["status"] in statuses)
            and (not q.get("workflow_id") or r["workflow_id"] == q["workflow_id"])
            and (not q.get("workflow_execution_id") or r["workflow_execution_id"] == q["workflow_execution_id"])
            and (not classes or (r["status"] == "error" and _classify(r["cause"]) in classes))
            and r["created"] >= frm and (to is None or r["created"] <= to)]
    rows.sort(key=lambda r: r["created"], reverse=True)
    page = rows[offset:offset + limit]
    return 200, {"executions": [_row_view(r) for r in page], "total_count": len(rows),
                 "total_capped": False, "offset": offset, "limit": limit}
