"""The API key never appears in anything flowdsl prints or logs, even with -v, on errors,
retries and faults (everything printed and logged is grepped for it)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from flowdsl.emulator import generate_models
from flowdsl.remote.client import ApiClient
from flowdsl.remote.errors import RemoteError
from flowdsl.remote.settings import RetryPolicy, Secret, Settings, endpoints_for
from tests.remote.conftest import API_KEY, write_flow

WRONG_KEY = "sk-flowdsl-WRONG-0a1b2c3d4e5f"


def test_no_command_output_or_log_contains_the_key(make_emulator: Any, project: Path, run: Any,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # httpx / httpcore debug logs included
    access_log: list[str] = []
    emu = make_emulator(models=generate_models(10), fault_rate=0.2, seed=5, log=access_log.append)
    url = emu.base_url
    f = write_flow(project / "flows", 1)
    plan = project / "plan.json"
    keyfile = project / "wrong.key"
    keyfile.write_text(WRONG_KEY)
    commands = [
        ("catalog", "sync", "--all", "-v", "--api-url", url),
        ("plan", str(f), "-v", "--api-url", url),
        ("plan", str(f), "-v", "--json", "--out", str(plan), "--api-url", url),
        ("deploy", "--plan", str(plan), "-v", "--api-url", url),
        ("deploy", str(f), "-v", "--lock", "--api-url", url),
        ("deploy", str(f), "-v", "--production", "--api-url", url),  # refused: locked
        ("trigger", str(f), "-v", "-i", "prompt=x", "--wait", "--interval", "0.02", "--json", "--api-url", url),
        ("trigger", "missing-workflow", "-v", "--api-url", url),  # 404
        ("deploy", str(f), "-v", "--api-key-file", str(keyfile), "--api-url", url),  # 401
        ("plan", str(f), "-v", "--api-url", url + "/v1"),
        ("deploy", str(f), "-v", "--api-url", "http://127.0.0.1:1"),  # unreachable
    ]
    codes = [run(*c).exit_code for c in commands]
    assert codes[3] == 0 and codes[5] == 1 and codes[7] == 1 and codes[8] == 1 and codes[10] == 1
    everything = "\n".join(run.transcript + access_log + [r.getMessage() for r in caplog.records]
                           + [str(plan.read_text())] + [p.read_text() for p in project.rglob("*.json")])
    assert "GET" in everything and "401" in everything  # the transcript really was captured
    for secret in (API_KEY, WRONG_KEY):
        assert secret not in everything
        assert secret[-12:] not in everything


def test_server_echoing_the_key_is_redacted() -> None:
    settings = Settings(endpoints=endpoints_for("http://127.0.0.1:1"), api_key=Secret(API_KEY),
                        retry=RetryPolicy(max_attempts=1))
    lines: list[str] = []
    client = ApiClient(settings, log=lines.append, transport=httpx.MockTransport(
        lambda req: httpx.Response(401, json={"error": f"key {API_KEY} is not valid"})))
    with pytest.raises(RemoteError) as info:
        client.get_workflow("x")
    assert API_KEY not in str(info.value) and "***" in str(info.value)
    assert API_KEY not in repr(info.value) and all(API_KEY not in line for line in lines)
