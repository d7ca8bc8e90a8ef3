"""The emulator itself: its configuration, its state, and its lifecycle (start, serve, stop).

The server is uvicorn (an optional dependency: ``pip install flowdsl[emulator]``) running the
ASGI app of ``httpd`` on a background thread; the HTTP plumbing is in ``httpd``, the route table in ``routing``, the handlers in
``model_routes``, ``workflow_routes`` and ``execution_routes``; executions run on the
simulator (``executions``) and are read by ``views``.
"""

from __future__ import annotations

import hmac
import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from flowdsl.emulator import catalog as catalog_mod
from flowdsl.emulator import contract
from flowdsl.emulator import (execution_routes, model_routes, prediction_routes,  # noqa: F401 - they register routes
                              public_routes, webhook_routes, workflow_routes)
from flowdsl.emulator.executions import EmulatorCatalog, Timing
from flowdsl.emulator.faults import FaultConfig, FaultInjector
from flowdsl.emulator.httpd import App, Stats, stall_guard
from flowdsl.emulator.ratelimit import TokenBucket
from flowdsl.emulator.routing import ENGINE_PREFIX, V1_PREFIX
from flowdsl.emulator.store import Store

BACKLOG = 2048  # listen backlog: a burst of connections waits instead of being refused
MAX_CONNECTIONS = 2048  # uvicorn's limit_concurrency: beyond it, a 503 instead of a pile-up
KEEP_ALIVE_S = 5  # idle keep-alive connections close after this long

__all__ = ["ENGINE_PREFIX", "V1_PREFIX", "Emulator", "EmulatorConfig", "Stats"]


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
    request_timeout_s: float = 30.0  # a request head or body stalled longer: connection closed


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
        self.catalog = EmulatorCatalog(self.models)
        self.store = Store(cfg.state_path)
        self.bucket = TokenBucket(cfg.rate_limit_per_min, cfg.burst) if cfg.rate_limit_per_min else None
        self.faults = FaultInjector(cfg.faults)
        self.stats = Stats()
        self._server: Any = None  # uvicorn.Server
        self._app: App | None = None
        self._sock: socket.socket | None = None
        self._address: tuple[str, int] | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        if self._address is None:
            raise RuntimeError("emulator not started")
        host, port = self._address
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    @property
    def port(self) -> int:
        return self._address[1] if self._address else 0

    def start(self) -> str:
        try:
            import uvicorn
        except ImportError:
            raise RuntimeError("the emulator needs uvicorn: pip install 'flowdsl[emulator]'") from None
        host = self.config.host
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets that say so; without it,
        # Nagle plus the client's delayed ACK adds ~40 ms to every response.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.bind((host, self.config.port))
            sock.listen(BACKLOG)
        except OSError:
            sock.close()
            raise
        sock.setblocking(False)
        quiet = self.config.log is None
        if quiet:  # no "Invalid HTTP request" warnings or tracebacks from uvicorn itself
            logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
        contract.paths()  # load the specs now, not on (and inside the timing of) the first request
        self._app = App(self)
        ucfg = uvicorn.Config(
            self._app, lifespan="off", access_log=False, log_config=None,
            log_level="critical" if quiet else "warning",
            timeout_keep_alive=KEEP_ALIVE_S, limit_concurrency=MAX_CONNECTIONS, backlog=BACKLOG,
            timeout_graceful_shutdown=1, h11_max_incomplete_event_size=64 * 1024,
            http=stall_guard(self.config.request_timeout_s), loop="asyncio", server_header=False, date_header=True)
        server = uvicorn.Server(ucfg)
        self._server, self._sock = server, sock
        addr = sock.getsockname()
        self._address = (str(addr[0]), int(addr[1]))
        self._thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                                        name="flowdsl-emulator", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not server.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.005)
        if not server.started:
            self.stop()
            raise RuntimeError("the emulator did not start")
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            if self._thread is not None and self._thread is not threading.current_thread():
                self._thread.join(5)
                if self._thread.is_alive():
                    self._server.force_exit = True
                    self._thread.join(2)
            self._server = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._app is not None:
            self._app.close()
            self._app = None
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
