"""Tests for flowdsl/rules/conditional_reference.py: fixture cases in cases/conditional-reference/."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowdsl.diagnostics import Severity
from tests.rules.harness import CASES, assert_case, case_files, check_text, run_case

RULE = "conditional-reference"


@pytest.mark.parametrize("path", case_files(RULE), ids=lambda p: p.name)
def test_case(path: Path) -> None:
    assert_case(path, RULE)


def test_rule_is_documented() -> None:
    from flowdsl.rules import REGISTRY

    doc = REGISTRY[RULE].doc
    assert doc.startswith(RULE + ":") and "    " in doc  # an indented example


def test_severity_maybe_vs_exclusive() -> None:
    diags = [d for d in run_case(CASES / RULE / "fires.flow.yaml")[2] if d.rule == RULE]
    assert sorted(d.severity.value for d in diags) == ["error", "warning"]
    outputs = [d for d in diags if d.step is None]
    assert outputs and outputs[0].severity is Severity.WARNING
