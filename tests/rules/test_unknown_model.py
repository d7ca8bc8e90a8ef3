"""Tests for flowdsl/rules/unknown_model.py: fixture cases in cases/unknown-model/."""

from __future__ import annotations


from flowdsl.diagnostics import Severity
from tests.rules.harness import check_text

RULE = "unknown-model"


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
