"""`flowdsl trigger`: start, follow to the end, exit 0 completed / 1 failed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

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
    r = run("trigger", str(f), "-i", "prompt=3", "--wait", "--interval", "0.02", "--api-url", url)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["image"].endswith(".png")  # output_mapping resolved
    [ex] = emulator.store.snapshot()["executions"].values()
    assert ex["inputs"] == {"prompt": "3"}  # a string input stays text, as simulate reads it


def test_trigger_errors(emulator: Any, project: Path, run: Any) -> None:
    r = run("trigger", "no-such-workflow", "--api-url", emulator.base_url)
    assert r.exit_code == 1 and "404" in r.output
    f = write_flow(project / "flows", 2)
    r = run("trigger", str(f), "--api-url", emulator.base_url)
    assert r.exit_code == 1 and "not deployed" in r.output
    run("deploy", str(f), "--api-url", emulator.base_url)
    r = run("trigger", str(f), "--api-url", emulator.base_url)  # required input missing
    assert r.exit_code == 2 and "input 'prompt' is required" in r.output
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


TYPED_FLOW = {
    "name": "Typed flow",
    "description": "",
    "definition": {
        "version": "v1",
        "input_schema": {"type": "object", "required": ["script"], "properties": {
            "script": {"type": "string"}, "takes": {"type": "integer", "minimum": 1, "default": 1},
            "voice": {"type": "string", "enum": ["alloy", "echo"], "default": "alloy"}}},
        "steps": [{"step_id": "gen", "type": "model", "model": "flux-2-pro",
                   "params": {"prompt": "{{inputs.script}} {{inputs.voice}} x{{inputs.takes}}"}}],
    },
}


def _typed(project: Path, emulator: Any, run: Any) -> Path:
    f = project / "typed.json"
    f.write_text(json.dumps(TYPED_FLOW), encoding="utf-8")
    assert run("deploy", str(f), "--api-url", emulator.base_url).exit_code == 0
    return f


@pytest.mark.parametrize("by", ["file", "slug"])
def test_inputs_are_typed_by_the_flow_schema(emulator: Any, project: Path, run: Any, by: str) -> None:
    f = _typed(project, emulator, run)
    target = str(f) if by == "file" else "typed-flow"
    r = run("trigger", target, "-i", "script=2024", "-i", "takes=3", "--api-url", emulator.base_url)
    assert r.exit_code == 0, r.output
    [ex] = emulator.store.snapshot()["executions"].values()
    assert ex["inputs"] == {"script": "2024", "takes": 3}  # not the number 2024; defaults left to the API


@pytest.mark.parametrize("args,message", [
    (["-i", "takes=0"], "input 'script' is required"),
    (["-i", "script=x", "-i", "takes=many"], "input 'takes': 'many' is not an integer"),
    (["-i", "script=x", "-i", "voice=bass"], "input 'voice': 'bass' is not one of ['alloy', 'echo']"),
    (["-i", "script=x", "-i", "colour=red"], "input 'colour' is not declared by the flow"),
    (["-i", "scrpt=x"], "input 'scrpt' is not declared by the flow (did you mean \"script\"?)"),
    (["-i", "novalue"], "--input 'novalue': expected NAME=VALUE"),
])
def test_invalid_inputs_are_refused_before_sending(emulator: Any, project: Path, run: Any,
                                                   args: list[str], message: str) -> None:
    f = _typed(project, emulator, run)
    before = emulator.stats.requests
    r = run("trigger", str(f), *args, "--api-url", emulator.base_url)
    assert r.exit_code == 2, r.output
    [line] = r.stderr.strip().splitlines()
    assert message in line and line.startswith("flowdsl: error: ")
    # Only reads (finding the deployed workflow), never a trigger.
    assert not emulator.store.snapshot()["executions"]
    assert emulator.stats.requests - before <= 3


def test_bulk_inputs_file_is_sent_in_batches(emulator: Any, project: Path, run: Any) -> None:
    f = _typed(project, emulator, run)
    items = [{"script": f"take {n}"} for n in range(23)]
    (project / "many.yaml").write_text("\n".join(f"- script: take {n}" for n in range(23)) + "\n", encoding="utf-8")
    r = run("trigger", str(f), "--inputs-file", "many.yaml", "-i", "voice=echo", "--wait", "--interval", "0.02",
            "--api-url", emulator.base_url)
    assert r.exit_code == 0, r.output
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 23 and all(line.endswith("\tcompleted") for line in lines)
    assert "23 of 23 execution(s) completed" in r.stderr and "triggering" in r.stderr  # the progress bar
    executions = emulator.store.snapshot()["executions"].values()
    assert sorted(e["inputs"]["script"] for e in executions) == sorted(i["script"] for i in items)
    assert all(e["inputs"]["voice"] == "echo" for e in executions)
    assert len({e["bulk_id"] for e in executions}) == 3  # 10 + 10 + 3
    # In order: the n-th line is the n-th input's execution.
    by_id = {e["execution_id"]: e for e in executions}
    assert [by_id[line.split("\t")[0]]["inputs"]["script"] for line in lines] == [i["script"] for i in items]


def test_bulk_inputs_file_errors(emulator: Any, project: Path, run: Any) -> None:
    f = _typed(project, emulator, run)
    (project / "empty.json").write_text("[]", encoding="utf-8")
    (project / "bad.json").write_text(json.dumps([{"script": "a"}, {"script": 5}]), encoding="utf-8")
    (project / "scalar.json").write_text(json.dumps([{"script": "a"}, 3]), encoding="utf-8")
    for name, message in (("empty.json", "holds an empty list"),
                          ("bad.json", "input 'script': 5 is not of type 'string' (entry 2 of bad.json)"),
                          ("scalar.json", "scalar.json (entry 2) must be a mapping")):
        r = run("trigger", str(f), "--inputs-file", name, "--api-url", emulator.base_url)
        assert r.exit_code == 2, r.output
        assert message in r.stderr
    assert not emulator.store.snapshot()["executions"]


def test_bulk_json_output_and_v1_surface(emulator: Any, project: Path, run: Any) -> None:
    f = _typed(project, emulator, run)
    (project / "two.json").write_text(json.dumps([{"script": "a"}, {"script": "b"}]), encoding="utf-8")
    r = run("trigger", str(f), "--inputs-file", "two.json", "--json", "--api-url", emulator.base_url + "/v1")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert [e["status"] for e in doc] == ["queued", "queued"]
    assert {e["execution_id"] for e in doc} == set(emulator.store.snapshot()["executions"])


def test_simulate_reads_inputs_the_same_way(project: Path, run: Any) -> None:
    f = project / "typed.json"
    f.write_text(json.dumps(TYPED_FLOW), encoding="utf-8")
    r = run("simulate", str(f), "-i", "script=2024", "-i", "takes=2", "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["inputs"] == {"script": "2024", "takes": 2, "voice": "alloy"}
    r = run("simulate", str(f), "-i", "script=x", "-i", "takes=many")
    assert r.exit_code == 2 and "input 'takes': 'many' is not an integer" in r.stderr
    (project / "two.json").write_text(json.dumps([{"script": "a"}]), encoding="utf-8")
    r = run("simulate", str(f), "--inputs-file", "two.json")
    assert r.exit_code == 2 and "must be a mapping" in r.stderr


def test_lost_bulk_responses_start_each_input_once(make_emulator: Any, project: Path, run: Any) -> None:
    emu = make_emulator()
    f = _typed(project, emu, run)
    from flowdsl.emulator import FaultConfig
    from flowdsl.emulator.faults import FaultInjector
    # Half the requests lose their response, before or after being processed; a lost batch's
    # lookup must not take an earlier batch's executions (equal inputs) for its own.
    emu.faults = FaultInjector(FaultConfig(rate=0.5, seed=3, kinds=("drop_before", "drop_after")))
    (project / "same.json").write_text(json.dumps([{"script": "same"}] * 25), encoding="utf-8")
    r = run("trigger", str(f), "--inputs-file", "same.json", "--api-url", emu.base_url)
    assert r.exit_code == 0, r.output
    assert emu.faults.counts["drop_after"] > 0 and emu.faults.counts["drop_before"] > 0
    ids = [line.split("\t")[0] for line in r.stdout.strip().splitlines()]
    assert len(ids) == 25 and len(set(ids)) == 25
    assert len(emu.store.snapshot()["executions"]) == 25
