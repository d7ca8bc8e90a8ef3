"""Tests for flowdsl/rules/unknown_model.py: fixture cases in cases/unknown-model/."""

from __future__ import annotations


from flowdsl.diagnostics import Severity
from tests.rules.harness import check_text

RULE = "unknown-model"


def test_severity_follows_catalog_completeness() -> None:
    text = "name: x\nsteps:\n  - id: gen\n    model: my-private-model\n    with: {prompt: a}\n"
    [warn] = [d for d in check_text(text) if d.rule == RULE]
    assert warn.severity is Severity.WARNING
    [err] = [d for d in check_text(text, complete=True) if d.rule == RULE]
    assert err.severity is Severity.ERROR and err.step == "gen"


def test_did_you_mean() -> None:
    text = "name: x\nsteps:\n  - id: gen\n    model: flux-2-prro\n    with: {prompt: a}\n"
    [d] = [d for d in check_text(text) if d.rule == RULE]
    assert d.hint == "write model: flux-2-pro"


def test_one_edit_from_a_documented_model_is_an_error_even_with_the_bundled_catalog() -> None:
    text = "name: x\nsteps:\n  - id: up\n    model: topaz-upscale-imag\n    with: {image_url: x}\n"
    [d] = [d for d in check_text(text) if d.rule == RULE]
    assert d.severity is Severity.ERROR and d.hint == "write model: topaz-upscale-image"


def test_docs_alias_resolves_to_its_slug() -> None:
    from flowdsl.emit.compiler import compile_definition
    from flowdsl.frontend.source import load_source
    text = "steps:\n  - id: gen\n    model: Flux Kontext\n    with: {prompt: a, image_url: x}\n"
    assert not [d for d in check_text(text) if d.rule == RULE]
    wf = load_source(text, "a.flow.yaml").workflow
    assert wf is not None
    assert compile_definition(wf)["steps"][0]["model"] == "flux-kontext-pro"
