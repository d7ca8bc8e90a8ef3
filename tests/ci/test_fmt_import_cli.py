"""`fmt` and `import` speak like the other commands: `--format json` (and `--json`), and fmt
edits a file where it lives: through a symlink, keeping the file's mode."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from click.testing import CliRunner

from flowdsl.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
UNTIDY = "name: t\nsteps:\n  - {model: flux-2-pro, id: a, with: {prompt: hi}}\n"
TIDY_OK = (ROOT / "examples" / "ad-creative.flow.yaml").read_text()
LEGACY = ROOT / "tests" / "data" / "legacy-console" / "1960s-ai-image-generation-workflow.json"


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def test_fmt_check_json_lists_every_file(tmp_path: Path) -> None:
    (tmp_path / "a.flow.yaml").write_text(UNTIDY)
    (tmp_path / "b.flow.yaml").write_text(TIDY_OK)
    (tmp_path / "c.flow.yaml").write_text("name: t\nsteps: [\n")
    code, out, err = run("fmt", "--check", "--diff", "--format", "json", str(tmp_path))
    assert code == 1 and err == ""
    doc = json.loads(out)
    status = {Path(f["file"]).name: f["status"] for f in doc["files"]}
    assert status == {"a.flow.yaml": "would-reformat", "b.flow.yaml": "unchanged",
                      "c.flow.yaml": "refused"}
    [a] = [f for f in doc["files"] if f["file"].endswith("a.flow.yaml")]
    assert a["diff"].startswith("---") and "+  - id: a" in a["diff"]
    assert (doc["changed"], doc["refused"], doc["check"]) == (1, 1, True)
    assert (tmp_path / "a.flow.yaml").read_text() == UNTIDY  # --check changes nothing
    # --json is the same as --format json
    assert json.loads(run("fmt", "--check", "--json", str(tmp_path / "b.flow.yaml"))[1])["changed"] == 0


def test_fmt_writes_through_a_symlink_and_keeps_the_mode(tmp_path: Path) -> None:
    real = tmp_path / "real.flow.yaml"
    real.write_text(UNTIDY)
    os.chmod(real, 0o644)
    link = tmp_path / "link.flow.yaml"
    link.symlink_to(real)
    code, out, _ = run("fmt", str(link))
    assert code == 0 and "reformatted" in out
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() != UNTIDY and "id: a" in real.read_text()
    assert stat.S_IMODE(real.stat().st_mode) == 0o644


def test_import_json_findings_on_stderr_flow_on_stdout(tmp_path: Path) -> None:
    code, out, err = run("import", "--format", "json", str(LEGACY))
    assert code == 0 and out.startswith("# flowdsl import")
    assert json.loads(err) == []
    broken = tmp_path / "broken.json"
    broken.write_text('{"steps": [{"id": "a", "type": "bogus"}]}')
    code, out, err = run("import", "--json", str(broken))
    findings = json.loads(err)
    assert code == 1 and [(f["rule"], f["line"], f["column"]) for f in findings] == [("schema", 1, 32)]
    assert all({"file", "line", "column", "rule", "message"} <= set(f) for f in findings)
