"""An unreachable API is said at once; retries are announced (attempt n/N, why, wait) with -v,
or without it once the command would otherwise stay silent for 2 s."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from flowdsl.remote.client import ApiClient
from flowdsl.remote.settings import RetryPolicy, Secret, Settings, endpoints_for
from tests.remote.conftest import write_flow


def _dead_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()  # nothing listens there now
    return port


def test_refused_loopback_fails_at_once_with_one_line(project: Path, run: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("FLOWDSL_MAX_ATTEMPTS", "6")
    monkeypatch.setenv("FLOWDSL_BACKOFF_BASE", "5")  # retrying would take minutes
    files = [str(write_flow(project / "flows", i)) for i in range(3)]
    port = _dead_port()
    for command in ("plan", "deploy"):
        started = time.monotonic()
        r = run(command, *files, "--api-url", f"http://127.0.0.1:{port}")
        assert time.monotonic() - started < 5
        assert r.exit_code == 1
        [line] = r.stderr.strip().splitlines()  # once for the command, not once per flow
        assert line.startswith("flowdsl: error: ") and "connection refused" in line
        assert f"nothing is listening at http://127.0.0.1:{port}" in line and "retrying" not in r.stderr


def test_each_retry_is_printed_with_verbose(make_emulator: Any, project: Path, run: Any, monkeypatch: Any) -> None:
    emu = make_emulator(fault_rate=1.0)
    from flowdsl.emulator import FaultConfig
    from flowdsl.emulator.faults import FaultInjector
    emu.faults = FaultInjector(FaultConfig(rate=1.0, seed=1, kinds=("error",)))
    monkeypatch.setenv("FLOWDSL_MAX_ATTEMPTS", "3")
    f = write_flow(project / "flows", 1)
    r = run("plan", str(f), "-v", "--api-url", emu.base_url)
    assert r.exit_code == 1
    retries = [line for line in r.stderr.splitlines() if "retrying in" in line]
    assert len(retries) == 2
    assert "500 internal error (injected); retrying in 0.0 s (attempt 2/3)" in retries[0]
    assert retries[1].endswith("(attempt 3/3)")
    # Without -v the same short retries stay quiet: they never leave 2 s of silence.
    r = run("plan", str(f), "--api-url", emu.base_url)
    assert "retrying" not in r.stderr


def test_a_long_wait_is_announced_without_verbose() -> None:
    settings = Settings(endpoints=endpoints_for("https://api.example.invalid/api/v1"), api_key=Secret("k"),
                        retry=RetryPolicy(max_attempts=3, base_delay=0.2, multiplier=25.0))
    said: list[str] = []
    slept: list[float] = []
    answers = iter([503, 503, 200])
    client = ApiClient(settings, notice=said.append, sleep=slept.append, transport=httpx.MockTransport(
        lambda req: httpx.Response(next(answers), json={"error": "busy"})))
    client.request("GET", "https://api.example.invalid/api/v1/workflows/x")
    assert slept == [0.2, 5.0]
    # The first wait (0.2 s) keeps within 2 s of silence; the second would not: announced.
    assert said == ["GET https://api.example.invalid/api/v1/workflows/x: 503 busy; retrying in 5.0 s (attempt 3/3)"]


class _NotTheApi(http.server.BaseHTTPRequestHandler):
    """A web server that is not each::workflows: 404 with an empty body for everything."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT = do_GET

    def log_message(self, *args: Any) -> None:
        pass


def test_a_url_that_is_not_the_api_is_one_line_not_a_plan_to_create(project: Path, run: Any) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotTheApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        files = [str(write_flow(project / "flows", i)) for i in range(2)]
        url = f"http://127.0.0.1:{server.server_address[1]}/api/v1"
        for command in ("plan", "deploy"):
            r = run(command, *files, "--api-url", url)
            assert r.exit_code == 1, r.output
            [line] = r.stderr.strip().splitlines()
            assert line.startswith("flowdsl: error: ") and "check --api-url" in line
            assert "create" not in r.stdout
    finally:
        server.shutdown()
        server.server_close()


def test_a_json_404_is_still_not_found() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"error": "workflow not found"})

    settings = Settings(endpoints=endpoints_for("https://api.example.invalid/api/v1"),
                        api_key=Secret("k"))
    with ApiClient(settings, transport=httpx.MockTransport(answer)) as client:
        assert client.get_workflow("w") is None
