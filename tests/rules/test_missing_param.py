"""Tests for flowdsl/rules/missing_param.py: fixture cases in cases/missing-param/."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowdsl.diagnostics import Severity
from tests.rules.harness import CASES, assert_case, case_files, check_text, run_case

RULE = "missing-param"


@pytest.mark.parametrize("path", case_files(RULE), ids=lambda p: p.name)
def test_case(path: Path) -> None:
    assert_case(path, RULE)


def test_rule_is_documented() -> None:
    from flowdsl.rules import REGISTRY

    doc = REGISTRY[RULE].doc
    assert doc.startswith(RULE + ":") and "    " in doc  # an indented example


def test_rename_hint_for_a_near_miss() -> None:
    text = ("name: x\nsteps:\n  - id: up\n    model: topaz-upscale-image\n"
            "    with: {image: x.png}\n")
    [d] = [d for d in check_text(text) if d.rule == RULE]
    assert d.hint == 'rename "image" to "image_url"'
