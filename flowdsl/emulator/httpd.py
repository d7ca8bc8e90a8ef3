"""HTTP plumbing: one request from the socket to a handler and back, with the API's
keep-alive, rate limiting, fault injection and error bodies.

Why the standard library's ``http.server.ThreadingHTTPServer``: the emulator must run
wherever flowdsl runs (CI, offline laptops) with no extra dependency, start in-process on
port 0 inside a test in milliseconds, and misbehave on purpose (drop a connection after the
request was processed, stall a response) — which needs direct access to the socket that
ASGI/WSGI frameworks deliberately hide. The traffic is tiny (one client, tens of requests per
second), so a thread per connection is plenty, and HTTP/1.1 keep-alive keeps the
connection-reuse behaviour of the real API visible to the client.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from flowdsl.emulator.ratelimit import RateDecision
from flowdsl.emulator.routing import Request, match
from flowdsl.emulator.store import ApiFailure

if TYPE_CHECKING:
    from flowdsl.emulator.server import Emulator

_MUTATING = {"POST", "PUT", "DELETE", "PATCH"}


@dataclass
class Stats:
    requests: int = 0
    rate_limited: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    faults: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def request(self) -> None:
        with self._lock:
            self.requests += 1

    def limited(self) -> None:
        with self._lock:
            self.rate_limited += 1

    def count(self, status: int) -> None:
        with self._lock:
            self.by_status[status] = self.by_status.get(status, 0) + 1

    def fault(self, kind: str) -> None:
        with self._lock:
            self.faults[kind] = self.faults.get(kind, 0) + 1


class RequestHandler(BaseHTTPRequestHandler):
    """Bound to one emulator by a subclass: ``type("BoundHandler", (RequestHandler,), {"emu": e})``."""

    emu: "Emulator"
    protocol_version = "HTTP/1.1"  # keep-alive, as the real API
    server_version = "flowdsl-emulator"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without NODELAY, Nagle plus the
        # client's delayed ACK adds ~40 ms to every keep-alive response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        # Only the request line and status reach the log: never headers (the API key).
        if self.emu.config.log is not None:
            self.emu.config.log(f"{self.address_string()} {format % args}")

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
        data = b"" if body is None else json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.emu.stats.count(status)

    def _drop(self) -> None:
        # Close without a byte of response: the client sees a dropped connection.
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _handle(self, method: str) -> None:
        emu = self.emu
        emu.stats.request()
        headers: dict[str, str] = {"X-Request-Id": self.headers.get("X-Request-Id") or str(uuid.uuid4())}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        split = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}

        decision: RateDecision | None = emu.bucket.take() if emu.bucket else None
        if decision is not None:
            headers.update({"X-RateLimit-Limit": str(decision.limit),
                            "X-RateLimit-Remaining": str(decision.remaining),
                            "X-RateLimit-Reset": str(decision.reset_s)})
            if not decision.allowed:
                emu.stats.limited()
                headers["Retry-After"] = str(decision.retry_after_s)
                self._send(429, {"error": "rate limit exceeded"}, headers)
                return

        fault = emu.faults.draw()
        if fault is not None:
            emu.stats.fault(fault)
        if fault == "error":
            self._send(500, {"error": "internal error (injected)"}, headers)
            return
        if fault == "drop_before":
            self._drop()
            return
        if fault == "slow":
            time.sleep(emu.faults.config.slow_seconds)

        try:
            status, body = self._dispatch(method, split.path, query, raw)
        except ApiFailure as exc:
            status, body = exc.status, {"error": exc.message}
        except Exception as exc:  # an emulator bug must still answer like the API does
            print(f"flowdsl emulator: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
            status, body = 500, {"error": "internal error"}
        if method in _MUTATING and status < 400:
            emu.store.save()
        if fault == "drop_after":
            self._drop()
            return
        self._send(status, body, headers)

    def _dispatch(self, method: str, path: str, query: dict[str, str], raw: bytes) -> tuple[int, Any]:
        found = match(method, path.rstrip("/") or "/")
        if found is None:
            raise ApiFailure(404, f"not found: {path}")
        rt, params = found
        if rt.auth and not self.emu.authorized(self.headers):
            raise ApiFailure(401, "Invalid or missing API key")
        body: Any = None
        if raw:
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise ApiFailure(400, "request body is not valid JSON") from None
        return rt.handler(self.emu, Request(method, path, query, body, params, rt.v1))
