"""Properties over generated canonical definitions (tests/strategies.py): a simulation
always terminates with a final status for every step, resolves every reference of every
step that ran, and never starts a step before the steps it references have finished."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from flowdsl import ir
from flowdsl.frontend.source import load_source
from flowdsl.simulate import Simulator, mocks_from_dict
from flowdsl.simulate.values import iter_value_refs

from tests.simulate.helpers import CATALOG, PYTHON
from tests.strategies import definition

FINAL = {"completed", "failed", "cancelled", "not_run", "skipped"}


def _load(d: dict[str, Any]) -> ir.Workflow:
    r = load_source(json.dumps(d), "generated.json")
    assert r.workflow is not None, [x.message for x in r.diagnostics]
    return r.workflow


def _template_refs(step: ir.Step) -> list[ir.Ref]:
    return [r for v in ir.step_values(step) for r in iter_value_refs(v)]


def _check(wf: ir.Workflow, trace: dict[str, Any]) -> None:
    steps = trace["steps"]
    assert trace["status"] in ("completed", "failed")
    assert trace["duration_s"] <= trace["time_limit_s"] + 1e-6
    for s in wf.all_steps():
        rec = steps[s.id]
        assert rec["status"] in FINAL
        if rec["started_s"] is None:
            assert rec["status"] in ("not_run", "skipped") and rec["attempts"] == []
            continue
        assert rec["ended_s"] >= rec["started_s"]
        # Every reference of a step that ran resolved...
        assert (rec["error"] or {}).get("error") != "unresolved_reference", rec["error"]
        # ...and pointed at a step that had finished when this one started.
        for ref in _template_refs(s):
            if ref.is_input:
                continue
            target = steps[ref.root]
            assert target["ended_s"] is not None and target["ended_s"] <= rec["started_s"], (s.id, ref.root)
        for a, b in zip(rec["attempts"], rec["attempts"][1:]):
            assert a["ended_s"] <= b["started_s"]
    if trace["status"] == "completed":
        assert trace["error"] is None
    json.dumps(trace)  # a trace is always JSON


@given(definition(), st.one_of(st.none(), st.integers(0, 2**31)))
def test_generated_flows_simulate_cleanly(d: dict[str, Any], seed: int | None) -> None:
    wf = _load(d)
    trace = Simulator(wf, CATALOG, None, PYTHON).run({}, seed=seed).trace()
    _check(wf, trace)


@settings(max_examples=30)
@given(definition(), st.integers(0, 2**31), st.floats(0, 1))
def test_generated_flows_with_random_failures(d: dict[str, Any], seed: int, p: float) -> None:
    wf = _load(d)
    leaves = [s.id for s in wf.all_steps() if s.kind in ("model", "http", "python")]
    mocks, _ = mocks_from_dict({"steps": {sid: {"failure_probability": p, "duration_s": [1, 400]}
                                          for sid in leaves}}, wf)
    trace = Simulator(wf, CATALOG, mocks, PYTHON).run({}, seed=seed).trace()
    _check(wf, trace)
