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
