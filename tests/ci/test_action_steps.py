"""action.yml's shell steps, run in bash as the runner would run them, against this checkout.

Each step's ``env`` holds every ``${{ }}`` expression the step uses (the scripts have none, so
nothing is interpolated into shell code); the test resolves ``inputs.*`` and
``steps.*.outputs.*`` itself and gives the step the runner's files (GITHUB_OUTPUT,
GITHUB_STEP_SUMMARY, RUNNER_TEMP). ``flowdsl`` and ``python`` on PATH are this interpreter.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
STEPS = {s["name"]: s for s in ACTION["runs"]["steps"]}
EXPR = re.compile(r"^\$\{\{\s*(inputs\.[\w-]+|steps\.[\w-]+\.outputs\.[\w-]+)\s*\}\}$")

pytestmark = pytest.mark.skipif(shutil.which("bash") is None or os.name != "posix",
                                reason="needs bash on a POSIX system")


@dataclass
class Runner:
    root: Path
    inputs: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        bin_dir = self.root / "bin"
        bin_dir.mkdir()
        for name, cmd in (("flowdsl", f'"{sys.executable}" -m flowdsl'), ("python", f'"{sys.executable}"')):
            shim = bin_dir / name
            shim.write_text(f'#!/bin/sh\nexec {cmd} "$@"\n')
            shim.chmod(0o755)
        (self.root / "temp").mkdir()
        self.summary = self.root / "summary.md"
        self.summary.write_text("")

    def value(self, expr: str) -> str:
        m = EXPR.match(expr.strip())
        assert m, f"an env value the test cannot resolve: {expr}"
        parts = m.group(1).split(".")
        if parts[0] == "inputs":
            return self.inputs.get(parts[1], str(ACTION["inputs"][parts[1]].get("default", "")))
        return self.outputs.get(parts[1], {}).get(parts[3], "")

    def run(self, name: str) -> subprocess.CompletedProcess[str]:
        step = STEPS[name]
        out_file = self.root / f"output-{step.get('id', 'x')}"
        out_file.write_text("")
        env = {"PATH": f"{self.root / 'bin'}{os.pathsep}{os.environ['PATH']}",
               "HOME": os.environ.get("HOME", str(self.root)), "LC_ALL": "C.UTF-8",
               "GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(out_file),
               "GITHUB_STEP_SUMMARY": str(self.summary), "RUNNER_TEMP": str(self.root / "temp")}
        env.update({k: self.value(str(v)) for k, v in step.get("env", {}).items()})
        assert step["shell"] == "bash"
        # GitHub runs `shell: bash` as: bash --noprofile --norc -eo pipefail {0}
        script = self.root / "step.sh"
        script.write_text(step["run"])
        r = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        if "id" in step:
            self.outputs[step["id"]] = dict(
                line.split("=", 1) for line in out_file.read_text().splitlines() if "=" in line)
        return r


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    return Runner(tmp_path)


def bad_flows(tmp_path: Path) -> Path:
    d = tmp_path / "flows with space"
    d.mkdir()
    (d / "bad.flow.yaml").write_text("steps:\n  - id: a\n    modle: flux-2-pro\n")
    return d


def test_every_expression_is_in_env_not_in_scripts() -> None:
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["name"]


def test_check_clean_examples(runner: Runner) -> None:
    runner.inputs = {"paths": "examples/"}
    r = runner.run("flowdsl check")
    assert r.returncode == 0, r.stderr
    assert runner.outputs["check"]["exit-code"] == "0"
    assert "no problems" in runner.summary.read_text()
    assert runner.run("Result").returncode == 0


def test_paths_split_on_whitespace(runner: Runner, tmp_path: Path) -> None:
    # Documented: paths are separated by spaces or newlines, so a path cannot hold a space.
    bad = bad_flows(tmp_path)
    runner.inputs = {"paths": f"examples/ad-creative.flow.yaml\n{bad}"}
    r = runner.run("flowdsl check")
    assert r.returncode == 0
    assert runner.outputs["check"]["exit-code"] == "2" and "no such file" in r.stderr


def test_check_findings_annotate(runner: Runner, tmp_path: Path) -> None:
    d = tmp_path / "flows"
    d.mkdir()
    (d / "bad.flow.yaml").write_text("steps:\n  - id: a\n    modle: flux-2-pro\n")
    runner.inputs = {"paths": f"examples/ad-creative.flow.yaml  {d}", "strict": "true"}
    r = runner.run("flowdsl check")
    assert r.returncode == 0, r.stderr  # the outcome is decided by the last step
    assert runner.outputs["check"]["exit-code"] == "1"
    assert r.stdout.startswith("::error file=") and "bad.flow.yaml" in r.stdout
    assert "**1 error**" in runner.summary.read_text()
    result = runner.run("Result")
    assert result.returncode == 1 and "flowdsl check failed (exit code 1)" in result.stdout


def test_paths_are_not_globbed(runner: Runner) -> None:
    runner.inputs = {"paths": "examples/*.flow.yaml"}
    runner.run("flowdsl check")
    assert runner.outputs["check"]["exit-code"] == "2"


def test_sarif_mode_writes_sarif_and_summary_without_annotations(runner: Runner, tmp_path: Path) -> None:
    d = tmp_path / "flows"
    d.mkdir()
    (d / "bad.flow.yaml").write_text("steps:\n  - id: a\n    modle: flux-2-pro\n")
    runner.inputs = {"paths": str(d), "upload-sarif": "true"}
    r = runner.run("flowdsl check")
    assert r.returncode == 0 and "::error" not in r.stdout
    out = runner.outputs["check"]
    assert out["exit-code"] == "1"
    sarif = json.loads(Path(out["sarif-file"]).read_text())
    assert sarif["runs"][0]["results"]
    assert "**1 error**" in runner.summary.read_text()
    # The fallback when the upload fails: annotations, and no second summary.
    before = runner.summary.read_text()
    r = runner.run("Annotations (SARIF upload not possible)")
    assert r.returncode == 0 and "::warning title=flowdsl::SARIF upload failed" in r.stdout
    assert "::error file=" in r.stdout and runner.summary.read_text() == before


def test_fmt_check_annotates_files_to_reformat(runner: Runner, tmp_path: Path) -> None:
    d = tmp_path / "flows"
    d.mkdir()
    shutil.copy(ROOT / "examples" / "ad-creative.flow.yaml", d / "ok.flow.yaml")
    (d / "ugly.flow.yaml").write_text("steps: [{id: a, pass: 1}]\n")
    runner.inputs = {"paths": str(d)}
    r = runner.run("flowdsl fmt --check")
    assert r.returncode == 0, r.stderr
    assert runner.outputs["fmt"]["exit-code"] == "1"
    assert f"::error file={d / 'ugly.flow.yaml'},title=flowdsl fmt::" in r.stdout
    assert "ok.flow.yaml" not in r.stdout.replace(str(d / "ugly.flow.yaml"), "")
    assert "### flowdsl fmt" in runner.summary.read_text()
    runner.outputs["check"] = {"exit-code": "0"}
    assert runner.run("Result").returncode == 1


def test_fmt_check_on_examples_is_clean(runner: Runner) -> None:
    runner.inputs = {"paths": "examples/"}
    runner.run("flowdsl fmt --check")
    assert runner.outputs["fmt"]["exit-code"] == "0"


def test_simulate_lines_with_quoted_inputs(runner: Runner) -> None:
    runner.inputs = {"simulate": 'examples/ad-creative.flow.yaml --input product="running shoes"\n\n'
                                 "examples/python-postprocess.flow.yaml --input 'topic=a red fox'\n"}
    r = runner.run("flowdsl simulate")
    assert r.returncode == 0, r.stderr
    assert runner.outputs["simulate"]["exit-code"] == "0"
    assert r.stdout.count("::group::") == 2 and "critical path" in r.stdout


def test_simulate_failure_is_reported(runner: Runner) -> None:
    runner.inputs = {"simulate": "examples/ad-creative.flow.yaml"}  # a required input is missing
    r = runner.run("flowdsl simulate")
    assert runner.outputs["simulate"]["exit-code"] == "1"
    assert "::error title=flowdsl simulate::simulation failed" in r.stdout
    runner.outputs["check"] = {"exit-code": "0"}
    assert runner.run("Result").returncode == 1


def test_install_uses_the_action_path() -> None:
    step = STEPS["Install flowdsl (this action's ref)"]
    assert step["env"]["FLOWDSL_ACTION_PATH"] == "${{ github.action_path }}"
    assert 'pip install --quiet --disable-pip-version-check "$FLOWDSL_ACTION_PATH"' in step["run"]


def test_plan_only_with_an_api_key_and_sarif_upload_is_soft() -> None:
    assert STEPS["flowdsl plan"]["if"] == "inputs.api-key != ''"
    upload = STEPS["Upload SARIF to code scanning"]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["continue-on-error"] is True
    assert "steps.upload.outcome == 'failure'" in STEPS["Annotations (SARIF upload not possible)"]["if"]


@pytest.fixture
def emulator() -> Iterator[str]:
    """A local each::labs API (``flowdsl emulator``) on a free port; its base URL."""
    import socket
    import time
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tempfile.TemporaryFile(mode="w+")  # a file, not a pipe: a chatty log never blocks it
    proc = subprocess.Popen([sys.executable, "-m", "flowdsl", "emulator", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=log, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None:
                    # The emulator is a fixture here, not the subject: its own tests cover it.
                    log.seek(0)
                    err = log.read().strip()
                    pytest.skip(f"the emulator did not start: {err[-300:]}")
                if time.monotonic() > deadline:
                    pytest.fail("the emulator did not listen within 30 s")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def test_plan_against_the_emulator(runner: Runner, emulator: str) -> None:
    runner.inputs = {"paths": "examples/ad-creative.flow.yaml examples/podcast-tts.flow.yaml",
                     "api-key": "test-key", "api-url": emulator}
    r = runner.run("flowdsl plan")
    assert r.returncode == 0, r.stderr
    # Changes to deploy are news, not a failure.
    assert runner.outputs["plan"] == {"changes": "true", "exit-code": "0"}
    summary = runner.summary.read_text()
    assert summary.startswith("### flowdsl plan\n\n```\n") and "create workflow 'Ad creative'" in summary
    assert "test-key" not in r.stdout + summary


def test_plan_finds_the_flows_under_a_directory(runner: Runner, emulator: str, tmp_path: Path) -> None:
    d = tmp_path / "flows"
    (d / ".hidden").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "podcast-tts.flow.yaml", d / "a.flow.yaml")
    shutil.copy(ROOT / "examples" / "ad-creative.flow.yaml", d / ".hidden" / "b.flow.yaml")
    runner.inputs = {"paths": str(d), "api-key": "k", "api-url": emulator}
    r = runner.run("flowdsl plan")
    assert r.returncode == 0 and runner.outputs["plan"]["exit-code"] == "0", r.stderr
    assert "a.flow.yaml" in r.stdout and "b.flow.yaml" not in r.stdout
