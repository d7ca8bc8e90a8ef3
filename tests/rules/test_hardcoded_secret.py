"""Tests for flowdsl/rules/hardcoded_secret.py: fixture cases in cases/hardcoded-secret/."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowdsl.diagnostics import Severity
from tests.rules.harness import CASES, assert_case, case_files, check_text, run_case

RULE = "hardcoded-secret"


@pytest.mark.parametrize("path", case_files(RULE), ids=lambda p: p.name)
def test_case(path: Path) -> None:
    assert_case(path, RULE)


def test_rule_is_documented() -> None:
    from flowdsl.rules import REGISTRY

    doc = REGISTRY[RULE].doc
    assert doc.startswith(RULE + ":") and "    " in doc  # an indented example


def test_secret_is_not_echoed() -> None:
    diags = [d for d in run_case(CASES / RULE / "fires.flow.yaml")[2] if d.rule == RULE]
    for d in diags:
        assert "AbCdEfGhIjKl" not in d.message and "IOSFODNN7" not in d.message
