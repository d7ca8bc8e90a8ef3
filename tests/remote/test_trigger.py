"""`flowdsl trigger`: start, follow to the end, exit 0 completed / 1 failed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from tests.remote.conftest import API_KEY, flow_doc, write_flow


def test_trigger_file_and_wait(emulator: Any, project: Path, run: Any) -> None:
    f = write_flow(project / "flows", 1)
    run("deploy", str(f), "--api-url", emulator.base_url)
    r = run("trigger", str(f), "--input", "prompt=a red fox", "--wait", "--interval", "0.02",
            "--api-url", emulator.base_url)
    assert r.exit_code == 0, r.output
    assert "step gen: completed" in r.stderr and "step keep: completed" in r.stderr
    # The flow's mapped outputs, not the last step's output (the engine surface has no
    # workflow_output: trigger resolves the mapping over step_outputs).
    [ex] = emulator.store.snapshot()["executions"].values()
    assert ex["inputs"] == {"prompt": "a red fox"}
    assert json.loads(r.stdout) == {"image": ex["steps"][0]["primary"]}
    assert json.loads(r.stdout)["image"].endswith(".png")


def test_trigger_without_wait_prints_the_id(emulator: Any, project: Path, run: Any) -> None:
    f = write_flow(project / "flows", 1)
    run("deploy", str(f), "--api-url", emulator.base_url)
    r = run("trigger", "test-flow-1", "-i", "prompt=x", "--api-url", emulator.base_url)
    assert r.exit_code == 0
    assert r.stdout.strip() in emulator.store.snapshot()["executions"]


def test_failed_execution_exits_1(emulator: Any, project: Path, run: Any) -> None:
    # Created straight through the API: a model the emulator's catalog does not have.
    with httpx.Client(base_url=emulator.base_url, headers={"X-API-Key": API_KEY}) as c:
        wid = c.post("/api/v1/workflows", json=flow_doc(3, model="no-such-model")).json()["workflow_id"]
    r = run("trigger", wid, "-i", "prompt=x", "--wait", "--interval", "0.02", "--json",
            "--api-url", emulator.base_url)
    assert r.exit_code == 1
    assert json.loads(r.stdout)["status"] == "failed"
    assert "Step 'gen' failed: model not found: no-such-model" in r.stderr


def test_v1_surface_and_json_inputs(emulator: Any, project: Path, run: Any) -> None:
    f = write_flow(project / "flows", 1)
    url = emulator.base_url + "/v1"
    run("deploy", str(f), "--api-url", url)
    r = run("trigger", str(f), "-i", "prompt=hi", "-i", "n=3", "-i", 'tags=["a"]', "--wait",
            "--interval", "0.02", "--api-url", url)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["image"].endswith(".png")  # output_mapping resolved
    [ex] = emulator.store.snapshot()["executions"].values()
    assert ex["inputs"] == {"prompt": "hi", "n": 3, "tags": ["a"]}


def test_trigger_errors(emulator: Any, project: Path, run: Any) -> None:
    r = run("trigger", "no-such-workflow", "--api-url", emulator.base_url)
    assert r.exit_code == 1 and "404" in r.output
    f = write_flow(project / "flows", 2)
    r = run("trigger", str(f), "--api-url", emulator.base_url)
    assert r.exit_code == 1 and "not deployed" in r.output
    run("deploy", str(f), "--api-url", emulator.base_url)
    r = run("trigger", str(f), "--api-url", emulator.base_url)  # required input missing
    assert r.exit_code == 1 and "prompt" in r.output
    assert run("trigger", str(f), "-i", "novalue", "--api-url", emulator.base_url).exit_code == 2


def test_dropped_trigger_response_starts_one_execution(make_emulator: Any, project: Path, run: Any) -> None:
    emu = make_emulator()
    f = write_flow(project / "flows", 1)
    run("deploy", str(f), "--api-url", emu.base_url)
    # From now on half the requests are processed and then lose their response.
    from flowdsl.emulator import FaultConfig
    from flowdsl.emulator.faults import FaultInjector
    emu.faults = FaultInjector(FaultConfig(rate=0.5, seed=1, kinds=("drop_after",)))
    for i in range(4):
        r = run("trigger", str(f), "-i", f"prompt=run {i}", "--api-url", emu.base_url)
        assert r.exit_code == 0, r.output
    assert emu.faults.counts["drop_after"] > 0
    runs = sorted(e["inputs"]["prompt"] for e in emu.store.snapshot()["executions"].values())
    assert runs == ["run 0", "run 1", "run 2", "run 3"]
