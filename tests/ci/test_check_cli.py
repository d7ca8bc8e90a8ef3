"""The command-line consistency items of issue 15 that `check` and `schema` own."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from flowdsl.cli import check_cmd
from flowdsl.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
BAD = "steps:\n  - id: a\n    modle: flux-2-pro\n"
WARNS = ('{"steps": [{"id": "a", "type": "pass", "result": 1}], '
         '"input_schema": {"x": {"type": "string"}}}')


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def test_success_prints_one_summary_line() -> None:
    code, out, err = run("check", str(EXAMPLES))
    n = len(list(EXAMPLES.glob("*.flow.yaml")))
    assert code == 0 and out == f"checked {n} files: no problems\n" and err == ""
    code, out, _ = run("check", str(EXAMPLES / "ad-creative.flow.yaml"))
    assert out == "checked 1 file: no problems\n"


def test_no_summary_line_with_findings_or_machine_formats(tmp_path: Path) -> None:
    f = tmp_path / "sense.json"
    f.write_text(WARNS)
    code, out, _ = run("check", str(f))
    assert code == 0 and "no problems" not in out and "2 warnings in 1 file" in out
    for fmt in ("json", "sarif", "github"):
        code, out, _ = run("check", "--format", fmt, str(EXAMPLES))
        assert code == 0 and "no problems" not in out, fmt
    assert json.loads(run("check", "--format", "json", str(EXAMPLES))[1]) == []


def test_a_path_with_no_flow_file_is_reported(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("x")
    code, out, err = run("check", str(empty))
    assert code == 0  # unchanged: nothing to check is not an error
    assert f"{empty}: no flow files" in err and "checked 0 files" in out
    code, out, err = run("check", str(empty), str(EXAMPLES / "ad-creative.flow.yaml"))
    assert code == 0 and f"{empty}: no flow files" in err and "checked 1 file: no problems" in out


def test_json_is_an_alias_of_format_json(tmp_path: Path) -> None:
    bad = tmp_path / "bad.flow.yaml"
    bad.write_text(BAD)
    assert run("check", "--json", str(bad))[:2] == run("check", "--format", "json", str(bad))[:2]
    assert run("check", "--json", str(bad))[0] == 1
    code, _, err = run("check", "--json", "--format", "sarif", str(bad))
    assert code == 2 and "--json" in err


def test_color_flag_forces_colour_into_a_pipe(tmp_path: Path) -> None:
    bad = tmp_path / "bad.flow.yaml"
    bad.write_text(BAD)
    assert "\033[" in run("check", "--color", str(bad))[1]
    assert "\033[" in run("check", "--color", str(bad), env={"NO_COLOR": "1"})[1]
    assert "\033[" not in run("check", str(bad))[1]  # CliRunner's stdout is not a TTY


def test_no_color_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert check_cmd.use_color(None, {}) is True
    assert check_cmd.use_color(None, {"NO_COLOR": ""}) is True  # empty: no effect (no-color.org)
    assert check_cmd.use_color(None, {"NO_COLOR": "1"}) is False
    assert check_cmd.use_color(True, {"NO_COLOR": "1"}) is True
    assert check_cmd.use_color(False, {}) is False
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    assert check_cmd.use_color(None, {}) is False


@pytest.mark.parametrize("command", ["check", "lint", "schema"])
def test_exit_codes_in_help(command: str) -> None:
    code, out, _ = run(command, "--help")
    assert code == 0 and "Exit codes:" in out
    assert all(f"  {n}  " in out for n in "0123")


def test_github_format_appends_the_job_summary(tmp_path: Path) -> None:
    bad = tmp_path / "bad.flow.yaml"
    bad.write_text(BAD)
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    code, out, _ = run("check", "--format", "github", str(bad), env=env)
    assert code == 1 and out.startswith("::error file=")
    text = summary.read_text()
    assert text.startswith("### flowdsl check\n") and f"| `{bad}` | " in text and "`schema`" in text
    run("check", "--format", "github", str(EXAMPLES), env=env)
    assert summary.read_text().startswith(text)  # appended, not overwritten
    assert "no problems" in summary.read_text()[len(text):]


def test_summary_only_for_github_format_under_actions(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    run("check", "--format", "github", str(EXAMPLES),
        env={"GITHUB_ACTIONS": None, "GITHUB_STEP_SUMMARY": str(summary)})  # type: ignore[dict-item]
    run("check", str(EXAMPLES), env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
    assert not summary.exists()


def test_unwritable_summary_warns_but_keeps_the_outcome(tmp_path: Path) -> None:
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / "missing" / "s.md")}
    code, _, err = run("check", "--format", "github", str(EXAMPLES), env=env)
    assert code == 0 and "flowdsl: warning: cannot write the job summary" in err


def test_schema_path_points_at_the_installed_schema() -> None:
    code, out, _ = run("schema", "--path")
    path = Path(out.strip())
    assert code == 0 and path.is_absolute() and path.name == "flow.schema.json"
    assert json.loads(path.read_text()) == json.loads((ROOT / "schemas" / "flow.schema.json").read_text())
    code, out, _ = run("schema", "--modeline")
    assert out == f"# yaml-language-server: $schema={path}\n"
    code, out, _ = run("schema")
    assert json.loads(out) == json.loads(path.read_text())
    code, out, _ = run("schema", "--definition", "--path")
    assert Path(out.strip()).name == "definition.schema.json"


def test_fmt_pre_commit_hook_entry_runs(tmp_path: Path) -> None:
    import yaml
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    entry = hooks["flowdsl-fmt"]["entry"].split()
    assert entry[0] == "flowdsl"
    f = tmp_path / "a.flow.yaml"
    shutil.copy(EXAMPLES / "ad-creative.flow.yaml", f)
    code, _, err = run(*entry[1:], str(f))
    assert code == 0, err
