"""`flowdsl emulator` as users run it: a process on a port, stopped by a signal."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from flowdsl.emulator import generate_models
from flowdsl.emulator.ratelimit import parse_rate

ROOT = Path(__file__).resolve().parents[2]


def test_emulator_command_serves_and_stops(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "all.json").write_text(json.dumps(generate_models(3)))
    state = tmp_path / "state.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "flowdsl", "emulator", "--port", "0", "--api-key", "k-123456",
         "--rate-limit", "600/min", "--models-dir", str(models), "--state", str(state), "--quiet"],
        cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        m = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        assert m, line
        assert "k-123456" not in line
        base = m.group(1)
        r = httpx.get(base + "/v1/models")
        assert [x["slug"] for x in r.json()] == [x["slug"] for x in generate_models(3)]
        assert r.headers["X-RateLimit-Limit"] == "600"
        r = httpx.post(base + "/api/v1/workflows", headers={"X-API-Key": "k-123456"},
                       json={"name": "Kept", "description": "", "definition": {"steps": [{"step_id": "a", "type": "pass"}]}})
        assert r.status_code == 201
        assert httpx.get(base + "/api/v1/workflows/kept", headers={"X-API-Key": "nope"}).status_code == 401
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
    assert "kept" in state.read_text()


def test_bad_options_are_usage_errors(run: Any) -> None:
    r = run("emulator", "--rate-limit", "lots")
    assert r.exit_code == 2 and "rate limit" in r.output
    assert run("emulator", "--fault-kinds", "error,meteor").exit_code == 2
    assert run("emulator", "--fault-rate", "1.5").exit_code == 2


def test_parse_rate() -> None:
    assert parse_rate("600/min") == 600 and parse_rate("10/s") == 600 and parse_rate("60") == 60
    assert parse_rate("3600/h") == 60
