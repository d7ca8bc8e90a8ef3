"""Every engine operator and and/or/not, on actual values."""

from __future__ import annotations

import pytest

from flowdsl import ir
from flowdsl.simulate.operators import OPERATORS, apply, evaluate
from flowdsl.simulate.values import MISSING, Scope

from tests.simulate.helpers import flow


@pytest.mark.parametrize("op, actual, value, expected", [
    ("equals", 5, 5, True), ("equals", 5, 5.0, True), ("equals", "5", 5, True), ("equals", "a", "a", True),
    ("equals", "a", "b", False), ("equals", True, "true", True), ("equals", True, 1, False),
    ("equals", {"a": 1}, {"a": 1}, True), ("equals", MISSING, None, False), ("equals", None, None, True),
    ("not_equals", 5, 6, True), ("not_equals", "x", "x", False), ("not_equals", MISSING, 1, True),
    ("greater_than", 10, 5, True), ("greater_than", 5, 5, False), ("greater_than", "10", 5, True),
    ("greater_than", "ten", 5, False), ("greater_than", None, 5, False), ("greater_than", True, 0, False),
    ("less_than", 1.5, 2, True), ("less_than", 2, 2, False),
    ("greater_than_or_equal", 5, 5, True), ("greater_than_or_equal", 4.9, 5, False),
    ("less_than_or_equal", 5, 5, True), ("less_than_or_equal", 6, 5, False),
    ("string_equals", "premium", "premium", True), ("string_equals", "Premium", "premium", False),
    ("string_equals", 5, "5", True), ("string_equals", None, "None", False),
    ("string_matches", "https://x/clip.mp4", ".mp4", True), ("string_matches", "https://x/a.png", ".mp4", False),
    ("string_matches", ["a.mp4"], ".mp4", False),
    ("in", 2, [1, 2, 3], True), ("in", "2", [1, 2], True), ("in", 4, [1, 2], False), ("in", MISSING, [None], False),
    ("in", 1, "1", False),
    ("not_in", 4, [1, 2], True), ("not_in", 1, [1, 2], False), ("not_in", MISSING, [1], True),
    ("exists", None, None, True), ("exists", 0, None, True), ("exists", MISSING, None, False),
    ("not_exists", MISSING, None, True), ("not_exists", "", None, False),
    ("is_null", None, None, True), ("is_null", MISSING, None, True), ("is_null", 0, None, False),
    ("is_not_null", 0, None, True), ("is_not_null", None, None, False), ("is_not_null", MISSING, None, False),
])
def test_operator(op: str, actual: object, value: object, expected: bool) -> None:
    assert apply(op, actual, value) is expected


def test_all_fourteen_operators_are_implemented() -> None:
    assert sorted(OPERATORS) == sorted(ir.OPERATORS)
    assert len(OPERATORS) == 14
    with pytest.raises(ValueError):
        apply("matches_regex", "a", "a")


def _choice(condition: str) -> ir.ChoiceStep:
    wf = flow(f"""
inputs:
  tier: {{type: string}}
  n: {{type: integer}}
steps:
  - id: c
    if: {condition}
    then: [{{id: a, pass: 1}}]
""")
    step = wf.steps[0]
    assert isinstance(step, ir.ChoiceStep)
    return step


@pytest.mark.parametrize("condition, inputs, expected", [
    ('$.inputs.tier eq "premium" and $.inputs.n >= 5', {"tier": "premium", "n": 5}, True),
    ('$.inputs.tier eq "premium" and $.inputs.n >= 5', {"tier": "premium", "n": 4}, False),
    ('$.inputs.tier eq "premium" or $.inputs.n >= 5', {"tier": "basic", "n": 9}, True),
    ('$.inputs.tier eq "premium" or $.inputs.n >= 5', {"tier": "basic", "n": 1}, False),
    ('not $.inputs.tier eq "premium"', {"tier": "basic"}, True),
    ('not ($.inputs.n > 1 and $.inputs.n < 3)', {"n": 2}, False),
    ("$.inputs.tier not exists", {}, True),
    ("$.inputs.tier exists", {}, False),
    ("$.inputs.n in [1, 2, 3]", {"n": 3}, True),
])
def test_logical_conditions(condition: str, inputs: dict[str, object], expected: bool) -> None:
    step = _choice(condition)
    ev = evaluate(step.condition, Scope(inputs, {}, 0.0))
    assert ev.result is expected
    assert all({"expression", "operator", "actual", "result"} <= set(c) for c in ev.checks)


def test_evaluation_notes_a_non_number() -> None:
    step = _choice("$.inputs.tier > 3")
    ev = evaluate(step.condition, Scope({"tier": "gold"}, {}, 0.0))
    assert ev.result is False
    assert ev.checks[0]["note"].startswith("not a number")
