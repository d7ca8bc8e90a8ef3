"""Every rule's fixture files (cases/<rule>/{fires,clean}*.flow.yaml) and its documentation.

The per-rule modules beside this one hold the tests particular to each rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowdsl.rules import REGISTRY
from tests.rules.harness import CASES, assert_case

FIXTURES = sorted((p.parent.name, p) for p in CASES.glob("*/*.flow.yaml"))


@pytest.mark.parametrize("rule,path", FIXTURES, ids=[f"{r}/{p.name}" for r, p in FIXTURES])
def test_case(rule: str, path: Path) -> None:
    assert_case(path, rule)


CHECKED_RULES = sorted({r for r, _ in FIXTURES})


@pytest.mark.parametrize("rule", CHECKED_RULES)
def test_rule_has_a_firing_and_a_clean_case(rule: str) -> None:
    names = [p.name for r, p in FIXTURES if r == rule]
    assert any(n.startswith("fires") for n in names) and any(n.startswith("clean") for n in names)


@pytest.mark.parametrize("rule", sorted(REGISTRY))
def test_rule_is_documented(rule: str) -> None:
    doc = REGISTRY[rule].doc
    assert doc.startswith(rule + ":") and "    " in doc  # an indented example
