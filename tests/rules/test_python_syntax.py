"""Tests for flowdsl/rules/python_syntax.py: fixture cases in cases/python-syntax/."""

from __future__ import annotations


from tests.rules.harness import check_text

RULE = "python-syntax"


def test_block_scalar_positions_are_line_exact() -> None:
    text = ("name: x\nsteps:\n  - id: p\n    python: |\n      a = 1\n"
            "      b = (2 +\n      result = a\n")
    [d] = [d for d in check_text(text) if d.rule == RULE]
    assert d.span.line in (6, 7) and d.step == "p"
