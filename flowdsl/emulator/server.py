"""The emulator's HTTP layer: routing, auth, rate limiting, fault injection.

Why the standard library's ``http.server.ThreadingHTTPServer``: the emulator must run
wherever flowdsl runs (CI, offline laptops) with no extra dependency, start in-process on
port 0 inside a test in milliseconds, and misbehave on purpose (drop a connection after the
request was processed, stall a response) — which needs direct access to the socket that
ASGI/WSGI frameworks deliberately hide. The traffic is tiny (one client, tens of requests per
second), so a thread per connection is plenty, and HTTP/1.1 keep-alive keeps the
connection-reuse behaviour of the real API visible to the client.
"""

from __future__ import annotations

import hmac
import json
import re
import socket
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

from flowdsl.emulator import catalog as catalog_mod
from flowdsl.emulator.executions import (Timing, execution_view, missing_inputs, planner_for,
                                         summary_view)
from flowdsl.emulator.faults import FaultConfig, FaultInjector
from flowdsl.emulator.ratelimit import RateDecision, TokenBucket
from flowdsl.emulator.store import (ApiFailure, Store, now_iso, version_view, workflow_summary,
                                    workflow_view)

ENGINE_PREFIX = "/api/v1"  # https://workflows.eachlabs.run/api/v1
V1_PREFIX = "/v1"  # https://api.eachlabs.ai/v1


@dataclass
class EmulatorConfig:
    host: str = "127.0.0.1"
    port: int = 0
    api_key: str | None = None  # None: any non-empty key is accepted
    rate_limit_per_min: int | None = None
    burst: int | None = None
    faults: FaultConfig = field(default_factory=FaultConfig)
    state_path: Path | None = None
    models: list[dict[str, Any]] | None = None  # None: bundled snapshot
    models_dir: Path | None = None
    timing: Timing = field(default_factory=Timing)
    log: Callable[[str], None] | None = None  # access log sink (never sees headers)


@dataclass
class Stats:
    requests: int = 0
    rate_limited: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    faults: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, status: int) -> None:
        with self._lock:
            self.by_status[status] = self.by_status.get(status, 0) + 1

    def fault(self, kind: str) -> None:
        with self._lock:
            self.faults[kind] = self.faults.get(kind, 0) + 1


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    params: dict[str, str] = field(default_factory=dict)
    v1: bool = False


Handler = Callable[["Emulator", Request], tuple[int, Any]]
_ROUTES: list[tuple[str, re.Pattern[str], Handler, bool, bool]] = []  # method, regex, fn, v1, auth


def route(method: str, pattern: str, *, surfaces: tuple[str, ...] = ("engine", "v1"),
          auth: bool = True) -> Callable[[Handler], Handler]:
    def deco(fn: Handler) -> Handler:
        for surface in surfaces:
            prefix = ENGINE_PREFIX if surface == "engine" else V1_PREFIX
            rx = re.compile("^" + prefix + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")
            _ROUTES.append((method, rx, fn, surface == "v1", auth))
        return fn
    return deco


def _int_param(q: dict[str, str], name: str, default: int, lo: int, hi: int | None,
               clamp: bool = False) -> int:
    raw = q.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiFailure(400, f"{name} must be an integer") from None
    if clamp and hi is not None and value > hi:
        return hi
    if value < lo or (hi is not None and value > hi):
        raise ApiFailure(400, f"{name} must be between {lo} and {hi}" if hi else f"{name} must be >= {lo}")
    return value


def _body_object(req: Request) -> dict[str, Any]:
    if req.body is None:
        return {}
    if not isinstance(req.body, dict):
        raise ApiFailure(422, "invalid request body")
    return req.body


# ---------------------------------------------------------------- model catalog

@route("GET", "/models", surfaces=("v1",), auth=False)
def list_models(emu: "Emulator", req: Request) -> tuple[int, Any]:
    limit = _int_param(req.query, "limit", 50, 1, 500)
    offset = _int_param(req.query, "offset", 0, 0, None)
    name = req.query.get("name", "").lower()
    items = [m for m in emu.models.values()
             if not name or name in m["slug"].lower() or name in m["title"].lower()]
    return 200, items[offset:offset + limit]


@route("GET", "/model", surfaces=("v1",), auth=False)
def get_model(emu: "Emulator", req: Request) -> tuple[int, Any]:
    slug = req.query.get("slug")
    if not slug:
        raise ApiFailure(400, "slug parameter is required")
    model = emu.models.get(slug)
    if model is None:
        raise ApiFailure(404, "Failed to fetch model: model not found")
    return 200, model


# ---------------------------------------------------------------- workflows

@route("GET", "/categories", surfaces=("engine",))
def categories(emu: "Emulator", req: Request) -> tuple[int, Any]:
    stamp = "2025-12-01T10:00:00Z"
    cats = [("general", "General"), ("image-generation", "Image Generation"),
            ("video-generation", "Video Generation"), ("text-processing", "Text Processing"),
            ("audio-generation", "Audio Generation")]
    return 200, {"categories": [{"slug": s, "label": lbl, "description": lbl, "is_default": True,
                                 "created_at": stamp, "updated_at": stamp} for s, lbl in cats]}


@route("POST", "/workflows")
def create_workflow(emu: "Emulator", req: Request) -> tuple[int, Any]:
    wf = emu.store.create_workflow(_body_object(req), full=not req.v1)
    return 201, workflow_view(wf)


@route("GET", "/workflows")
def list_workflows(emu: "Emulator", req: Request) -> tuple[int, Any]:
    limit = _int_param(req.query, "limit", 50, 1, 100, clamp=True)
    offset = _int_param(req.query, "offset", 0, 0, None)
    items = emu.store.list_workflows(req.query.get("keyword"), req.query.get("category"))
    page = items[offset:offset + limit]
    body: dict[str, Any] = {"workflows": [workflow_summary(w) for w in page],
                            "total_count": len(items)}
    if len(page) == limit:  # the next page's start, present while pages come back full
        body["offset"] = offset + limit
    return 200, body


@route("GET", "/workflows/executions/{execution_id}", surfaces=("v1",))
@route("GET", "/executions/{execution_id}", surfaces=("engine",))
def get_execution(emu: "Emulator", req: Request) -> tuple[int, Any]:
    ex = emu.store.executions.get(req.params["execution_id"])
    if ex is None:
        raise ApiFailure(404, f"execution not found: {req.params['execution_id']}")
    wait = req.query.get("timeout")
    if wait:
        # Long poll, as the engine documents: wait (bounded) for a terminal status.
        deadline = time.time() + min(30, max(1, _int_param(req.query, "timeout", 10, 1, 30)))
        while time.time() < deadline and execution_view(ex, v1=req.v1)["status"] == "running":
            time.sleep(0.05)
    return 200, execution_view(ex, v1=req.v1)


@route("GET", "/workflows/{wf}")
def get_workflow(emu: "Emulator", req: Request) -> tuple[int, Any]:
    with emu.store.lock:
        return 200, workflow_view(emu.store.find_workflow(req.params["wf"]))


@route("PUT", "/workflows/{wf}")
def update_workflow(emu: "Emulator", req: Request) -> tuple[int, Any]:
    with emu.store.lock:
        wf = emu.store.update_workflow(req.params["wf"], _body_object(req), full=not req.v1)
        return 200, workflow_view(wf)


@route("PUT", "/workflows/{wf}/versions/{version}")
def upsert_version(emu: "Emulator", req: Request) -> tuple[int, Any]:
    with emu.store.lock:
        wf, version = emu.store.upsert_version(req.params["wf"], req.params["version"], _body_object(req))
        return 200, version_view(wf, version)


def _trigger(emu: "Emulator", req: Request, ident: str, version_id: str | None) -> dict[str, Any]:
    body = _body_object(req)
    inputs = body.get("inputs", body.get("input", {}))  # one SDK page says `input`
    if inputs is None:
        inputs = {}
    if not isinstance(inputs, dict):
        raise ApiFailure(400, "inputs must be an object")
    with emu.store.lock:
        wf = emu.store.find_workflow(ident)
        vid = version_id or body.get("version_id") or wf.get("latest_version_id")
        version = wf["versions"].get(vid) if vid else None
        if version is None:
            raise ApiFailure(404, f"version not found: {vid}")
        definition = version.get("definition")
        if not definition:
            raise ApiFailure(400, f"version {vid} has no definition")
        missing = missing_inputs(definition, inputs)
        if missing:
            raise ApiFailure(400, f"invalid input: missing required field '{missing[0]}'")
        eid = str(uuid.uuid4())
        created = time.time()
        steps = emu.planner(eid, definition, inputs, created)
        emu.store.executions[eid] = {
            "execution_id": eid, "workflow_id": wf["workflow_id"], "version_id": vid,
            "inputs": inputs, "definition": definition, "created": created,
            "run_start": created + emu.config.timing.queued_s, "steps": steps,
        }
        wf["trigger_count"] += 1
        version["trigger_count"] += 1
    return {"execution_id": eid, "status": "queued", "created": created}


@route("POST", "/{wf}/trigger", surfaces=("engine",))
def trigger_engine(emu: "Emulator", req: Request) -> tuple[int, Any]:
    out = _trigger(emu, req, req.params["wf"], None)
    return 202, {"execution_id": out["execution_id"], "status": "queued",
                 "started_at": now_iso(out["created"])}


@route("POST", "/workflows/trigger/{wf}/{version}", surfaces=("v1",))
def trigger_v1(emu: "Emulator", req: Request) -> tuple[int, Any]:
    out = _trigger(emu, req, req.params["wf"], req.params["version"])
    return 202, {"execution_id": out["execution_id"], "status": "queued"}


@route("GET", "/workflows/{wf}/executions")
def list_executions(emu: "Emulator", req: Request) -> tuple[int, Any]:
    limit = _int_param(req.query, "limit", 50, 1, 100)
    offset = _int_param(req.query, "offset", 0, 0, None)
    with emu.store.lock:
        wf = emu.store.find_workflow(req.params["wf"])
        items = sorted((e for e in emu.store.executions.values() if e["workflow_id"] == wf["workflow_id"]),
                       key=lambda e: e["created"], reverse=True)
        bulk = req.query.get("bulk_id")
        if bulk:
            items = [e for e in items if e.get("bulk_id") == bulk]
        page = items[offset:offset + limit]
        body: dict[str, Any] = {"executions": [summary_view(e, wf["name"]) for e in page],
                                "limit": limit, "total_count": len(items)}
    if len(page) == limit:
        body["offset"] = offset + limit
    return 200, body


_MUTATING = {"POST", "PUT", "DELETE", "PATCH"}


class Emulator:
    """An in-process emulator: ``with Emulator(cfg) as emu: emu.base_url``."""

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        cfg = self.config
        if cfg.models is not None:
            source = cfg.models
        elif cfg.models_dir is not None:
            source = catalog_mod.load_models_dir(cfg.models_dir)
        else:
            source = catalog_mod.bundled_models()
        self.models = catalog_mod.index(source)
        self.store = Store(cfg.state_path)
        self.bucket = TokenBucket(cfg.rate_limit_per_min, cfg.burst) if cfg.rate_limit_per_min else None
        self.faults = FaultInjector(cfg.faults)
        self.planner = planner_for(self.models, cfg.timing)
        self.stats = Stats()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle
    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("emulator not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def port(self) -> int:
        return int(self._server.server_address[1]) if self._server else 0

    def start(self) -> str:
        handler = type("BoundHandler", (_HandlerBase,), {"emu": self})
        server = ThreadingHTTPServer((self.config.host, self.config.port), handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="flowdsl-emulator", daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self.store.save()

    def serve_forever(self) -> None:
        """Blocking run (the CLI); ``stop`` from another thread or Ctrl-C ends it."""
        if self._server is None:
            self.start()
        assert self._thread is not None
        try:
            while self._thread.is_alive():
                self._thread.join(0.2)
        finally:
            self.stop()

    def __enter__(self) -> "Emulator":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ dispatch
    def authorized(self, headers: Any) -> bool:
        key = headers.get("X-API-Key")
        auth = headers.get("Authorization") or ""
        if not key and auth.lower().startswith("bearer "):
            key = auth[7:].strip()
        if not key:
            return False
        if self.config.api_key is None:
            return True
        return hmac.compare_digest(key.encode(), self.config.api_key.encode())

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str], bool, bool] | None:
        path_matched = False
        for m, rx, fn, v1, auth in _ROUTES:
            hit = rx.match(path)
            if hit:
                path_matched = True
                if m == method:
                    return fn, hit.groupdict(), v1, auth
        if path_matched:
            raise ApiFailure(405, f"method {method} not allowed on {path}")
        return None


class _HandlerBase(BaseHTTPRequestHandler):
    emu: Emulator
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
        with emu.stats._lock:
            emu.stats.requests += 1
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
                with emu.stats._lock:
                    emu.stats.rate_limited += 1
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
        emu = self.emu
        found = emu.match(method, path.rstrip("/") or "/")
        if found is None:
            raise ApiFailure(404, f"not found: {path}")
        fn, params, v1, needs_auth = found
        if needs_auth and not emu.authorized(self.headers):
            raise ApiFailure(401, "Invalid or missing API key")
        body: Any = None
        if raw:
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise ApiFailure(400, "request body is not valid JSON") from None
        req = Request(method, path, query, body, params, v1)
        return fn(emu, req)
