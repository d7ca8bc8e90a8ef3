"""Tests for flowdsl/rules/limit.py: fixture cases in cases/limit/."""

from __future__ import annotations


from tests.rules.harness import check_text

RULE = "limit"


def test_long_prompt_and_too_many_images() -> None:
    prompt = "x" * 10_001
    text = ("name: x\nsteps:\n  - id: gen\n    model: some-multi-image-model\n    with:\n"
            f"      prompt: {prompt}\n"
            "      image_urls: [a.png, b.png, c.png, d.png, e.png]\n")
    found = [d for d in check_text(text) if d.rule == RULE]
    assert [(d.span.line, d.step) for d in found] == [(6, "gen"), (7, "gen")]
    assert "10,001 characters" in found[0].message and "5 images" in found[1].message
    ok = text.replace("x" * 10_001, "x" * 10_000).replace(", e.png", "")
    assert [d for d in check_text(ok) if d.rule == RULE] == []


def test_step_timeout_over_the_workflow_timeout() -> None:
    text = ("name: x\ndefaults: {timeout: 2m}\nsteps:\n  - id: a\n    pass: 1\n"
            "    timeout: 3m\n")
    [d] = [d for d in check_text(text) if d.rule == RULE]
    assert d.span.line == 6 and "the workflow's (2 min)" in d.message
