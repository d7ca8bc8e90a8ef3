"""The mocks file: accepted shapes, and every mistake reported at file:line:col."""

from __future__ import annotations

import pytest

from flowdsl.frontend.source import load_workflow
from flowdsl.simulate.mocks import load_mocks, parse_mocks

from tests.simulate.helpers import CASES

WF = load_workflow(CASES / "pipeline.flow.yaml").workflow


def test_attempt_keys_and_ranges() -> None:
    mocks, diags = parse_mocks("""
steps:
  gen:
    responses:
      0: {throw: server_error}
      "1-2": {return: [a], duration_s: 3, cost_usd: 0.5}
      "4+": {throw: {error: quota, cause: over}}
    duration_s: [1, 2]
    cost_usd: 0.1
    failure_probability: 0.25
  gen_fallback: {duration_s: 30s}
""", "m.yaml", WF)
    assert mocks is not None and not diags
    gen = mocks.steps["gen"]
    assert gen.duration_s == (1.0, 2.0) and gen.cost_usd == 0.1 and gen.failure_probability == 0.25
    r0, r1, r3, r9 = (gen.response_for(n) for n in (0, 1, 3, 9))
    assert r0 is not None and not r0.returns and r0.error == "server_error"
    assert r1 is not None and r1.returns and r1.value == ["a"] and r1.duration_s == (3.0, 3.0)
    assert r3 is r9 and r9 is not None and r9.error == "quota"  # uncovered 3 takes the last key's
    assert mocks.steps["gen_fallback"].duration_s == (30.0, 30.0)


def test_json_mocks_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "m.json"
    p.write_text('{"steps": {"tag": {"responses": {"0": {"return": {"ok": true}}}}}}')
    mocks, diags = load_mocks(p, WF)
    assert mocks is not None and mocks.steps["tag"].response_for(0).value == {"ok": True}  # type: ignore[union-attr]


def test_every_mistake_has_a_position() -> None:
    mocks, diags = load_mocks(CASES / "bad.mocks.yaml", WF)
    assert mocks is None
    got = {(d.span.line, d.span.column, d.rule): d.message for d in diags}
    file = str(CASES / "bad.mocks.yaml")
    assert all(d.span.file == file for d in diags)
    assert got[(4, 12, "mocks")] == "a response needs exactly one of `return` or `throw`"
    assert '"one" is not an attempt number' in got[(5, 7, "mocks")]
    assert "ends before it starts" in got[(6, 7, "mocks")]
    assert "between 0 and 1" in got[(7, 26, "mocks")]
    assert 'no step "gne"' in got[(8, 3, "mocks")] and 'did you mean "gen"' in got[(8, 3, "mocks")]
    assert "pass step" in got[(10, 3, "mocks")]
    assert 'unknown key "duratoin_s"' in got[(13, 5, "mocks")]
    assert len(diags) == 7


@pytest.mark.parametrize("text, needle", [
    ("", "empty"),
    ("steps: [1, 2]", "steps must be a mapping"),
    ("stpes: {}", 'unknown key "stpes"'),
    ("steps:\n  gen:\n    responses:\n      '0-1': {return: 1}\n      '1': {return: 2}\n", "overlaps"),
    ("steps:\n  gen: {duration_s: [3, 1]}\n", "ends before it starts"),
    ("steps:\n  gen: {duration_s: fast}\n", "duration"),
    ("steps:\n  gen: {cost_usd: -1}\n", "at least 0"),
    ("steps:\n  gen_fallbak: {}\n", 'no step "gen_fallbak"'),
    ("steps: {gen: {responses: {'0': {throw: {error: e, reason: r}}}}}", 'unknown key "reason"'),
    ("steps:\n  gen: {\n", "expected"),
])
def test_mistakes(text: str, needle: str) -> None:
    mocks, diags = parse_mocks(text, "m.yaml", WF)
    assert mocks is None
    assert any(needle in d.message for d in diags), [d.message for d in diags]
    assert all(d.span.line >= 1 and d.span.column >= 1 for d in diags)


def test_unreadable_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    mocks, diags = load_mocks(tmp_path / "nope.yaml", WF)
    assert mocks is None and "cannot read" in diags[0].message
