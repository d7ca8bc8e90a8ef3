"""Tests for flowdsl/rules/hardcoded_secret.py: fixture cases in cases/hardcoded-secret/."""

from __future__ import annotations


from tests.rules.harness import CASES, run_case

RULE = "hardcoded-secret"


def test_secret_is_not_echoed() -> None:
    diags = [d for d in run_case(CASES / RULE / "fires.flow.yaml")[2] if d.rule == RULE]
    for d in diags:
        assert "AbCdEfGhIjKl" not in d.message and "IOSFODNN7" not in d.message
