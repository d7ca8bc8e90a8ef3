"""Tests for flowdsl/rules/unknown_model.py: fixture cases in cases/unknown-model/."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowdsl.diagnostics import Severity
from tests.rules.harness import CASES, assert_case, case_files, check_text, run_case

RULE = "unknown-model"


@pytest.mark.parametrize("path", case_files(RULE), ids=lambda p: p.name)
def test_case(path: Path) -> None:
    assert_case(path, RULE)


def test_rule_is_documented() -> None:
    from flowdsl.rules import REGISTRY

    doc = REGISTRY[RULE].doc
    assert doc.startswith(RULE + ":") and "    " in doc  # an indented example


def test_severity_follows_catalog_completeness() -> None:
    text = "name: x\nsteps:\n  - id: gen\n    model: Flux Max\n    with: {prompt: a}\n"
    [warn] = [d for d in check_text(text) if d.rule == RULE]
    assert warn.severity is Severity.WARNING
    assert warn.hint is not None and "flux-2-max" in warn.hint
    [err] = [d for d in check_text(text, complete=True) if d.rule == RULE]
    assert err.severity is Severity.ERROR and err.step == "gen"


def test_did_you_mean() -> None:
    text = "name: x\nsteps:\n  - id: gen\n    model: flux-2-prro\n    with: {prompt: a}\n"
    [d] = [d for d in check_text(text) if d.rule == RULE]
    assert d.hint == 'did you mean "flux-2-pro"?'
