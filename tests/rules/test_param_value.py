"""Tests for flowdsl/rules/param_value.py: fixture cases in cases/param-value/."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowdsl.diagnostics import Severity
from tests.rules.harness import CASES, assert_case, case_files, check_text, run_case

RULE = "param-value"


@pytest.mark.parametrize("path", case_files(RULE), ids=lambda p: p.name)
def test_case(path: Path) -> None:
    assert_case(path, RULE)


def test_rule_is_documented() -> None:
    from flowdsl.rules import REGISTRY

    doc = REGISTRY[RULE].doc
    assert doc.startswith(RULE + ":") and "    " in doc  # an indented example


def test_enum_did_you_mean() -> None:
    diags = run_case(CASES / RULE / "fires.flow.yaml")[2]
    [d] = [d for d in diags if d.rule == RULE and "aspect_ratio" in d.message]
    assert d.hint == 'did you mean "16:9"?'
