"""Tests for flowdsl/rules/unknown_param.py: fixture cases in cases/unknown-param/."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowdsl.diagnostics import Severity
from tests.rules.harness import CASES, assert_case, case_files, check_text, run_case

RULE = "unknown-param"


@pytest.mark.parametrize("path", case_files(RULE), ids=lambda p: p.name)
def test_case(path: Path) -> None:
    assert_case(path, RULE)


def test_rule_is_documented() -> None:
    from flowdsl.rules import REGISTRY

    doc = REGISTRY[RULE].doc
    assert doc.startswith(RULE + ":") and "    " in doc  # an indented example


def test_hint_names_the_real_param() -> None:
    [d] = [d for d in run_case(CASES / RULE / "fires.flow.yaml")[2]
           if d.rule == RULE and "image" in d.message and "kling" in d.message]
    assert d.hint == 'did you mean "image_url"?' and d.step == "animate"
