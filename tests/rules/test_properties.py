"""Hypothesis: generated valid flows check clean; one seeded defect yields its rule at
the step it was put in."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from flowdsl.diagnostics import Severity
from tests.rules.flowgen import DEFECTS, DrawChooser, dump, flow_data
from tests.rules.harness import check_text


@st.composite
def valid_flow(draw: Any) -> dict[str, Any]:
    return flow_data(DrawChooser(draw), draw(st.integers(1, 12)))


@given(valid_flow())
def test_valid_flows_check_clean(data: dict[str, Any]) -> None:
    text = dump(data)
    found = [d for d in check_text(text) if d.severity is not Severity.NOTE]
    assert found == [], text


@given(st.data(), st.sampled_from(sorted(DEFECTS)))
def test_seeded_defect_is_found_at_its_step(data: st.DataObject, rule: str) -> None:
    chooser = DrawChooser(data.draw)
    flow = flow_data(chooser, data.draw(st.integers(2, 8)))
    step = DEFECTS[rule](flow, chooser)
    if step is None:
        return
    text = dump(flow)
    found = check_text(text)
    assert any(d.rule == rule and d.step == step for d in found), (rule, step, text,
                                                                  [(d.rule, d.step) for d in found])


@given(st.data())
def test_checker_never_crashes_on_generated_definitions(data: st.DataObject) -> None:
    # The core's strategy: arbitrary (often wrong) canonical definitions, nested steps,
    # random conditions and params. Whatever they hold, checking yields findings, not errors.
    import json

    from tests.strategies import definition

    text = json.dumps(data.draw(definition()))
    found = check_text(text, "generated.json")
    assert all(d.span.line >= 1 and d.span.column >= 1 for d in found)
