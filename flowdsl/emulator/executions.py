"""Mock execution of a workflow definition on a virtual timeline.

At trigger time the whole run is planned (which steps run, when each starts and ends, its
output or error); a GET just reads that plan at the current time. No background threads, so
statuses move queued -> running -> completed/failed however the server is driven, and a
``--state`` file can be reloaded mid-run.

The plan comes from the dry-run simulator (``flowdsl.simulate.simulate_definition``) when it
is installed, its virtual durations compressed so a run takes about ``step_s`` per step; a
definition naming a model the emulator's catalog lacks (which the real engine fails) and any
simulator trouble fall back to the built-in mock planner below.
"""

from __future__ import annotations

import copy
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

from flowdsl.emulator.store import now_iso

_TEMPLATE = re.compile(r"\{\{\s*([A-Za-z_][\w-]*)((?:\.[\w-]+)*)\s*\}\}")


@dataclass(frozen=True)
class Timing:
    queued_s: float = 0.1
    step_s: float = 0.2


def _media_ext(slug: str) -> str:
    s = slug.lower()
    if any(w in s for w in ("video", "veo", "kling", "wan", "hailuo", "seedance", "sora")):
        return "mp4"
    if any(w in s for w in ("tts", "speech", "audio", "music", "voice", "elevenlabs")):
        return "mp3"
    return "png"


def _lookup(root: Any, path: list[str]) -> Any:
    cur = root
    for part in path:
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return None
    return cur


class _Context:
    def __init__(self, inputs: dict[str, Any]) -> None:
        self.inputs = inputs
        self.steps: dict[str, dict[str, Any]] = {}

    def ref(self, root: str, path: list[str]) -> Any:
        if root == "inputs":
            return _lookup(self.inputs, path)
        rec = self.steps.get(root)
        if rec is None:
            return None
        return _lookup(rec, path) if path else rec.get("output")

    def resolve(self, value: Any) -> Any:
        if isinstance(value, str):
            whole = _TEMPLATE.fullmatch(value.strip())
            if whole:  # a whole-value template keeps the referenced value's type
                return self.ref(whole.group(1), [p for p in whole.group(2).split(".") if p])
            return _TEMPLATE.sub(lambda m: str(self.ref(m.group(1), [p for p in m.group(2).split(".") if p]) or ""), value)
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def condition(self, cond: Any) -> bool:
        if not isinstance(cond, dict):
            return False
        if "and" in cond:
            return all(self.condition(c) for c in cond["and"] or [])
        if "or" in cond:
            return any(self.condition(c) for c in cond["or"] or [])
        if "not" in cond:
            return not self.condition(cond["not"])
        expr = str(cond.get("expression", ""))
        parts = [p for p in expr.removeprefix("$.").split(".") if p]
        actual = self.ref(parts[0], parts[1:]) if parts else None
        op, want = cond.get("operator"), cond.get("value")
        a: Any = actual
        w: Any = want
        try:
            return {
                "equals": lambda: actual == want, "not_equals": lambda: actual != want,
                "greater_than": lambda: float(a) > float(w),
                "less_than": lambda: float(a) < float(w),
                "greater_than_or_equal": lambda: float(a) >= float(w),
                "less_than_or_equal": lambda: float(a) <= float(w),
                "string_equals": lambda: str(actual) == str(want),
                "string_matches": lambda: str(want) in str(actual),
                "in": lambda: actual in (want or []), "not_in": lambda: actual not in (want or []),
                "exists": lambda: actual is not None, "not_exists": lambda: actual is None,
                "is_null": lambda: actual is None, "is_not_null": lambda: actual is not None,
            }[str(op)]()
        except (KeyError, TypeError, ValueError):
            return False


class MockPlanner:
    def __init__(self, models: dict[str, dict[str, Any]], timing: Timing) -> None:
        self.models = models
        self.timing = timing

    def plan(self, execution_id: str, definition: dict[str, Any], inputs: dict[str, Any],
             start: float) -> list[dict[str, Any]]:
        ctx = _Context(inputs)
        records: list[dict[str, Any]] = []
        self._run(execution_id, definition.get("steps") or [], ctx, records,
                  start + self.timing.queued_s, failed=False)
        return records

    def _step_id(self, step: dict[str, Any], index: int) -> str:
        return str(step.get("step_id") or step.get("id") or f"step{index + 1}")

    def _run(self, eid: str, steps: list[Any], ctx: _Context, records: list[dict[str, Any]],
             t: float, failed: bool) -> tuple[float, bool]:
        for index, step in enumerate(steps):
            if not isinstance(step, dict):
                continue
            sid = self._step_id(step, index)
            if failed:
                rec = {"step_id": sid, "status": "cancelled", "start": None, "end": t}
                records.append(rec)
                ctx.steps[sid] = rec
                continue
            kind = step.get("type") or ("model" if "model" in step else "pass")
            if kind == "parallel":
                ends, any_failed = [t], False
                for branch in step.get("branches") or []:
                    end, bf = self._run(eid, (branch or {}).get("steps") or [], ctx, records, t, False)
                    ends.append(end)
                    any_failed = any_failed or bf
                rec = self._record(sid, t, max(ends), "failed" if any_failed else "completed", None, {})
                rec["kind"] = "parallel"
                records.append(rec)
                ctx.steps[sid] = rec
                t = max(ends)
                failed = any_failed and not step.get("continue_on_error")
                continue
            if kind == "choice":
                met = ctx.condition(step.get("condition"))
                branch = step.get("condition_met_branch" if met else "default_branch") or {}
                end, bf = self._run(eid, branch.get("steps") or [], ctx, records, t, False)
                rec = self._record(sid, t, end, "failed" if bf else "completed",
                                   "condition_met" if met else "default", {})
                rec["kind"] = "choice"
                rec["selected"] = "condition_met" if met else "default"
                records.append(rec)
                ctx.steps[sid] = rec
                t, failed = end, bf and not step.get("continue_on_error")
                continue
            end = t + self.timing.step_s
            output, meta, error = self._leaf(eid, sid, kind, step, ctx)
            rec = self._record(sid, t, end, "failed" if error else "completed", output, meta)
            if error:
                rec["error"], rec["error_cause"] = "StepFailed", error
                rec["fatal"] = not step.get("continue_on_error")
            records.append(rec)
            ctx.steps[sid] = rec
            t = end
            failed = bool(error) and not step.get("continue_on_error")
        return t, failed

    @staticmethod
    def _record(sid: str, start: float, end: float, status: str, output: Any,
                meta: dict[str, Any]) -> dict[str, Any]:
        primary = output[0] if isinstance(output, list) and output else output
        return {"step_id": sid, "status": status, "start": start, "end": end,
                "output": output, "primary": primary, "metadata": meta}

    def _leaf(self, eid: str, sid: str, kind: str, step: dict[str, Any],
              ctx: _Context) -> tuple[Any, dict[str, Any], str | None]:
        if kind == "model":
            slug = str(step.get("model", ""))
            params = ctx.resolve(copy.deepcopy(step.get("params") or {}))
            meta: dict[str, Any] = {"model": slug, "params": params,
                                    "prediction_id": uuid.uuid4().hex[:26]}
            if step.get("version"):
                meta["version"] = str(step["version"])
            model = self.models.get(slug)
            if self.models and model is None:
                return None, meta, f"model not found: {slug}"
            out_type = (model or {}).get("output_type") or "array"
            url = f"https://emulator.invalid/outputs/{eid}/{sid}.{_media_ext(slug)}"
            if out_type == "string":
                return url if _media_ext(slug) != "png" or "image" in slug else f"mock text from {slug}", meta, None
            if out_type == "object":
                return {"url": url}, meta, None
            return [url], meta, None
        if kind == "http":
            return {"status": 200, "body": {}}, {"type": "http", "method": step.get("method", "GET"),
                                                   "url": ctx.resolve(step.get("url")),
                                                   "params": {}, "elapsed_seconds": 0.01}, None
        if kind == "python":
            return {"result": None}, {"type": "python", "params": ctx.resolve(step.get("inputs") or {}),
                                      "execution_time": 0.001}, None
        if kind == "pass":
            return ctx.resolve(copy.deepcopy(step.get("result"))), {}, None
        return None, {}, f"unknown step type: {kind}"


def _model_slugs(steps: Any) -> set[str]:
    out: set[str] = set()
    for step in steps or []:
        if not isinstance(step, dict):
            continue
        if step.get("model"):
            out.add(str(step["model"]))
        fb = step.get("fallback")
        if isinstance(fb, dict) and fb.get("model") and fb.get("enabled", True):
            out.add(str(fb["model"]))
        for branch in step.get("branches") or []:
            out |= _model_slugs((branch or {}).get("steps"))
        for key in ("condition_met_branch", "default_branch"):
            out |= _model_slugs((step.get(key) or {}).get("steps"))
    return out


def _from_trace(trace: dict[str, Any], t0: float, step_s: float) -> list[dict[str, Any]]:
    """The simulator's trace (virtual seconds) as step records on the emulator's clock."""
    steps: dict[str, Any] = trace.get("steps") or {}
    total = float(trace.get("duration_s") or 0.0)
    leaves = sum(1 for s in steps.values() if s.get("kind") not in ("parallel", "choice")
                 and s.get("status") != "skipped")
    scale = (max(1, leaves) * step_s / total) if total > 0 else 0.0
    failed_step = (trace.get("error") or {}).get("step") if trace.get("status") == "failed" else None
    records: list[dict[str, Any]] = []
    for sid, s in steps.items():
        status = s.get("status")
        if status in ("skipped", "pending", None):
            continue  # a branch not taken never appears in the engine's step outputs
        start = s.get("started_s")
        end = s.get("ended_s")
        kind = s.get("kind")
        meta: dict[str, Any]
        if kind == "model":
            meta = {"model": s.get("model"), "params": s.get("params") or {},
                    "prediction_id": uuid.uuid4().hex[:26]}
            if s.get("fallback_used"):
                meta["fallback_used"] = True
        elif kind in ("http", "python"):
            meta = {"type": kind, "params": s.get("params") or {}}
        else:  # the engine's metadata.type is only ever http or python
            meta = {}
        rec: dict[str, Any] = {
            "step_id": sid, "status": status,
            "start": None if start is None else t0 + float(start) * scale,
            "end": t0 + float(end if end is not None else total) * scale,
            "output": s.get("output"), "primary": s.get("primary"), "metadata": meta, "kind": kind,
        }
        if status == "failed":
            err = s.get("error") or {}
            rec["error"] = str(err.get("error") or "StepFailed") if isinstance(err, dict) else "StepFailed"
            rec["error_cause"] = str(err.get("cause") or err) if isinstance(err, dict) else str(err)
            rec["fatal"] = sid == failed_step
        if s.get("selected"):
            rec["selected"] = s["selected"]
        records.append(rec)
    if failed_step and not any(r.get("fatal") for r in records):
        err = trace.get("error") or {}
        records.append({"step_id": str(failed_step), "status": "failed", "start": t0, "end": t0 + step_s,
                        "output": None, "primary": None, "metadata": {}, "fatal": True,
                        "error": str(err.get("error") or "ExecutionFailed"),
                        "error_cause": str(err.get("cause") or "failed")})
    return records


def planner_for(models: dict[str, dict[str, Any]], timing: Timing) -> Callable[..., list[dict[str, Any]]]:
    mock = MockPlanner(models, timing)
    try:
        from flowdsl.simulate import simulate_definition
    except ImportError:
        return mock.plan

    def plan(eid: str, definition: dict[str, Any], inputs: dict[str, Any],
             start: float) -> list[dict[str, Any]]:
        if models and not _model_slugs(definition.get("steps")) <= set(models):
            return mock.plan(eid, definition, inputs, start)  # the engine fails unknown models
        try:
            trace = simulate_definition(definition, inputs)
            return _from_trace(trace, start + timing.queued_s, timing.step_s)
        except Exception:  # the simulator must never take the emulator down
            return mock.plan(eid, definition, inputs, start)

    return plan


def missing_inputs(definition: dict[str, Any], inputs: dict[str, Any]) -> list[str]:
    schema = definition.get("input_schema") or {}
    required = schema.get("required") if isinstance(schema, dict) else None
    return [r for r in (required or []) if isinstance(r, str) and r not in inputs]


def _final_output(records: list[dict[str, Any]]) -> Any:
    done = [r for r in records if r["status"] == "completed" and r.get("kind") not in ("parallel", "choice")]
    if not done:
        return None
    # Latest completion wins; on a tie the step later in the document (a pass after a model).
    last = max(enumerate(done), key=lambda ir: (ir[1]["end"], ir[0]))[1]
    return last.get("output") if last.get("output") is not None else last.get("primary")


def _mapped_output(definition: dict[str, Any], records: list[dict[str, Any]], inputs: dict[str, Any]) -> dict[str, Any] | None:
    mapping = definition.get("output_mapping") or (definition.get("metadata") or {}).get("output_mapping")
    if not isinstance(mapping, dict):
        return None
    ctx = _Context(inputs)
    ctx.steps = {r["step_id"]: r for r in records}
    out: dict[str, Any] = {}
    for key, ref in mapping.items():
        if isinstance(ref, str) and ref.startswith("$."):
            parts = [p for p in ref[2:].split(".") if p]
            out[key] = ctx.ref(parts[0], parts[1:]) if parts else None
        else:
            out[key] = ctx.resolve(ref)
    return out


def execution_view(ex: dict[str, Any], now: float | None = None, *, v1: bool) -> dict[str, Any]:
    """ExecutionDetails at time ``now`` (engine shape; ``v1`` adds version_id/workflow_output/total_cost)."""
    t = time.time() if now is None else now
    records: list[dict[str, Any]] = ex["steps"]
    started = t >= ex["run_start"]
    end = max((r["end"] for r in records), default=ex["run_start"])
    steps_out: dict[str, Any] = {}
    failed_rec = None
    for r in records:
        if r["start"] is None:  # cancelled after an earlier failure
            if t >= r["end"]:
                steps_out[r["step_id"]] = {"step_id": r["step_id"], "status": "cancelled"}
            else:
                steps_out[r["step_id"]] = {"step_id": r["step_id"], "status": "queued"}
            continue
        so: dict[str, Any] = {"step_id": r["step_id"]}
        if t < r["start"]:
            so["status"] = "queued"
        elif t < r["end"]:
            so.update(status="running", started_at=now_iso(r["start"]))
        else:
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
                failed_rec = failed_rec or r
        if r.get("selected") and so["status"] in ("completed", "failed"):
            so["selected"] = r["selected"]
        steps_out[r["step_id"]] = so
    view: dict[str, Any] = {"execution_id": ex["execution_id"], "workflow_id": ex["workflow_id"],
                            "inputs": ex["inputs"], "step_outputs": steps_out}
    if started:
        view["started_at"] = now_iso(ex["run_start"])
    finished = t >= end and started
    if not finished:
        view["status"] = "running"
        view["output"] = None
    else:
        any_failed = any(r.get("fatal") for r in records)
        view["status"] = "failed" if any_failed else "completed"
        view["completed_at"] = now_iso(end)
        if any_failed:
            first = next(r for r in records if r.get("fatal"))
            view["error"] = "ExecutionFailed"
            view["error_cause"] = f"Step '{first['step_id']}' failed: {first['error_cause']}"
            view["output"] = None
        else:
            view["output"] = _final_output(records)
    if v1:
        view["version_id"] = ex["version_id"]
        if finished:
            mapped = _mapped_output(ex["definition"], records, ex["inputs"])
            if mapped is not None and view["status"] == "completed":
                view["workflow_output"] = mapped
            view["total_cost"] = round(0.01 * sum(1 for r in records if (r.get("metadata") or {}).get("model")), 4)
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
