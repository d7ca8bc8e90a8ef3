"""Tests for flowdsl/rules/conditional_reference.py: fixture cases in cases/conditional-reference/."""

from __future__ import annotations


from flowdsl.diagnostics import Severity
from tests.rules.harness import CASES, run_case

RULE = "conditional-reference"


def test_severity_maybe_vs_exclusive() -> None:
    diags = [d for d in run_case(CASES / RULE / "fires.flow.yaml")[2] if d.rule == RULE]
    assert sorted(d.severity.value for d in diags) == ["error", "warning"]
    outputs = [d for d in diags if d.step is None]
    assert outputs and outputs[0].severity is Severity.WARNING
