"""``flowdsl simulate`` end to end: exit codes, formats, --step, --runs, inputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from flowdsl.cli.main import cli

from tests.simulate.helpers import CASES

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, ["simulate", *args])
    return r.exit_code, r.stdout, r.stderr


def test_text_timeline() -> None:
    code, out, _ = run(str(EXAMPLES / "upscale-routing.flow.yaml"), "--input", "source_url=https://x/a.mp4",
                       "--input", "scale=4", "--params")
    assert code == 0
    assert "status completed" in out and "* critical path: route → upscale_video → report" in out
    assert "(skipped)" in out and 'params: {"video": "https://x/a.mp4", "scale": 4}' in out


def test_json_trace_and_input_coercion() -> None:
    code, out, _ = run(str(EXAMPLES / "upscale-routing.flow.yaml"), "--input", "source_url=https://x/a.png",
                       "--input", "scale=4", "--format", "json")
    t = json.loads(out)
    assert code == 0 and t["status"] == "completed"
    assert t["steps"]["upscale_image"]["params"] == {"image_url": "https://x/a.png", "scale": 4}
    assert set(t["steps"]["route"]) >= {"status", "attempts", "params", "output", "primary", "started_s",
                                        "ended_s", "fallback_used", "selected", "error"}


def test_one_step_in_full() -> None:
    code, out, _ = run(str(CASES / "pipeline.flow.yaml"), "--mocks", str(CASES / "retry.mocks.yaml"),
                       "--step", "gen")
    assert code == 0
    assert "attempt 1 after a 1s backoff: 11s → 21s failed (mock): server_error: GPU out of memory" in out
    assert '"prompt": "a red kite"' in out
    code, out, _ = run(str(CASES / "pipeline.flow.yaml"), "--step", "gen", "--format", "json")
    assert json.loads(out)["id"] == "gen"


def test_failed_run_exits_1() -> None:
    code, out, _ = run(str(CASES / "limit.flow.yaml"), "--mocks", str(CASES / "limit.mocks.yaml"))
    assert code == 1 and "status failed" in out and "time limit" in out
    assert "CANCELLED" in out and "(not run)" in out


def test_monte_carlo() -> None:
    code, out, _ = run(str(CASES / "pipeline.flow.yaml"), "--mocks", str(CASES / "flaky.mocks.yaml"),
                       "--runs", "200", "--seed", "3", "--format", "json")
    s = json.loads(out)
    assert code == 0 and s["runs"] == 200 and 0 < s["fallbacks"]["gen"]["count"] < 200
    code, out, _ = run(str(CASES / "pipeline.flow.yaml"), "--runs", "10")
    assert code == 0 and "success rate      100.0% (10 of 10)" in out


@pytest.mark.parametrize("args, message", [
    (["--input", "n=abc"], "input 'n': 'abc' is not an integer"),
    (["--input", "m=1"], "input 'm' is not declared"),
    (["--input", "novalue"], "expected NAME=VALUE"),
    (["--step", "sqare"], 'no step "sqare"'),
    (["--step", "square", "--runs", "2"], "cannot be combined with --runs"),
    (["--runs", "0"], "0 is not in the range"),
])
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    code, _, err = run(str(CASES / "python.flow.yaml"), *args)
    assert code == 2 and message in err
    assert "Traceback" not in err


def test_required_input_and_schema_violation(tmp_path: Path) -> None:
    code, _, err = run(str(EXAMPLES / "production-fallbacks.flow.yaml"))
    assert code == 2 and "input 'description' is required" in err
    f = tmp_path / "in.json"
    f.write_text('{"description": "x", "duration": 30}')
    code, _, err = run(str(EXAMPLES / "production-fallbacks.flow.yaml"), "--inputs-file", str(f))
    assert code == 2 and "input 'duration': 30 is greater than the maximum of 10" in err


def test_bad_mocks_exit_2_with_positions() -> None:
    code, _, err = run(str(CASES / "pipeline.flow.yaml"), "--mocks", str(CASES / "bad.mocks.yaml"))
    assert code == 2 and "bad.mocks.yaml:8:3" in err and "Traceback" not in err


def test_flow_with_errors_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "broken.flow.yaml"
    f.write_text("steps:\n  - {id: a, pass: '{{nope.output}}'}\n")
    code, out, err = run(str(f))
    assert code == 1 and out == "" and "fix them before simulating" in err


def test_json_definition_file(tmp_path: Path) -> None:
    f = tmp_path / "def.json"
    f.write_text(json.dumps({"version": "v1", "steps": [
        {"step_id": "a", "type": "pass", "result": {"k": 1}},
        {"step_id": "b", "type": "python", "code": "result = inputs['v']['k'] + 1", "inputs": {"v": "{{a.output}}"}}]}))
    code, out, _ = run(str(f), "--format", "json")
    assert code == 0 and json.loads(out)["output"] == 2


def test_simulate_definition_for_other_tools() -> None:
    from flowdsl.simulate import simulate_definition
    d = {"version": "v1", "input_schema": {"type": "object", "properties": {"p": {"type": "string", "default": "z"}}},
         "steps": [{"step_id": "g", "type": "model", "model": "flux-2-pro", "params": {"prompt": "{{inputs.p}}"}}],
         "output_mapping": {"img": "$.g.primary"}}
    t = simulate_definition(d, {}, seed=4)
    assert t == simulate_definition(d, {}, seed=4)
    assert t["status"] == "completed" and t["steps"]["g"]["params"] == {"prompt": "z"}
    assert t["output"]["img"].endswith(".png")
    bad = simulate_definition({"steps": "nope"}, {}, seed=1)
    assert bad["status"] == "failed" and bad["error"]["error"] == "invalid_definition"


def test_special_files_as_mocks_or_inputs_are_refused_at_once() -> None:
    # /dev/zero never ends: reading it whole would hang; it is refused by its type.
    flow = str(Path(__file__).resolve().parents[2] / "examples" / "ad-creative.flow.yaml")
    for flag in ("--mocks", "--inputs-file"):
        r = subprocess.run([sys.executable, "-m", "flowdsl", "simulate", flow, flag, "/dev/zero"],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 2 and "not a regular file" in r.stderr, (flag, r.stderr)
