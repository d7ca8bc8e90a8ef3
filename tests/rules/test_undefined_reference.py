"""Tests for flowdsl/rules/undefined_reference.py: fixture cases in cases/undefined-reference/."""

from __future__ import annotations


from flowdsl.diagnostics import Severity
from tests.rules.harness import CASES, check_text, run_case

RULE = "undefined-reference"


def test_did_you_mean_and_fragments() -> None:
    diags = [d for d in run_case(CASES / RULE / "fires.flow.yaml")[2] if d.rule == RULE]
    hints = {d.hint for d in diags}
    assert 'did you mean "prompt"?' in hints and 'did you mean "portrait"?' in hints
    # A definition that declares no inputs: not an error, the engine does not check them.
    text = "steps:\n  - id: a\n    pass: \"{{inputs.x}}\"\n"
    [d] = [d for d in check_text(text) if d.rule == RULE]
    assert d.severity is Severity.WARNING
