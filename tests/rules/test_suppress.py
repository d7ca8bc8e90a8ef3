"""Inline ignores (flowdsl/suppress.py) applied by the checker."""

from __future__ import annotations

from flowdsl.check.suppress import parse_ignores
from tests.rules.harness import check_text


def test_parse() -> None:
    ig = parse_ignores("a: 1  # flowdsl: ignore[limit, unknown-param]\nb: 2 # flowdsl: ignore\n"
                       "c: 'flowdsl: ignore'\n")
    assert ig.covers("limit", 1) and ig.covers("unknown-param", 1) and not ig.covers("schema", 1)
    assert ig.covers("anything", 2)
    assert not ig.covers("anything", 3)  # not a comment


def test_ignore_on_the_line() -> None:
    text = ("name: x\nsteps:\n  - id: gen\n    model: flux-2-pro\n"
            "    with: {prompt: a, aspec_ratio: '1:1'}  # flowdsl: ignore[unknown-param]\n")
    assert check_text(text) == []
    other = text.replace("ignore[unknown-param]", "ignore[limit]")
    assert [d.rule for d in check_text(other)] == ["unknown-param"]


def test_ignore_on_the_step_first_line() -> None:
    text = ("name: x\nsteps:\n  - id: gen  # flowdsl: ignore[unknown-param, param-value]\n"
            "    model: flux-2-pro\n    with:\n      prompt: a\n      aspec_ratio: '1:1'\n"
            "      num_outputs: 9\n")
    assert check_text(text) == []


def test_bare_ignore() -> None:
    text = ("name: x\nsteps:\n  - id: gen  # flowdsl: ignore\n    model: flux-2-pro\n"
            "    with: {prompt: a, aspec_ratio: '1:1'}\n")
    assert check_text(text) == []
