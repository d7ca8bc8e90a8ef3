"""`flowdsl check FILE` answered without click (cli/quick.py) ends exactly as the click
command does: same stdout, stderr and exit code, for clean files, findings, errors of the
command line and of the run; only a clean run of plain file names skips click."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# mode "main": the entry point (quick path first); "click": the click group directly.
# patch: "" | "boom" (check_files raises) | "interrupt" (Ctrl-C in check_files) | "epipe"
RUNNER = """
import atexit, errno, json, sys
mode, patch, args = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
atexit.register(lambda: sys.__stderr__.write("\\nCLICK:" + str("click" in sys.modules)))
if patch in ("boom", "interrupt"):
    import flowdsl.check.run as run
    def broken(*a, **k):
        raise RuntimeError("boom") if patch == "boom" else KeyboardInterrupt()
    run.check_files = broken
if patch == "epipe":
    class Closed:
        def write(self, text):
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")
        def flush(self):
            pass
        def isatty(self):
            return False
    sys.stdout = Closed()
if mode == "main":
    from flowdsl.cli.main import main
    main(args)
else:
    from flowdsl.cli.group import cli
    cli.main(args=args, prog_name="flowdsl", standalone_mode=True)
"""


def _run(mode: str, args: list[str], cwd: Path, patch: str = "") -> tuple[int, str, str, bool]:
    r = subprocess.run([sys.executable, "-c", RUNNER, mode, patch, json.dumps(args)], check=False, cwd=cwd,
                       capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1",
                                                            "PYTHONPATH": str(EXAMPLES.parent)})
    err, _, flag = r.stderr.rpartition("\nCLICK:")
    return r.returncode, r.stdout, err, flag.strip() == "True"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    shutil.copy(EXAMPLES / "upscale-routing.flow.yaml", tmp_path / "clean.flow.yaml")
    shutil.copy(EXAMPLES / "ad-creative.flow.yaml", tmp_path / "other.flow.yaml")
    (tmp_path / "bad.flow.yaml").write_text(
        "name: bad\nsteps:\n  - id: a\n    model: no-such-model\n    with: {prompt: hi}\n", encoding="utf-8")
    (tmp_path / "warn.flow.yaml").write_text(
        "name: warn\ninputs:\n  unused: {type: string}\nsteps:\n  - id: a\n    pass: {x: 1}\n",
        encoding="utf-8")
    (tmp_path / "broken.flow.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    (tmp_path / "cond.flow.yaml").write_text(
        "name: c\nsteps:\n  - id: r\n    if: $.inputs.x = 1\n    then:\n      - id: a\n        pass: {x: 1}\n",
        encoding="utf-8")
    (tmp_path / "empty.flow.yaml").write_text("", encoding="utf-8")
    (tmp_path / "-dash.flow.yaml").write_text("name: d\nsteps:\n  - id: a\n    pass: {x: 1}\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    shutil.copy(EXAMPLES / "upscale-routing.flow.yaml", tmp_path / "sub" / "in.flow.yaml")
    return tmp_path


CASES = [
    (["check", "clean.flow.yaml"], "", True),
    (["lint", "clean.flow.yaml"], "", True),
    (["check", "clean.flow.yaml", "other.flow.yaml", "./clean.flow.yaml"], "", True),
    (["check", "bad.flow.yaml"], "", False),
    (["check", "warn.flow.yaml"], "", False),
    (["check", "clean.flow.yaml", "broken.flow.yaml"], "", False),
    (["check", "cond.flow.yaml"], "", False),
    (["check", "empty.flow.yaml"], "", False),
    (["check", "missing.flow.yaml"], "", False),
    (["check", "sub"], "", False),
    (["check", "--", "-dash.flow.yaml"], "", False),
    (["check", "clean.flow.yaml", "--format", "json"], "", False),
    (["check", "clean.flow.yaml", "--strict"], "", False),
    (["check"], "", False),
    (["check", "clean.flow.yaml"], "boom", False),
    (["check", "clean.flow.yaml"], "interrupt", False),
    (["check", "clean.flow.yaml"], "epipe", False),
    (["check", "bad.flow.yaml"], "epipe", False),
]


@pytest.mark.parametrize(("args", "patch", "quick"), CASES)
def test_quick_path_ends_as_the_click_command(project: Path, args: list[str], patch: str, quick: bool) -> None:
    code, out, err, click_used = _run("main", args, project, patch)
    assert (code, out, err) == _run("click", args, project, patch)[:3]
    assert click_used is not quick  # clean runs of plain names skip click; the rest use it


def test_a_bad_configuration_is_the_commands_usage_error(project: Path) -> None:
    (project / "flowdsl.toml").write_text("disable = [\"no-such-rule\"]\n", encoding="utf-8")
    code, out, err, _ = _run("main", ["check", "clean.flow.yaml"], project)
    assert (code, out, err) == _run("click", ["check", "clean.flow.yaml"], project)[:3]
    assert code == 2 and err.startswith("flowdsl: error: bad configuration")
