"""[tool.flowdsl] configuration (flowdsl/config.py) and how the checker applies it."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowdsl.check.config import Config, ConfigError, find_config, load_config, parse_config
from flowdsl.diagnostics import Severity
from tests.rules.harness import check_text

FLOW = """\
name: config
inputs:
  unused: {type: string}
steps:
  - id: gen
    model: flux-2-pro
    with: {prompt: a cat, aspec_ratio: "1:1"}
"""


def test_pyproject_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.flowdsl]\ndisable = ["unused-input"]\n'
        'catalog = "models"\n[tool.flowdsl.rules]\nunknown-param = "warning"\n')
    sub = tmp_path / "flows"
    sub.mkdir()
    cfg = load_config(None, sub)
    assert cfg.disabled == {"unused-input"}
    assert cfg.severity_for("unknown-param") is Severity.WARNING
    assert cfg.catalog == tmp_path / "models"
    found = check_text(FLOW, config=cfg)
    assert [(d.rule, d.severity) for d in found] == [("unknown-param", Severity.WARNING)]


def test_flowdsl_toml_top_level_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.flowdsl]\ndisable = ["limit"]\n')
    (tmp_path / "flowdsl.toml").write_text('[rules]\nunknown-param = "off"\n')
    assert find_config(tmp_path) == tmp_path / "flowdsl.toml"
    cfg = load_config(start=tmp_path)
    assert not cfg.enabled("unknown-param") and cfg.enabled("limit")


def test_no_config_means_defaults(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert load_config(None, tmp_path) == Config()


@pytest.mark.parametrize("table, message", [
    ({"disable": ["unknown-parm"]}, 'did you mean "unknown-param"'),
    ({"rules": {"limit": "fatal"}}, "severity must be"),
    ({"disabel": []}, 'did you mean "disable"'),
    ({"disable": "limit"}, "must be a list"),
])
def test_bad_config_is_one_line_error(table: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(table)


def test_invalid_toml(tmp_path: Path) -> None:
    bad = tmp_path / "flowdsl.toml"
    bad.write_text("rules = [\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "missing.toml")
