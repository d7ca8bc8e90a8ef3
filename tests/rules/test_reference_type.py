"""Tests for flowdsl/rules/reference_type.py: fixture cases in cases/reference-type/."""

from __future__ import annotations


from tests.rules.harness import CASES, run_case

RULE = "reference-type"


def test_array_output_hint() -> None:
    diags = [d for d in run_case(CASES / RULE / "fires.flow.yaml")[2] if d.rule == RULE]
    assert any(d.hint == "use {{portrait.primary}} for the first item" for d in diags)
