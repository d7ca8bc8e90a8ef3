"""`flowdsl rules [RULE]` (flowdsl/cli/rules_cmd.py) and the pre-commit hook definition."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from click.testing import CliRunner

from flowdsl.cli.rules_cmd import rules
from flowdsl.rules import REGISTRY

ROOT = Path(__file__).resolve().parents[2]


def test_lists_every_rule_with_its_summary() -> None:
    result = CliRunner().invoke(rules, [])
    assert result.exit_code == 0
    for rule in REGISTRY.values():
        assert any(line.startswith(rule.id + " ") and rule.summary in line
                   for line in result.output.splitlines()), rule.id


def test_shows_one_rule_documentation() -> None:
    result = CliRunner().invoke(rules, ["unknown-param"])
    assert result.exit_code == 0
    assert "default severity: error" in result.output
    assert "kling-2-1-image-to-video" in result.output  # the example


def test_unknown_rule_is_a_usage_error() -> None:
    result = CliRunner().invoke(rules, ["unknown-parm"])
    assert result.exit_code == 2 and 'did you mean "unknown-param"' in result.output


def test_every_rule_documents_an_example_and_has_fixtures() -> None:
    cases = Path(__file__).parent / "cases"
    # mocks findings are on mocks files; tests/simulate/test_mocks.py has their fixtures.
    # legacy-export findings are on console exports (.json); tests/legacy_import has them.
    parser_rules = {"yaml-syntax", "schema", "template-syntax", "condition-syntax", "mocks", "legacy-export"}
    for rule in REGISTRY.values():
        assert "\n    " in rule.doc, f"{rule.id}: no indented example in its docstring"
        if rule.id not in parser_rules:
            names = [p.name for p in (cases / rule.id).glob("*.flow.yaml")]
            assert any(n.startswith("fires") for n in names), rule.id
            assert any(n.startswith("clean") for n in names), rule.id


def test_pre_commit_hook() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    by_id = {h["id"]: h for h in hooks}
    assert list(by_id) == ["flowdsl-check", "flowdsl-fmt"]
    assert by_id["flowdsl-check"]["entry"] == "flowdsl check"
    assert by_id["flowdsl-fmt"]["entry"] == "flowdsl fmt"
    for hook in hooks:
        assert hook["language"] == "python"
        assert re.search(hook["files"], "flows/a.flow.yaml")
    assert not re.search(by_id["flowdsl-fmt"]["files"], "flows/a.flow.json")


def test_all_prints_every_documentation() -> None:
    result = CliRunner().invoke(rules, ["--all"])
    assert result.exit_code == 0
    for rule in REGISTRY.values():
        assert f"{rule.id} (default severity: {rule.severity.value})" in result.output
