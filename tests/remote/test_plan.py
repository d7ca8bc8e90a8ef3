"""`flowdsl plan`: the diff, exit codes, --json, saved plans bound to the remote state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.remote.conftest import write_flow


def test_exit_codes_and_text(emulator: Any, project: Path, run: Any) -> None:
    f = write_flow(project / "flows", 1)
    r = run("plan", str(f), "--api-url", emulator.base_url)
    assert r.exit_code == 2
    assert "+ create workflow 'Test flow 1' as v1" in r.output and "steps: gen, keep" in r.output
    assert emulator.store.snapshot()["workflows"] == {}  # plan never writes
    run("deploy", str(f), "--api-url", emulator.base_url)
    r = run("plan", str(f), "--api-url", emulator.base_url)
    assert r.exit_code == 0 and "no changes, v1 is up to date" in r.output
    write_flow(project / "flows", 1, seed=7)
    r = run("plan", str(f), "--api-url", emulator.base_url)
    assert r.exit_code == 2
    lines = r.output.splitlines()
    assert "~ update workflow 'Test flow 1' (test-flow-1): v1 -> v2" in lines[0]
    # the change is shown under its parent path, the step named by its id
    assert lines[1].strip() == "steps[gen].params:"
    assert lines[2].startswith("~") and "seed: 0 -> 7" in lines[2]


def test_added_and_removed_steps(emulator: Any, project: Path, run: Any) -> None:
    f = write_flow(project / "flows", 1)
    run("deploy", str(f), "--api-url", emulator.base_url)
    doc = json.loads(f.read_text())
    doc["definition"]["steps"][1] = {"step_id": "extra", "type": "pass", "result": 1}
    f.write_text(json.dumps(doc))
    r = run("plan", str(f), "--api-url", emulator.base_url)
    assert r.exit_code == 2
    assert any(line.startswith("-") and "[keep]" in line for line in r.output.splitlines())
    assert any(line.startswith("+") and "[extra]" in line for line in r.output.splitlines())


def test_json_output(emulator: Any, project: Path, run: Any) -> None:
    f = write_flow(project / "flows", 1)
    g = write_flow(project / "flows", 2)
    run("deploy", str(f), "--api-url", emulator.base_url)
    write_flow(project / "flows", 1, seed=3)
    r = run("plan", str(f), str(g), "--json", "--api-url", emulator.base_url)
    assert r.exit_code == 2
    doc = json.loads(r.stdout)
    assert doc["summary"] == {"create": 1, "update": 1, "noop": 0, "error": 0}
    upd = doc["flows"][0]
    assert (upd["action"], upd["base_version"], upd["next_version"]) == ("update", "v1", "v2")
    assert upd["changes"] == [{"op": "~", "path": "steps[gen].params.seed", "old": 0, "new": 3}]
    assert len(upd["base_hash"]) == 64


def test_plan_error_exit_1(emulator: Any, project: Path, run: Any) -> None:
    f = write_flow(project / "flows", 1)
    r = run("plan", str(f), "nope.json", "--api-url", emulator.base_url)
    assert r.exit_code == 1 and "nope.json" in r.output


def test_saved_plan_applies_once(emulator: Any, project: Path, run: Any) -> None:
    f = write_flow(project / "flows", 1)
    plan = project / "p.json"
    assert run("plan", str(f), "--out", str(plan), "--api-url", emulator.base_url).exit_code == 2
    r = run("deploy", "--plan", str(plan), "--api-url", emulator.base_url)
    assert r.exit_code == 0 and "created" in r.output
    # The same create-plan again: the workflow exists now -> stale, nothing written.
    r = run("deploy", "--plan", str(plan), "--api-url", emulator.base_url)
    assert r.exit_code == 1 and "stale plan" in r.output and "already applied" in r.output
    assert len(emulator.store.snapshot()["workflows"]) == 1


def test_stale_update_plan_is_refused(emulator: Any, project: Path, run: Any, tmp_path: Path) -> None:
    f = write_flow(project / "flows", 1)
    run("deploy", str(f), "--api-url", emulator.base_url)
    write_flow(project / "flows", 1, seed=5)
    plan = project / "p.json"
    assert run("plan", str(f), "--out", str(plan), "--api-url", emulator.base_url).exit_code == 2
    # Someone else deploys in between (v2 with another definition).
    write_flow(project / "flows", 1, seed=6)
    assert run("deploy", str(f), "--api-url", emulator.base_url).exit_code == 0
    r = run("deploy", "--plan", str(plan), "--api-url", emulator.base_url)
    assert r.exit_code == 1
    assert "stale plan" in r.output and "now v2 (planned against v1)" in r.output
    [wf] = emulator.store.snapshot()["workflows"].values()
    assert list(wf["versions"]) == ["v1", "v2"]
    assert wf["versions"]["v2"]["definition"]["steps"][0]["params"]["seed"] == 6


def test_fresh_plan_applies_saved_definition(emulator: Any, project: Path, run: Any) -> None:
    f = write_flow(project / "flows", 1)
    run("deploy", str(f), "--api-url", emulator.base_url)
    write_flow(project / "flows", 1, seed=5)
    plan = project / "p.json"
    run("plan", str(f), "--out", str(plan), "--api-url", emulator.base_url)
    write_flow(project / "flows", 1, seed=99)  # the file moves on; the plan is what is applied
    r = run("deploy", "--plan", str(plan), "--api-url", emulator.base_url)
    assert r.exit_code == 0, r.output
    [wf] = emulator.store.snapshot()["workflows"].values()
    assert wf["versions"]["v2"]["definition"]["steps"][0]["params"]["seed"] == 5


def test_plan_for_another_endpoint_is_refused(make_emulator: Any, project: Path, run: Any) -> None:
    a, b = make_emulator(), make_emulator()
    f = write_flow(project / "flows", 1)
    plan = project / "p.json"
    run("plan", str(f), "--out", str(plan), "--api-url", a.base_url)
    r = run("deploy", "--plan", str(plan), "--api-url", b.base_url)
    assert r.exit_code == 1 and "was made against" in r.output
    assert run("deploy", str(f), "--plan", str(plan), "--api-url", a.base_url).exit_code == 2


def test_plan_out_writes_through_a_symlink_keeping_the_mode(emulator: Any, project: Path,
                                                           run: Any) -> None:
    import os
    import stat
    f = write_flow(project / "flows", 1)
    real = project / "real-plan.json"
    real.write_text("{}\n")
    os.chmod(real, 0o644)
    link = project / "p.json"
    link.symlink_to(real.name)
    assert run("plan", str(f), "--out", str(link), "--api-url", emulator.base_url).exit_code == 2
    assert link.is_symlink() and os.readlink(link) == real.name
    assert stat.S_IMODE(real.stat().st_mode) == 0o644  # a plan is not a secret: not forced to 0600
    assert json.loads(real.read_text())["summary"]["create"] == 1
