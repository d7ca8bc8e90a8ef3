"""The route table: which handler answers which method and path on which API surface,
and the small request helpers every handler uses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from flowdsl.emulator.store import ApiFailure

if TYPE_CHECKING:
    from flowdsl.emulator.server import Emulator

ENGINE_PREFIX = "/api/v1"  # https://workflows.eachlabs.run/api/v1
V1_PREFIX = "/v1"  # https://api.eachlabs.ai/v1


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    params: dict[str, str] = field(default_factory=dict)
    v1: bool = False
    headers: Any = None  # read-only, case-insensitive (httpd.Headers)


Handler = Callable[["Emulator", Request], tuple[int, Any]]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    v1: bool
    auth: bool


ROUTES: list[Route] = []


def route(method: str, pattern: str, *, surfaces: tuple[str, ...] = ("engine", "v1"),
          auth: bool = True) -> Callable[[Handler], Handler]:
    """Register ``fn`` for ``method pattern`` (``{name}`` is one path segment) under each surface."""
    def deco(fn: Handler) -> Handler:
        for surface in surfaces:
            prefix = ENGINE_PREFIX if surface == "engine" else V1_PREFIX
            rx = re.compile("^" + prefix + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")
            ROUTES.append(Route(method, rx, fn, surface == "v1", auth))
        return fn
    return deco


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The route for ``method path`` and its path params; 405 when only the method is wrong."""
    path_matched = False
    for r in ROUTES:
        hit = r.pattern.match(path)
        if hit:
            path_matched = True
            if r.method == method:
                return r, hit.groupdict()
    if path_matched:
        raise ApiFailure(405, f"method {method} not allowed on {path}")
    return None


def int_param(q: dict[str, str], name: str, default: int, lo: int, hi: int | None,
              clamp: bool = False) -> int:
    """An integer query parameter; out of ``[lo, hi]`` or not an integer is a 400, or with
    ``clamp`` (an operation that documents no 400) the default or the nearest bound."""
    raw = q.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        if clamp:
            return default
        raise ApiFailure(400, f"{name} must be an integer") from None
    if clamp:
        return max(lo, value if hi is None else min(hi, value))
    if value < lo or (hi is not None and value > hi):
        raise ApiFailure(400, f"{name} must be between {lo} and {hi}" if hi else f"{name} must be >= {lo}")
    return value


def body_object(req: Request) -> dict[str, Any]:
    if req.body is None:
        return {}
    if not isinstance(req.body, dict):
        raise ApiFailure(422, "invalid request body")
    return req.body
