"""Tests for flowdsl/rules/unknown_param.py: fixture cases in cases/unknown-param/."""

from __future__ import annotations


from tests.rules.harness import CASES, run_case

RULE = "unknown-param"


def test_hint_names_the_real_param() -> None:
    [d] = [d for d in run_case(CASES / RULE / "fires.flow.yaml")[2]
           if d.rule == RULE and "image" in d.message and "kling" in d.message]
    assert d.hint == 'did you mean "image_url"?' and d.step == "animate"
