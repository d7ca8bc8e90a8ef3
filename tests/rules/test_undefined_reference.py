"""Tests for flowdsl/rules/undefined_reference.py: fixture cases in cases/undefined-reference/."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowdsl.diagnostics import Severity
from tests.rules.harness import CASES, assert_case, case_files, check_text, run_case

RULE = "undefined-reference"


@pytest.mark.parametrize("path", case_files(RULE), ids=lambda p: p.name)
def test_case(path: Path) -> None:
    assert_case(path, RULE)


def test_rule_is_documented() -> None:
    from flowdsl.rules import REGISTRY

    doc = REGISTRY[RULE].doc
    assert doc.startswith(RULE + ":") and "    " in doc  # an indented example


def test_did_you_mean_and_fragments() -> None:
    diags = [d for d in run_case(CASES / RULE / "fires.flow.yaml")[2] if d.rule == RULE]
    hints = {d.hint for d in diags}
    assert 'did you mean "prompt"?' in hints and 'did you mean "portrait"?' in hints
    # A definition that declares no inputs: not an error, the engine does not check them.
    text = "steps:\n  - id: a\n    pass: \"{{inputs.x}}\"\n"
    [d] = [d for d in check_text(text) if d.rule == RULE]
    assert d.severity is Severity.WARNING
