"""The emulator under abuse, over raw sockets: junk and huge Content-Length, a 64 MiB body,
deep JSON, NaN, undeclared methods, and a burst of 128 simultaneous connections."""

from __future__ import annotations

import json
import socket
import threading
from typing import Any

from tests.remote.conftest import API_KEY


def _exchange(port: int, head: bytes, body: bytes = b"", timeout: float = 10.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(head + body)
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
                if b"\r\n\r\n" in data:
                    hdr, _, rest = data.partition(b"\r\n\r\n")
                    length = [int(line.split(b":")[1]) for line in hdr.split(b"\r\n")
                              if line.lower().startswith(b"content-length:")]
                    if length and len(rest) >= length[0]:
                        break
        except ConnectionResetError:
            pass
    return data


def _status(resp: bytes) -> int:
    return int(resp.split(b" ", 2)[1])


def _post(path: str, body: bytes, length: str | None = None) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nX-API-Key: {API_KEY}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body) if length is None else length}\r\nConnection: close\r\n\r\n").encode()


def test_junk_content_length_is_a_400(emulator: Any, capfd: Any) -> None:
    resp = _exchange(emulator.port, _post("/api/v1/workflows", b"{}", "abc"), b"{}")
    assert _status(resp) == 400
    assert "Traceback" not in capfd.readouterr().err


def test_huge_bodies_are_413_before_they_are_read(emulator: Any) -> None:
    # Declared 64 MiB: answered at once, without reading (or buffering) the body.
    resp = _exchange(emulator.port, _post("/api/v1/workflows", b"", str(64 * 1024 * 1024)), b"{" * 1024)
    assert _status(resp) == 413
    assert b"larger than" in resp
    # Actually sent, 64 MiB: still 413 (the server stops reading at the limit).
    big = b"[" + b"1," * (32 * 1024 * 1024 - 1) + b"1]"
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=20) as s:
        s.sendall(_post("/api/v1/workflows", big))
        try:
            s.sendall(big)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            resp = s.recv(65536)
        except ConnectionResetError:
            resp = b""
    assert resp == b"" or _status(resp) == 413


def test_deep_json_and_nan_are_400(emulator: Any, capfd: Any) -> None:
    for body in (b"[" * 100_000 + b"]" * 100_000, b'{"name": NaN}', b'{"a": Infinity}', b"\xff\xfe"):
        resp = _exchange(emulator.port, _post("/api/v1/workflows", body), body)
        assert _status(resp) == 400, (body[:20], resp[:200])
        assert json.loads(resp.partition(b"\r\n\r\n")[2])["error"]
    assert "Traceback" not in capfd.readouterr().err


def test_undeclared_method_is_a_405_json_body(emulator: Any) -> None:
    for method, path in (("DELETE", "/api/v1/workflows/x"), ("PATCH", "/v1/models"), ("POST", "/api/v1/categories")):
        resp = _exchange(emulator.port, f"{method} {path} HTTP/1.1\r\nHost: x\r\nX-API-Key: {API_KEY}\r\n"
                                        "Content-Length: 0\r\nConnection: close\r\n\r\n".encode())
        assert _status(resp) == 405, (method, path, resp[:200])
        assert b"application/json" in resp
        assert "error" in json.loads(resp.partition(b"\r\n\r\n")[2])


def test_invalid_body_types_are_400(emulator: Any) -> None:
    body = json.dumps({"name": "x", "definition": {"steps": []}, "categories": [1, 2]}).encode()
    resp = _exchange(emulator.port, _post("/api/v1/workflows", body), body)
    assert _status(resp) == 400
    assert b"categories" in resp


def test_burst_of_128_connections_all_answered(emulator: Any) -> None:
    results: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(128)

    def one() -> None:
        try:
            barrier.wait(10)
            resp = _exchange(emulator.port, b"GET /v1/models?limit=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                             timeout=20)
            code = _status(resp)
        except (OSError, ValueError, IndexError, threading.BrokenBarrierError):
            code = 0
        with lock:
            results.append(code)

    threads = [threading.Thread(target=one) for _ in range(128)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results.count(200) == 128, sorted(results)


def test_stalled_requests_are_closed(make_emulator: Any) -> None:
    emu = make_emulator(request_timeout_s=0.5)  # 30 s by default
    idle = socket.create_connection(("127.0.0.1", emu.port), timeout=10)
    half_head = socket.create_connection(("127.0.0.1", emu.port), timeout=10)
    half_head.sendall(b"GET /v1/models HTTP/1.1\r\nHo")
    half_body = socket.create_connection(("127.0.0.1", emu.port), timeout=10)
    half_body.sendall(_post("/api/v1/workflows", b"", "100") + b"{")
    try:
        assert idle.recv(100) == b""
        assert half_head.recv(100) == b""
        assert _status(half_body.recv(1000)) == 408
    finally:
        for s in (idle, half_head, half_body):
            s.close()
    # a normal request on the same emulator still works
    resp = _exchange(emu.port, b"GET /v1/models?limit=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert _status(resp) == 200
