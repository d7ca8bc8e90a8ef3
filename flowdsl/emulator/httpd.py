"""HTTP plumbing: an ASGI app that takes one request from uvicorn to a handler and back,
with the API's auth, rate limiting, fault injection, contract checks and error bodies.

Why uvicorn (ASGI) rather than the standard library's ``http.server``: the emulator is what
users point their CI and integrations at, so it must survive what a real server survives.
HTTP parsing (junk ``Content-Length``, malformed request lines), keep-alive, idle and
stalled-connection timeouts, the listen backlog and concurrency limits are the hard,
security-relevant part of an HTTP server; uvicorn (on h11) gets them right and is well kept,
where a hand-written ``BaseHTTPRequestHandler`` had a backlog of 5, no read timeout and
printed tracebacks. The handlers stay plain synchronous functions (``routing``); this module
runs them on a thread pool so a long poll or a slow fault never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Awaitable, Callable, MutableMapping
from urllib.parse import parse_qs

from flowdsl.emulator import contract
from flowdsl.emulator.ratelimit import RateDecision
from flowdsl.emulator.routing import Request, match
from flowdsl.emulator.store import ApiFailure

if TYPE_CHECKING:
    from flowdsl.emulator.server import Emulator

_MUTATING = {"POST", "PUT", "DELETE", "PATCH"}
MAX_BODY = 8 * 1024 * 1024  # bytes; larger bodies get a 413 before they are read
MAX_DEPTH = 64  # JSON nesting; deeper is a 400

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


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


class Headers:
    """Case-insensitive, read-only request headers (what ``Emulator.authorized`` reads)."""

    def __init__(self, raw: list[tuple[bytes, bytes]]) -> None:
        self._h = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in raw}

    def get(self, name: str, default: str | None = None) -> str | None:
        return self._h.get(name.lower(), default)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _depth(value: Any, limit: int) -> bool:
    """True when ``value`` nests deeper than ``limit`` (iterative: no recursion to overflow)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, (dict, list)):
            if d > limit:
                return True
            stack.extend((c, d + 1) for c in (v.values() if isinstance(v, dict) else v))
    return False


def parse_json(raw: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity, bounded nesting; ``ApiFailure(400)`` otherwise."""
    try:
        text = raw.decode("utf-8")
        # Cheap pre-check so a 1 MiB "[[[[..." never reaches the recursive decoder.
        if text.count("[") + text.count("{") > MAX_DEPTH and _bracket_depth(text) > MAX_DEPTH:
            raise ApiFailure(400, f"request body nests deeper than {MAX_DEPTH} levels")
        body = json.loads(text, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiFailure(400, "request body is not valid JSON") from None
    if _depth(body, MAX_DEPTH):
        raise ApiFailure(400, f"request body nests deeper than {MAX_DEPTH} levels")
    return body


def _bracket_depth(text: str) -> int:
    depth = best = 0
    in_str = esc = False
    for ch in text:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            best = max(best, depth)
            if best > MAX_DEPTH:
                return best
        elif ch in "]}":
            depth -= 1
    return best


def _dumps(body: Any) -> bytes:
    try:
        return json.dumps(body, allow_nan=False).encode("utf-8")
    except ValueError:  # a NaN reached a response (stored before strict parsing): null it
        return json.dumps(json.loads(json.dumps(body), parse_constant=lambda _c: None)).encode("utf-8")


def stall_guard(timeout_s: float) -> type:
    """uvicorn's h11 protocol plus what it lacks: a connection that has not sent a complete
    request head within ``timeout_s`` (of connecting, or of the previous request starting) is
    closed, so a stalled or slowloris client cannot hold a connection forever. Idle keep-alive
    connections are already closed by uvicorn's ``timeout_keep_alive``."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class StallGuardProtocol(H11Protocol):
        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def _arm(self) -> None:
            seen = self.cycle
            self._stall_timer = self.loop.call_later(timeout_s, self._stalled, seen)

        def _stalled(self, seen: Any) -> None:
            if self.transport.is_closing():
                return
            idle = self.cycle is seen and (seen is None or seen.response_complete)
            if idle:
                self.transport.close()
            else:
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            timer = getattr(self, "_stall_timer", None)
            if timer is not None:
                timer.cancel()
            super().connection_lost(exc)

    return StallGuardProtocol


class App:
    """The ASGI application of one emulator."""

    def __init__(self, emu: "Emulator", workers: int = 64) -> None:
        self.emu = emu
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="flowdsl-emulator")

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                msg = await receive()
                if msg["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif msg["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        try:
            await self._http(scope, receive, send)
        except Exception as exc:  # never a traceback: an emulator bug answers like the API does
            if self.emu.config.log is not None:
                print(f"flowdsl emulator: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
            try:
                await self._send(send, 500, {"error": "internal error"}, {})
            except Exception:
                pass

    async def _send(self, send: Send, status: int, body: Any, headers: dict[str, str]) -> None:
        data = b"" if body is None else _dumps(body)
        raw = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
        raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": data})
        self.emu.stats.count(status)

    def _log(self, scope: Scope, method: str, status: int | str) -> None:
        # Only the request line and status reach the log: never headers (the API key).
        if self.emu.config.log is not None:
            client = scope.get("client") or ("-", 0)
            path = scope.get("path", "")
            qs = scope.get("query_string", b"").decode("latin-1")
            self.emu.config.log(f'{client[0]} "{method} {path}{"?" + qs if qs else ""}" {status}')

    @staticmethod
    def _drop(receive: Receive) -> None:
        # Close without a byte of response: the client sees a dropped connection. ASGI has no
        # word for this; uvicorn's request cycle (the receive callable's owner) has the transport.
        cycle = getattr(receive, "__self__", None)
        transport = getattr(cycle, "transport", None)
        if transport is None:
            raise ConnectionAbortedError("drop")  # other servers: at worst a 500
        transport.close()
        cycle.disconnected = True  # type: ignore[union-attr]

    async def _read_body(self, receive: Receive, declared: int | None) -> bytes | None:
        if declared is not None and declared > MAX_BODY:
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            msg = await receive()
            if msg["type"] == "http.disconnect":
                break
            chunk = msg.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                return None
            chunks.append(chunk)
            if not msg.get("more_body", False):
                break
        return b"".join(chunks)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        emu = self.emu
        emu.stats.request()
        method: str = scope["method"]
        hdrs = Headers(scope.get("headers", []))
        headers: dict[str, str] = {"X-Request-Id": hdrs.get("X-Request-Id") or str(uuid.uuid4())}
        length_text = hdrs.get("Content-Length")
        declared = int(length_text) if length_text and length_text.isdigit() else None
        try:
            raw = await asyncio.wait_for(self._read_body(receive, declared), emu.config.request_timeout_s)
        except asyncio.TimeoutError:
            headers["Connection"] = "close"
            await self._send(send, 408, {"error": "request body not received in time"}, headers)
            self._log(scope, method, 408)
            return
        if raw is None:
            headers["Connection"] = "close"
            await self._send(send, 413, {"error": f"request body larger than {MAX_BODY} bytes"}, headers)
            self._log(scope, method, 413)
            return
        path: str = scope["path"]
        query = {k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode("latin-1"),
                                               keep_blank_values=True).items()}

        decision: RateDecision | None = emu.bucket.take() if emu.bucket else None
        if decision is not None:
            headers.update({"X-RateLimit-Limit": str(decision.limit),
                            "X-RateLimit-Remaining": str(decision.remaining),
                            "X-RateLimit-Reset": str(decision.reset_s)})
            if not decision.allowed:
                emu.stats.limited()
                headers["Retry-After"] = str(decision.retry_after_s)
                await self._send(send, 429, {"error": "rate limit exceeded"}, headers)
                self._log(scope, method, 429)
                return

        fault = emu.faults.draw()
        if fault is not None:
            emu.stats.fault(fault)
        if fault == "error":
            await self._send(send, 500, {"error": "internal error (injected)"}, headers)
            self._log(scope, method, 500)
            return
        if fault == "drop_before":
            self._log(scope, method, "dropped")
            self._drop(receive)
            return
        if fault == "slow":
            await asyncio.sleep(emu.faults.config.slow_seconds)

        loop = asyncio.get_running_loop()
        status, body = await loop.run_in_executor(self.pool, self._process, method, path, query, raw, hdrs)
        if fault == "drop_after":
            self._log(scope, method, "dropped")
            self._drop(receive)
            return
        await self._send(send, status, body, headers)
        self._log(scope, method, status)

    def _process(self, method: str, path: str, query: dict[str, str], raw: bytes,
                 hdrs: Headers) -> tuple[int, Any]:
        path = path.rstrip("/") or "/"
        known, op = contract.lookup(method, path)
        try:
            status, body = self._dispatch(method, path, query, raw, hdrs, known, op)
        except ApiFailure as exc:
            # Only statuses the operation documents, in the error shape it documents.
            status = contract.documented_status(op, exc.status)
            body = contract.error_body(op, status, exc.message)
        except Exception as exc:  # an emulator bug must still answer like the API does
            if self.emu.config.log is not None:
                print(f"flowdsl emulator: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
            status, body = 500, contract.error_body(op, 500, "internal error")
        if method in _MUTATING and status < 400:
            self.emu.store.save()
        return status, body

    def _dispatch(self, method: str, path: str, query: dict[str, str], raw: bytes,
                  hdrs: Headers, known: bool, op: contract.Operation | None) -> tuple[int, Any]:
        try:
            found = match(method, path)
        except ApiFailure:
            found = None
            if not known or op is None:
                raise
        if found is None:
            if known and op is None:
                raise ApiFailure(405, f"method {method} not allowed on {path}")
            if op is not None:  # documented, outside the emulator's scope (README: Emulator)
                raise ApiFailure(contract.unsupported_status(op),
                                 f"{method} {path} is not served by the flowdsl emulator")
            raise ApiFailure(404, f"not found: {path}")
        rt, params = found
        if rt.auth and not self.emu.authorized(hdrs):
            raise ApiFailure(401, "Invalid or missing API key")
        # A body sent to an operation that defines none (a GET, a cancel) is ignored, not parsed:
        # its 400 would be a status the operation does not document.
        body: Any = parse_json(raw) if raw and (op is None or op.takes_body) else None
        if op is not None:
            why = contract.body_error(op, body)
            if why is not None:
                raise ApiFailure(contract.invalid_status(op), why)
        return rt.handler(self.emu, Request(method, path, query, body, params, rt.v1, hdrs))
