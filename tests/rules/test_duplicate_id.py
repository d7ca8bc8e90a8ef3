"""Tests for flowdsl/rules/duplicate_id.py: fixture cases in cases/duplicate-id/."""

from __future__ import annotations


from tests.rules.harness import CASES, run_case

RULE = "duplicate-id"


def test_branch_step_id_collides_with_a_step() -> None:
    diags = [d for d in run_case(CASES / RULE / "fires.flow.yaml")[2] if d.rule == RULE]
    assert {d.step for d in diags} == {"gen", "pick_yes"}
