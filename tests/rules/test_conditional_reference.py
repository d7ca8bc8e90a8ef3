"""Tests for flowdsl/rules/conditional_reference.py: fixture cases in cases/conditional-reference/.

A reference to a step that may not have run fails the execution when the other branch ran,
so it is an error by default; the opt-outs are an inline ignore or a project severity."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from flowdsl.check.config import parse_config
from flowdsl.cli.main import cli
from flowdsl.diagnostics import Severity
from tests.rules.harness import CASES, check_text, run_case

RULE = "conditional-reference"
AFTER_CHOICE = ("name: c\ninputs:\n  up: {type: boolean, default: true}\nsteps:\n  - id: c\n"
                "    if: $.inputs.up == true\n    then: [{id: a, pass: 1}]\n"
                "outputs:\n  o: \"{{a.output}}\"IGNORE\n")


def test_maybe_and_exclusive_are_both_errors() -> None:
    diags = [d for d in run_case(CASES / RULE / "fires.flow.yaml")[2] if d.rule == RULE]
    assert [(d.span.line, d.severity) for d in diags] == [(11, Severity.ERROR), (13, Severity.ERROR)]
    maybe = next(d for d in diags if d.step is None)
    assert "the engine fails the execution" in maybe.message
    assert maybe.hint is not None and "# flowdsl: ignore[conditional-reference]" in maybe.hint
    assert 'conditional-reference = "warning"' in maybe.hint


def test_opt_out_inline() -> None:
    assert [d.rule for d in check_text(AFTER_CHOICE.replace("IGNORE", ""))] == [RULE]
    assert check_text(AFTER_CHOICE.replace("IGNORE", "  # flowdsl: ignore[conditional-reference]")) == []


def test_opt_out_by_configuration() -> None:
    config = parse_config({"rules": {RULE: "warning"}})
    found = check_text(AFTER_CHOICE.replace("IGNORE", ""), config=config)
    assert [(d.rule, d.severity) for d in found] == [(RULE, Severity.WARNING)]


def test_check_fails_then_passes_with_the_documented_opt_out(tmp_path: Path) -> None:
    flow = tmp_path / "c.flow.yaml"
    flow.write_text(AFTER_CHOICE.replace("IGNORE", ""))
    r = CliRunner().invoke(cli, ["check", str(flow)])
    assert r.exit_code == 1 and f"{flow}:9:7: error:" in r.stdout
    (tmp_path / "flowdsl.toml").write_text(f'[rules]\n{RULE} = "warning"\n')
    r = CliRunner().invoke(cli, ["check", str(flow)])
    assert r.exit_code == 0 and f"{flow}:9:7: warning:" in r.stdout
