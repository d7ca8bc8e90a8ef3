"""The emulator under abuse, measured: `flowdsl emulator -q` in its own process, then a 64 MiB
body, 100 000-deep JSON, an 8 MiB body, a bulk trigger of 10, then 128 simultaneous
connections; prints the statuses, burst answered/128 and the process's peak RSS (VmHWM).

    PYTHONPATH=$PWD python3 bench/bench_emulator.py
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

KEY = "bench-key"


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


def _exchange(port: int, head: bytes, body: bytes = b"", timeout: float = 30.0) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(head + body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        data = b""
        try:
            while b"\r\n" not in data:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except ConnectionResetError:
            pass
    return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0


def _post(path: str, body: bytes, length: int | None = None) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nX-API-Key: {KEY}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body) if length is None else length}\r\nConnection: close\r\n\r\n").encode()


def _kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def main() -> None:
    port = _free_port()
    env = dict(os.environ)
    proc = subprocess.Popen([sys.executable, "-m", "flowdsl", "emulator", "-q", "--port", str(port),
                             "--api-key", KEY, "--step-seconds", "0.01"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        start_rss = _kib(proc.pid, "VmRSS")
        big = b"[" + b"1," * (32 * 1024 * 1024 - 1) + b"1]"
        print(f"64 MiB body: {_exchange(port, _post('/api/v1/workflows', big), big)}")
        deep = b"[" * 100_000 + b"]" * 100_000
        print(f"100000-deep JSON: {_exchange(port, _post('/api/v1/workflows', deep), deep)}")
        eight = b'{"name": "' + b"x" * (8 * 1024 * 1024 - 64) + b'"}'  # just under the limit
        print(f"8 MiB body (under the limit, an 8 MiB name): {_exchange(port, _post('/api/v1/workflows', eight), eight)}")
        flow = {"name": "Bench", "description": "", "definition": {"version": "v1", "steps": [
            {"step_id": "gen", "type": "model", "model": "flux-2-pro", "params": {"prompt": "{{inputs.p}}"}}]}}
        body = json.dumps(flow).encode()
        print(f"create: {_exchange(port, _post('/api/v1/workflows', body), body)}")
        bulk = json.dumps({"inputs": [{"p": str(i)} for i in range(10)]}).encode()
        print(f"bulk trigger of 10: {_exchange(port, _post('/api/v1/bench/bulk-trigger', bulk), bulk)}")
        results: list[int] = []
        lock = threading.Lock()
        barrier = threading.Barrier(128)
        head = b"GET /v1/models?limit=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"

        def one() -> None:
            barrier.wait()
            try:
                status = _exchange(port, head, timeout=30)
            except OSError:
                status = 0
            with lock:
                results.append(status)

        threads = [threading.Thread(target=one) for _ in range(128)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(f"burst: {results.count(200)}/128 answered 200 in {time.perf_counter() - t0:.2f} s")
        print(f"RSS at start {start_rss / 1024:.0f} MiB, peak {_kib(proc.pid, 'VmHWM') / 1024:.0f} MiB")
    finally:
        proc.terminate()
        try:
            _, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
        print(f"tracebacks on stderr: {err.count(b'Traceback')}")


if __name__ == "__main__":
    main()
