"""The core commands through click: check, compile, import, fmt, graph; formats and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from flowdsl.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DOCS = ROOT / "tests" / "data" / "docs-examples"
LEGACY = ROOT / "tests" / "data" / "legacy-console"


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def test_check_examples_is_clean() -> None:
    code, out, _ = run("check", str(EXAMPLES))
    assert code == 0, out


def test_check_json_format_shape(tmp_path: Path) -> None:
    bad = tmp_path / "bad.flow.yaml"
    bad.write_text("steps:\n  - id: a\n    modle: flux-2-pro\n")
    code, out, _ = run("check", "--format", "json", str(bad))
    assert code == 1
    findings = json.loads(out)
    assert findings and set(findings[0]) == {"file", "line", "column", "end_line", "end_column",
                                             "severity", "rule", "message", "step", "hint"}
    f = next(f for f in findings if f["rule"] == "schema")
    assert (f["line"], f["column"]) == (3, 5) and "did you mean \"model\"" in f["message"]


def test_check_text_shows_code_frame(tmp_path: Path) -> None:
    bad = tmp_path / "bad.flow.yaml"
    bad.write_text("steps:\n  - id: c\n    if: $.inputs.n = 3\n    then: [{id: a, pass: 1}]\n")
    code, out, _ = run("check", "--no-color", str(bad))
    assert code == 1
    assert f"{bad}:3:20: error:" in out and "[condition-syntax]" in out
    assert "^" in out and "$.inputs.n = 3" in out


def test_check_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("check", str(tmp_path / "nope.flow.yaml"))
    assert code == 2 and "no such file" in err


def test_check_bad_flag_is_a_usage_error() -> None:
    code, _, _ = run("check", "--format", "xml", str(EXAMPLES))
    assert code == 2


def test_check_strict_fails_on_warnings(tmp_path: Path) -> None:
    f = tmp_path / "sense.json"
    f.write_text('{"steps": [{"id": "a", "type": "pass", "result": 1}], '
                 '"input_schema": {"x": {"type": "string"}}}')
    assert run("check", str(f))[0] == 0
    assert run("check", "--strict", str(f))[0] == 1


def test_compile_golden_and_request_bodies(tmp_path: Path) -> None:
    src = EXAMPLES / "ad-creative.flow.yaml"
    out = tmp_path / "out.json"
    assert run("compile", str(src), "-o", str(out))[0] == 0
    assert out.read_text() == (ROOT / "tests/golden/ad-creative.json").read_text()
    code, text, _ = run("compile", str(src), "--request", "create")
    body = json.loads(text)
    assert code == 0 and body["name"] == "Ad creative" and body["definition"]["steps"]
    code, text, _ = run("compile", str(src), "--request", "version", "--version-id", "v3", "--step-key", "id")
    body = json.loads(text)
    assert body["version_id"] == "v3" and body["definition"]["version"] == "v3"
    assert "id" in body["definition"]["steps"][0] and "step_id" not in body["definition"]["steps"][0]


def test_compile_refuses_errors_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.flow.yaml"
    bad.write_text("steps:\n  - id: a\n    model: flux-2-pro\n    with: {prompt: '{{inputs.x'}\n")
    out = tmp_path / "out.json"
    code, _, err = run("compile", str(bad), "-o", str(out))
    assert code == 1 and "not compiled" in err and not out.exists()


def test_import_then_compile_is_identity(tmp_path: Path) -> None:
    # The docs example names its default branch and the step inside it both "step2_default"
    # (a duplicate-id finding, which compile refuses); renaming the step keeps the rest.
    text = (DOCS / "workflows__examples__02.json").read_text()
    assert text.count('"id": "step2_default"') == 1
    src = tmp_path / "example.json"
    src.write_text(text.replace('"id": "step2_default"', '"id": "step2_upscale_image"'))
    flow = tmp_path / "x.flow.yaml"
    assert run("import", str(src), "-o", str(flow))[0] == 0
    code, text, _ = run("compile", str(flow), "--step-key", "id")
    assert code == 0
    assert json.loads(text) == json.loads(src.read_text())["definition"]


def test_import_legacy_export() -> None:
    code, text, _ = run("import", str(LEGACY / "ai-dubbing-with-lip-sync.json"))
    assert code == 0 and "{{inputs.video}}" in text and "workflow.parameters" not in text


def test_fmt_check_and_rewrite(tmp_path: Path) -> None:
    f = tmp_path / "a.flow.yaml"
    f.write_text("steps: [{id: a, pass: {x: 1}}]\n")
    assert run("fmt", "--check", str(f))[0] == 1
    assert run("fmt", str(f))[0] == 0
    assert f.read_text() == "steps:\n  - id: a\n    pass: {x: 1}\n"
    assert run("fmt", "--check", str(f))[0] == 0
    assert run("fmt", "--check", str(EXAMPLES))[0] == 0


def test_fmt_keeps_comments(tmp_path: Path) -> None:
    f = tmp_path / "a.flow.yaml"
    f.write_text("steps: [{id: a, pass: 1}]  # keep me\n")
    code, _, err = run("fmt", str(f))
    assert code == 0 and f.read_text() == "steps:  # keep me\n  - id: a\n    pass: 1\n"
    assert run("fmt", "--check", str(f))[0] == 0


def test_graph_formats() -> None:
    code, text, _ = run("graph", str(EXAMPLES / "nested-branches.flow.yaml"))
    assert code == 0 and text.startswith("flowchart TD") and "-->|yes|" in text
    code, text, _ = run("graph", "--format", "dot", str(EXAMPLES / "nested-branches.flow.yaml"))
    assert code == 0 and text.startswith("digraph") and "diamond" in text


def test_python_m_and_version() -> None:
    r = subprocess.run([sys.executable, "-m", "flowdsl", "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and "flowdsl" in r.stdout


def test_graph_of_a_file_that_is_not_a_flow_fails(tmp_path: Path) -> None:
    other = tmp_path / "package.json"
    other.write_text('{"name": "x", "version": "1.0.0"}')
    code, text, err = run("graph", str(other))
    assert code == 1 and text == "" and "no steps to draw" in err and "[schema]" in err
