"""The remote commands' command line: --format json (with its --json alias) and the exit
codes in each --help."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.remote.conftest import write_flow


@pytest.mark.parametrize("command,codes", [("plan", "0  no changes"), ("deploy", "0  done, or nothing to do"),
                                           ("trigger", "2  bad usage, no API key, or invalid inputs")])
def test_help_lists_exit_codes_and_format(run: Any, command: str, codes: str) -> None:
    r = run(command, "--help")
    assert r.exit_code == 0
    assert "Exit codes:" in r.stdout and codes in r.stdout
    assert "--format [text|json]" in r.stdout and "Same as --format json." in r.stdout


def test_format_json_is_the_json_alias(emulator: Any, project: Path, run: Any) -> None:
    f = write_flow(project / "flows", 1)
    url = ("--api-url", emulator.base_url)
    a = run("plan", str(f), "--format", "json", *url)
    b = run("plan", str(f), "--json", *url)
    assert a.exit_code == b.exit_code == 2
    assert json.loads(a.stdout) == json.loads(b.stdout)
    d = run("deploy", str(f), "--format", "json", *url)
    assert d.exit_code == 0 and json.loads(d.stdout)[0]["action"] == "created"
    t = run("trigger", str(f), "-i", "prompt=x", "--format", "json", *url)
    assert t.exit_code == 0 and json.loads(t.stdout)["status"] == "queued"
