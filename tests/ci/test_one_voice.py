"""Warnings and configuration errors speak the one format (`flowdsl: warning: ...`,
`flowdsl: error: ...`) with the true reason."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from flowdsl.cli.main import cli

UNUSED = ("name: t\ninputs:\n  spare: {type: string}\n"
          "steps:\n  - {id: a, pass: {ok: true}}\n")


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def test_simulate_warnings_use_the_common_prefix(tmp_path: Path) -> None:
    f = tmp_path / "w.flow.yaml"
    f.write_text(UNUSED)
    code, _, err = run("simulate", str(f))
    assert code == 0
    [line] = [x for x in err.splitlines() if "warning" in x]
    assert line.startswith("flowdsl: warning: 1 warning(s) in ") and "flowdsl check" in line


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_config_that_is_a_fifo_says_so(tmp_path: Path) -> None:
    f = tmp_path / "w.flow.yaml"
    f.write_text(UNUSED)
    fifo = tmp_path / "flowdsl.toml"
    os.mkfifo(fifo)
    code, _, err = run("check", "--config", str(fifo), str(f))
    assert code == 2
    assert err.strip() == (f"flowdsl: error: bad configuration: {fifo}: is not a regular file "
                           "(a FIFO, device or socket); give a flowdsl.toml or pyproject.toml")
    code, _, err = run("check", "--config", str(tmp_path / "none.toml"), str(f))
    assert code == 2 and err.strip().endswith("none.toml: no such config file")


@pytest.mark.parametrize("command", ["deploy", "trigger"])
def test_remote_commands_refuse_bad_files_before_any_request(tmp_path: Path, command: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EACHLABS_API_KEY", "k")
    # Nothing listens there: a request would be a "connection refused" line instead.
    url = "http://127.0.0.1:1/api/v1"
    missing = str(tmp_path / "gone.flow.yaml")
    for bad, reason in ((missing, "no such file"), (os.devnull, "not a regular file")):
        r = CliRunner().invoke(cli, [command, bad, "--api-url", url])
        assert r.exit_code == 2, r.output
        [line] = r.stderr.strip().splitlines()
        assert line.startswith("flowdsl: error: ") and reason in line and "connection" not in line
        assert line.count(bad) == 1  # the file is named once


def test_plan_counts_a_bad_file_as_a_failed_flow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # plan's exit 2 means "changes to deploy": a missing file must not read as that.
    monkeypatch.setenv("EACHLABS_API_KEY", "k")
    missing = str(tmp_path / "gone.flow.yaml")
    r = CliRunner().invoke(cli, ["plan", missing, "--api-url", "http://127.0.0.1:1/api/v1"])
    assert r.exit_code == 1
    assert f"flowdsl: error: {missing}: no such file" in r.stderr


def test_import_and_mocks_name_a_bad_file_like_every_command(tmp_path: Path) -> None:
    flow = tmp_path / "w.flow.yaml"
    flow.write_text("name: t\nsteps:\n  - {id: a, pass: {ok: true}}\n")
    missing = str(tmp_path / "gone.json")
    for args, line in (
            (["import", missing], f"flowdsl: error: no such file or directory: {missing}"),
            (["simulate", str(flow), "--mocks", missing],
             f"flowdsl: error: no such file or directory: {missing}"),
            (["simulate", str(flow), "--mocks", os.devnull],
             f"flowdsl: error: not a regular file: {os.devnull} (only regular files are read)")):
        code, _, err = run(*args)
        assert code == 2 and err.strip() == line
