"""An execution, planned once at trigger time by the simulator on the IR.

Every run goes through :mod:`flowdsl.simulate` — the same interpreter as ``flowdsl
simulate`` — so templates, conditions, fallbacks and the mapped ``outputs:`` cannot disagree
between the two. The emulator adds only what the API adds around a run:

* a model its catalog lacks fails its step with ``model not found: <slug>``, as the API does
  (passed to the simulator as a mock that throws, so a fallback still gets its turn);
* the virtual durations are compressed so a run takes about ``step_s`` per step, on the
  wall clock from trigger time; a GET reads the plan at the current time (see ``views``),
  so statuses move queued -> running -> completed/failed without background threads and a
  ``--state`` file can be reloaded mid-run.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

from flowdsl import ir
from flowdsl.catalog.model import ModelSpec

MODEL_NOT_FOUND = "StepFailed"  # the error name the engine gives a step whose model is unknown


@dataclass(frozen=True)
class Timing:
    queued_s: float = 0.1
    step_s: float = 0.2


class EmulatorCatalog:
    """The simulator's view of the models the emulator serves: the bundled spec when there
    is one (it carries the simulation hints), else the served model JSON."""

    def __init__(self, models: dict[str, dict[str, Any]]) -> None:
        from flowdsl.catalog import bundled_catalog
        self.models = models
        self._bundled = bundled_catalog()
        self._specs: dict[str, ModelSpec | None] = {}

    def get(self, slug: str) -> ModelSpec | None:
        if slug not in self._specs:
            spec = self._bundled.get(slug)
            if spec is None and slug in self.models:
                from flowdsl.catalog.convert import api_to_spec
                try:
                    spec = api_to_spec(self.models[slug])
                except ValueError:
                    spec = None
            self._specs[slug] = spec
        return self._specs[slug]

    def knows(self, slug: str) -> bool:
        return not self.models or slug in self.models


def unknown_model_mocks(wf: ir.Workflow, known: Any) -> dict[str, Any]:
    """Mocks (the simulator's mocks-file shape) failing every model step, fallbacks included,
    whose model ``known(slug)`` rejects."""
    steps: dict[str, Any] = {}

    def fail(sid: str, slug: str) -> None:
        steps[sid] = {"responses": {"0+": {"throw": {"error": MODEL_NOT_FOUND,
                                                     "cause": f"model not found: {slug}"}}}}
    for s in wf.all_steps():
        if isinstance(s, ir.ModelStep):
            if not known(s.model):
                fail(s.id, s.model)
            fb = s.fallback
            if fb is not None and fb.enabled is not False and not known(fb.model):
                fail(f"{s.id}_fallback", fb.model)
    return {"steps": steps} if steps else {}


def load_definition(definition: dict[str, Any]) -> ir.Workflow | None:
    from flowdsl.frontend.source import load_source
    return load_source(json.dumps(definition), "definition.json").workflow


def simulate(definition: dict[str, Any], inputs: dict[str, Any], catalog: EmulatorCatalog,
             wf: ir.Workflow | None) -> dict[str, Any]:
    """The simulator's JSON trace of one run (``wf``: the definition as IR), unknown models failing."""
    from flowdsl.simulate import simulate_definition
    mocks = unknown_model_mocks(wf, catalog.knows) if wf is not None else {}
    try:
        return simulate_definition(definition, inputs, catalog=catalog, mocks=mocks or None)
    except Exception as exc:  # the simulator must never take the emulator down
        return {"status": "failed", "duration_s": 0.0, "cost_usd": 0.0, "output": None, "steps": {},
                "error": {"error": "internal_error", "cause": f"{type(exc).__name__}: {exc}", "step": ""}}


def last_output(trace: dict[str, Any]) -> Any:
    """The engine's ``output``: the last completed step's (latest end; on a tie the later one
    in the document), as the simulator picks it when a flow has no ``outputs:``."""
    best: tuple[float, Any] | None = None
    for s in (trace.get("steps") or {}).values():
        if s.get("status") == "completed" and s.get("kind") not in ("parallel", "choice") \
                and s.get("ended_s") is not None and (best is None or s["ended_s"] >= best[0]):
            best = (float(s["ended_s"]), s.get("output") if s.get("output") is not None else s.get("primary"))
    return None if best is None else best[1]


def _step_records(trace: dict[str, Any], t0: float, step_s: float) -> tuple[list[dict[str, Any]], float]:
    """The trace's steps on the emulator's wall clock (virtual seconds scaled)."""
    steps: dict[str, Any] = trace.get("steps") or {}
    total = float(trace.get("duration_s") or 0.0)
    leaves = sum(1 for s in steps.values() if s.get("kind") not in ("parallel", "choice")
                 and s.get("status") != "skipped")
    scale = (max(1, leaves) * step_s / total) if total > 0 else 0.0
    records: list[dict[str, Any]] = []
    for sid, s in steps.items():
        status = s.get("status")
        if status in ("skipped", "pending", None):
            continue  # a branch not taken never appears in the engine's step outputs
        start, end, kind = s.get("started_s"), s.get("ended_s"), s.get("kind")
        meta: dict[str, Any] = {}
        if kind == "model":
            meta = {"model": s.get("model"), "params": s.get("params") or {},
                    "prediction_id": uuid.uuid4().hex[:26]}
            if s.get("fallback_used"):
                meta["fallback_used"] = True
        elif kind in ("http", "python"):  # the engine's metadata.type is only ever http or python
            meta = {"type": kind, "params": s.get("params") or {}}
        rec: dict[str, Any] = {
            "step_id": sid, "status": status, "kind": kind,
            "start": None if start is None else t0 + float(start) * scale,
            "end": t0 + float(end if end is not None else total) * scale,
            "output": s.get("output"), "primary": s.get("primary"), "metadata": meta,
        }
        if status == "failed":
            err = s.get("error") if isinstance(s.get("error"), dict) else {}
            rec["error"] = str(err.get("error") or "StepFailed")
            rec["error_cause"] = str(err.get("cause") or "failed")
        if s.get("selected"):
            rec["selected"] = s["selected"]
        records.append(rec)
    return records, t0 + total * scale


def plan_execution(definition: dict[str, Any], inputs: dict[str, Any], catalog: EmulatorCatalog,
                   timing: Timing, created: float) -> dict[str, Any]:
    """What a trigger stores: the step records on the wall clock and the run's outcome."""
    wf = load_definition(definition)
    trace = simulate(definition, inputs, catalog, wf)
    # The wall clock starts once the plan exists (the first run also pays for imports).
    run_start = max(created, time.time()) + timing.queued_s
    records, end = _step_records(trace, run_start, timing.step_s)
    end = max([end] + [r["end"] for r in records])
    err = trace.get("error") if trace.get("status") == "failed" else None
    mapped = wf is not None and bool(wf.outputs)
    return {
        "run_start": run_start, "end": end, "steps": records, "status": trace.get("status"),
        "error": err, "cost_usd": trace.get("cost_usd") or 0.0,
        # Without `outputs:` the simulator's output is the engine's; with them it is the
        # mapping, which only the /v1 surface returns (workflow_output).
        "output": last_output(trace) if mapped else trace.get("output"),
        "workflow_output": trace.get("output") if mapped else None,
    }


def checked_inputs(definition: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    """The inputs a run sees: ``inputs`` validated against the flow's input schema and its
    defaults applied, by the simulator's own input rules; ``ApiFailure(400)`` when invalid."""
    from flowdsl.emulator.store import ApiFailure
    from flowdsl.simulate.inputs import InputError, prepare
    wf = load_definition(definition)
    if wf is None:
        return dict(inputs)  # an unreadable definition fails its run, as before
    try:
        return prepare(wf, inputs)
    except InputError as exc:
        # The simulator's message ends with a command-line hint; the API has no command line.
        raise ApiFailure(400, "invalid input: " + re.sub(r" \(give it with --input [^)]*\)$", "", str(exc))) from None
