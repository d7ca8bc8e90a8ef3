"""`flowdsl deploy` against the emulator: create, no-op, next version, locks, fresh clone,
refusals and error exits."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.remote.conftest import API_KEY, write_flow


def workflows(emu: Any) -> list[dict[str, Any]]:
    return list(emu.store.snapshot()["workflows"].values())


def test_create_noop_then_next_version(emulator: Any, project: Path, run: Any) -> None:
    f = write_flow(project / "flows", 1)
    r = run("deploy", str(f), "--api-url", emulator.base_url)
    assert r.exit_code == 0, r.output
    assert "created workflow 'test-flow-1'" in r.output
    [wf] = workflows(emulator)
    assert list(wf["versions"]) == ["v1"]
    assert wf["versions"]["v1"]["definition"]["steps"][0]["params"] == {"prompt": "{{inputs.prompt}}", "seed": 0}

    r = run("deploy", str(f), "--api-url", emulator.base_url)
    assert r.exit_code == 0 and "no changes: v1 is up to date" in r.output
    assert list(workflows(emulator)[0]["versions"]) == ["v1"]

    write_flow(project / "flows", 1, seed=9)
    r = run("deploy", str(f), "--api-url", emulator.base_url)
    assert r.exit_code == 0 and "v1 -> v2" in r.output
    [wf] = workflows(emulator)
    assert list(wf["versions"]) == ["v1", "v2"] and wf["latest_version_id"] == "v2"
    assert wf["versions"]["v2"]["definition"]["version"] == "v2"
    assert wf["versions"]["v2"]["definition"]["steps"][0]["params"]["seed"] == 9

    write_flow(project / "flows", 1, seed=10)
    assert "v2 -> v3" in run("deploy", str(f), "--api-url", emulator.base_url).output


def test_state_file_is_written_for_commit(emulator: Any, project: Path, run: Any) -> None:
    f = write_flow(project / "flows", 1)
    run("deploy", str(f), "--api-url", emulator.base_url)
    state = json.loads((project / ".flowdsl" / "state.json").read_text())
    entry = state["remotes"][emulator.base_url + "/api/v1"]["flows/flow01.json"]
    assert entry["workflow_id"] == workflows(emulator)[0]["workflow_id"]


def test_fresh_clone_creates_no_duplicate(emulator: Any, project: Path, run: Any, tmp_path: Path,
                                          monkeypatch: Any) -> None:
    f = write_flow(project / "flows", 1)
    assert run("deploy", str(f), "--api-url", emulator.base_url).exit_code == 0
    # A second machine: the repository without .flowdsl/ (not committed) and a changed flow.
    clone = tmp_path / "clone"
    shutil.copytree(project, clone, ignore=shutil.ignore_patterns(".flowdsl"))
    monkeypatch.chdir(clone)
    g = write_flow(clone / "flows", 1, seed=4)
    r = run("deploy", str(g), "--api-url", emulator.base_url)
    assert r.exit_code == 0 and "v1 -> v2" in r.output
    assert len(workflows(emulator)) == 1
    assert (clone / ".flowdsl" / "state.json").is_file()  # learnt from the server


def test_rename_keeps_the_workflow(emulator: Any, project: Path, run: Any) -> None:
    f = write_flow(project / "flows", 1)
    run("deploy", str(f), "--api-url", emulator.base_url)
    write_flow(project / "flows", 1, name="Renamed flow")
    r = run("plan", str(f), "--api-url", emulator.base_url)
    assert r.exit_code == 2 and "name" in r.output and "Renamed flow" in r.output
    r = run("deploy", str(f), "--api-url", emulator.base_url)
    assert r.exit_code == 0, r.output
    [wf] = workflows(emulator)
    assert (wf["name"], wf["slug"]) == ("Renamed flow", "renamed-flow")


def test_lock_and_production_flags(emulator: Any, project: Path, run: Any) -> None:
    f = write_flow(project / "flows", 1)
    r = run("deploy", str(f), "--lock", "--production", "--api-url", emulator.base_url)
    assert r.exit_code == 0, r.output
    [wf] = workflows(emulator)
    assert wf["versions"]["v1"]["locked"] and wf["versions"]["v1"]["production"]
    assert not wf["locked"]  # the version is locked, not the whole workflow


def test_locked_version_is_never_overwritten(emulator: Any, project: Path, run: Any) -> None:
    f = write_flow(project / "flows", 1)
    assert run("deploy", str(f), "--lock", "--api-url", emulator.base_url).exit_code == 0
    before = emulator.store.snapshot()
    # Setting a flag on the locked latest version would modify it: refused, naming it.
    r = run("deploy", str(f), "--production", "--api-url", emulator.base_url)
    assert r.exit_code == 1
    assert "version v1 of workflow 'test-flow-1' is locked" in r.output
    assert "Traceback" not in r.output
    assert emulator.store.snapshot()["workflows"] == before["workflows"]
    # A changed flow goes to v2; the locked v1 stays as it was.
    write_flow(project / "flows", 1, seed=2)
    assert run("deploy", str(f), "--api-url", emulator.base_url).exit_code == 0
    [wf] = workflows(emulator)
    assert wf["versions"]["v1"] == before["workflows"][wf["workflow_id"]]["versions"]["v1"]


def test_locked_workflow_refusal_names_the_version(emulator: Any, project: Path, run: Any) -> None:
    f = write_flow(project / "flows", 1)
    run("deploy", str(f), "--api-url", emulator.base_url)
    [wf] = workflows(emulator)
    emulator.store.update_workflow(wf["workflow_id"], {"locked": True}, full=True)
    write_flow(project / "flows", 1, seed=3)
    r = run("deploy", str(f), "--api-url", emulator.base_url)
    assert r.exit_code == 1
    assert "cannot write version v2" in r.output and "locked" in r.output
    assert list(workflows(emulator)[0]["versions"]) == ["v1"]


def test_refuses_flows_with_errors_before_any_request(emulator: Any, project: Path, run: Any) -> None:
    bad = project / "bad.json"
    bad.write_text(json.dumps({"name": "Bad", "description": "", "definition": {"version": "v1", "steps": [
        {"step_id": "a", "type": "model", "model": "flux-2-pro", "params": {"prompt": "{{nope.output}}"}}]}}))
    requests_before = emulator.stats.requests
    r = run("deploy", str(bad), "--api-url", emulator.base_url)
    assert r.exit_code == 1
    assert "refusing" in r.output and "undefined-reference" in r.output
    assert emulator.stats.requests == requests_before
    assert workflows(emulator) == []


def test_flow_yaml_is_accepted(emulator: Any, project: Path, run: Any) -> None:
    f = project / "hello.flow.yaml"
    f.write_text("name: Hello yaml\ndescription: d\ninputs:\n  prompt: {type: string, required: true}\n"
                 "steps:\n  - id: img\n    model: flux-2-pro\n    with: {prompt: \"{{inputs.prompt}}\"}\n"
                 "outputs:\n  image: \"{{img.primary}}\"\n")
    r = run("deploy", str(f), "--api-url", emulator.base_url)
    assert r.exit_code == 0, r.output
    [wf] = workflows(emulator)
    assert wf["slug"] == "hello-yaml" and wf["versions"]["v1"]["definition"]["steps"][0]["model"] == "flux-2-pro"
    assert run("deploy", str(f), "--api-url", emulator.base_url).output.count("no changes") == 1


def test_v1_surface(emulator: Any, project: Path, run: Any) -> None:
    f = write_flow(project / "flows", 1)
    url = emulator.base_url + "/v1"
    assert run("deploy", str(f), "--api-url", url).exit_code == 0
    assert "no changes" in run("deploy", str(f), "--api-url", url).output
    write_flow(project / "flows", 1, seed=1)
    assert "v1 -> v2" in run("deploy", str(f), "--api-url", url).output
    assert len(workflows(emulator)) == 1


def test_auth_and_usage_errors(emulator: Any, project: Path, run: Any, monkeypatch: Any) -> None:
    f = write_flow(project / "flows", 1)
    r = run("deploy", str(f), "--api-url", emulator.base_url, env={"EACHLABS_API_KEY": "wrong-key-123"})
    assert r.exit_code == 1 and "401" in r.output and len(r.output.strip().splitlines()) == 1
    monkeypatch.delenv("EACHLABS_API_KEY")
    r = run("deploy", str(f), "--api-url", emulator.base_url)
    assert r.exit_code == 2 and "EACHLABS_API_KEY" in r.output
    keyfile = project / "key.txt"
    keyfile.write_text(API_KEY + "\n")
    assert run("deploy", str(f), "--api-url", emulator.base_url, "--api-key-file", str(keyfile)).exit_code == 0
    # A missing file is bad usage (2), found before any request, as in every other command.
    assert run("deploy", "missing.json", "--api-url", emulator.base_url,
               "--api-key-file", str(keyfile)).exit_code == 2
    assert run("deploy", "--api-url", emulator.base_url).exit_code == 2
    r = run("deploy", str(f), "--api-url", "ftp://nowhere")
    assert r.exit_code == 2 and "bad API URL" in r.output


def test_unreachable_server_is_one_line(project: Path, run: Any, monkeypatch: Any) -> None:
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    monkeypatch.setenv("FLOWDSL_MAX_ATTEMPTS", "2")
    f = write_flow(project / "flows", 1)
    r = run("deploy", str(f), "--api-url", f"http://127.0.0.1:{port}")
    assert r.exit_code == 1
    assert "connection refused" in r.output and "Traceback" not in r.output


def test_two_files_with_one_name_are_refused(emulator: Any, project: Path, run: Any) -> None:
    a = write_flow(project / "a", 1)
    b = write_flow(project / "b", 1, seed=3)  # same name "Test flow 1"
    assert run("deploy", str(a), "--api-url", emulator.base_url).exit_code == 0
    r = run("deploy", str(b), "--api-url", emulator.base_url)
    assert r.exit_code == 1 and "both map to workflow 'test-flow-1'" in r.output
    assert list(workflows(emulator)[0]["versions"]) == ["v1"]
