"""Tests for flowdsl/rules/python_syntax.py: fixture cases in cases/python-syntax/."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowdsl.diagnostics import Severity
from tests.rules.harness import CASES, assert_case, case_files, check_text, run_case

RULE = "python-syntax"


@pytest.mark.parametrize("path", case_files(RULE), ids=lambda p: p.name)
def test_case(path: Path) -> None:
    assert_case(path, RULE)


def test_rule_is_documented() -> None:
    from flowdsl.rules import REGISTRY

    doc = REGISTRY[RULE].doc
    assert doc.startswith(RULE + ":") and "    " in doc  # an indented example


def test_block_scalar_positions_are_line_exact() -> None:
    text = ("name: x\nsteps:\n  - id: p\n    python: |\n      a = 1\n"
            "      b = (2 +\n      result = a\n")
    [d] = [d for d in check_text(text) if d.rule == RULE]
    assert d.span.line in (6, 7) and d.step == "p"
