"""The workflow examples of the public docs (tests/data/docs-examples, copied from
shared/corpus/docs-examples): their real mistakes are found, and nothing else errs."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowdsl.check.policy import apply_policy
from flowdsl.check.run import check_workflow
from flowdsl.diagnostics import Diagnostic, Severity
from flowdsl.frontend.source import load_workflow
from tests.rules.harness import catalog

DOCS = Path(__file__).resolve().parents[1] / "data" / "docs-examples"


def findings(name: str) -> list[Diagnostic]:
    loaded = load_workflow(DOCS / name)
    assert loaded.workflow is not None
    found = loaded.diagnostics + check_workflow(loaded.workflow, catalog(), source=loaded.source)
    return apply_policy(found, None, loaded.source)


def errors(name: str) -> set[tuple[str, int, str | None]]:
    return {(d.rule, d.span.line, d.step) for d in findings(name) if d.severity is Severity.ERROR}


# (rule, line, step) of every error each example really has. A required param written under a
# wrong name (image for image_url) is one mistake: unknown-param at the key, no missing-param.
EXPECTED: dict[str, set[tuple[str, int, str | None]]] = {
    # `image` is not a parameter of kling-2-1-image-to-video (it takes image_url).
    "workflows__examples__01.json": {
        ("unknown-param", 37, "animate")},
    # topaz-upscale-image takes image_url, not image.
    "workflows__concepts__parameter-references__01.json": {
        ("unknown-param", 24, "step3")},
    # The default branch's engine step_id is also the id of the step inside it.
    "workflows__examples__02.json": {("duplicate-id", 99, "step2_default")},
    "workflows__examples__00.json": set(),
    "workflows__concepts__parameter-references__03.json": set(),
    # each::sense pages write $.inputs.x / $.step.primary inside params.
    "openapi_specs__sense_api__api__TOOLS__12.json": {
        ("dollar-in-template", 21, "step1"), ("dollar-in-template", 29, "step2"),
        ("dollar-in-template", 30, "step2"), ("unknown-param", 29, "step2")},
    "openapi_specs__sense_api__api__WORKFLOWS__00.json": {
        ("dollar-in-template", 34, "step1"), ("dollar-in-template", 43, "step2"),
        ("dollar-in-template", 44, "step2"), ("dollar-in-template", 53, "step3"),
        ("unknown-param", 43, "step2"), ("unknown-param", 45, "step2")},
    "openapi_specs__sense_api__api__WORKFLOWS__09.json": {
        ("dollar-in-template", 28, "step1"), ("dollar-in-template", 37, "step2"),
        ("dollar-in-template", 46, "step3"), ("dollar-in-template", 47, "step3"),
        ("dollar-in-template", 55, "step4")},
    # bg-remover, flux-fill-pro and topaz-upscale-image all take image_url; fill also
    # requires mask_url, which is not given at all.
    "openapi_specs__sense_api__api__WORKFLOWS__10.json": {
        ("dollar-in-template", 30, "step1"), ("dollar-in-template", 38, "step2"),
        ("dollar-in-template", 39, "step2"), ("dollar-in-template", 47, "step3"), ("missing-param", 36, "step2"), ("unknown-param", 30, "step1"),
        ("unknown-param", 38, "step2"), ("unknown-param", 47, "step3")},
    "openapi_specs__sense_api__api__WORKFLOWS__11.json": {
        ("dollar-in-template", 20, "step1"), ("dollar-in-template", 29, "step2"),
        ("dollar-in-template", 38, "step3"), ("dollar-in-template", 47, "step4"), ("unknown-param", 47, "step4")},
}


def test_every_example_has_expectations() -> None:
    assert sorted(EXPECTED) == sorted(p.name for p in DOCS.glob("*.json"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_true_findings_and_no_false_errors(name: str) -> None:
    assert errors(name) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(p.name for p in DOCS.glob("*.json")))
def test_every_example_checks_without_crashing(name: str) -> None:
    found = findings(name)
    # Each error names the step it is about (or is structural).
    for d in found:
        if d.severity is Severity.ERROR and d.rule not in ("schema", "yaml-syntax"):
            assert d.step is not None, d


def test_kling_image_is_reported_with_a_fix() -> None:
    [d] = [d for d in findings("workflows__examples__01.json") if d.rule == "unknown-param"]
    assert '"image"' in d.message
    assert d.hint == 'did you mean "image_url"? (a required parameter, not given)'


def test_sense_examples_find_every_dollar() -> None:
    for name, count in (("openapi_specs__sense_api__api__WORKFLOWS__09.json", 5),
                        ("openapi_specs__sense_api__api__WORKFLOWS__10.json", 4),
                        ("openapi_specs__sense_api__api__WORKFLOWS__11.json", 5)):
        dollars = [d for d in findings(name) if d.rule == "dollar-in-template"]
        assert len(dollars) == count, name
        assert all(d.hint and d.hint.startswith("write {{") for d in dollars)
