"""The emulator itself: its configuration, its state, and its lifecycle (start, serve, stop).

The HTTP plumbing is in ``httpd``, the route table in ``routing``, the handlers in
``model_routes``, ``workflow_routes`` and ``execution_routes``; executions run on the
simulator (``executions``) and are read by ``views``.
"""

from __future__ import annotations

import hmac
import threading
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

from flowdsl.emulator import catalog as catalog_mod
from flowdsl.emulator import execution_routes, model_routes, workflow_routes  # noqa: F401 - they register routes
from flowdsl.emulator.executions import EmulatorCatalog, Timing
from flowdsl.emulator.faults import FaultConfig, FaultInjector
from flowdsl.emulator.httpd import RequestHandler, Stats
from flowdsl.emulator.ratelimit import TokenBucket
from flowdsl.emulator.routing import ENGINE_PREFIX, V1_PREFIX
from flowdsl.emulator.store import Store

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
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

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
        handler = type("BoundHandler", (RequestHandler,), {"emu": self})
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
