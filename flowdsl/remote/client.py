"""The HTTP client: ``httpx.Client`` over an injected transport — the only I/O boundary.

Retries 429, 5xx and dropped connections with exponential backoff, honouring
``Retry-After``; paces itself from the rate-limit headers (``pacing.Pacer``). Requests that
are not idempotent (create a workflow, trigger) are never blindly re-sent after an ambiguous
failure: an ``AmbiguousWriteError`` tells the caller to look before re-posting.

The API key lives in a ``Secret`` and is only revealed when the header is built; nothing here
logs headers, and every error message passes through ``redact``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import quote

import httpx

from flowdsl import __version__
from flowdsl.remote.errors import (AmbiguousWriteError, WrongEndpointError, ApiError, NotFoundError, RemoteError,
                                   TransportError, UnreachableError, error_for_status)
from flowdsl.remote.pacing import Pacer, parse_retry_after
from flowdsl.remote.settings import Settings, redact

RequestLog = Callable[[str], None]
QUIET_S = 2.0  # without -v, a retry is announced once the command has been silent this long


@dataclass
class ClientStats:
    requests: int = 0
    rate_limited: int = 0  # 429s seen
    retried: int = 0  # requests re-sent after a retryable failure
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)


def _q(segment: str) -> str:
    return quote(segment, safe="")


class ApiClient:
    def __init__(self, settings: Settings, *, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep, log: RequestLog | None = None,
                 pacer: Pacer | None = None, notice: RequestLog | None = None) -> None:
        self.settings = settings
        # Retries are announced on ``notice`` (stderr in the CLI): each one with -v (``log``
        # set), else only when the command has been silent for QUIET_S, so a slow retry loop
        # against a dead server never looks like a hang.
        self._notice = notice
        self._last_said = time.monotonic()
        self.endpoints = settings.endpoints
        self._sleep = sleep
        self._log = log
        self.pacer = pacer or Pacer(sleep=sleep)
        self.stats = ClientStats()
        # No base_url: workflow and model routes may live on different hosts.
        self._http = httpx.Client(transport=transport, timeout=settings.timeout,
                                  headers={"User-Agent": f"flowdsl/{__version__}",
                                           "Accept": "application/json"},
                                  follow_redirects=False)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "ApiClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ApiClient({self.endpoints.workflows!r})"

    # ------------------------------------------------------------ core
    def _auth_headers(self, auth: bool) -> dict[str, str]:
        key = self.settings.require_key() if auth else self.settings.api_key
        if not key:
            return {}
        if self.endpoints.surface == "v1":
            return {"Authorization": f"Bearer {key.reveal()}"}
        return {"X-API-Key": key.reveal()}

    def _emit(self, line: str) -> None:
        if self._log is not None:
            self._log(redact(line, self.settings.api_key))
            self._last_said = time.monotonic()

    def _retrying(self, method: str, shown: str, attempt: int, why: str, wait: float, *,
                  sleep: bool = True) -> None:
        """Announce retry ``attempt + 1`` (see ``__init__``), then wait ``wait`` seconds."""
        out = self._log if self._log is not None else self._notice
        now = time.monotonic()
        if out is not None and (self._log is not None or now + wait - self._last_said >= QUIET_S):
            total = self.settings.retry.max_attempts
            out(redact(f"{method} {shown}: {why}; retrying in {wait:.1f} s (attempt {attempt + 1}/{total})",
                       self.settings.api_key))
            self._last_said = now
        if sleep:
            self._sleep(wait)

    def request(self, method: str, url: str, *, json: Any = None, params: dict[str, Any] | None = None,
                idempotent: bool = True, auth: bool = True) -> Any:
        """Send with retries; return the decoded JSON body (None when empty)."""
        headers = self._auth_headers(auth)
        policy = self.settings.retry
        shown = url.split("?")[0]
        last: RemoteError | None = None
        for attempt in range(1, policy.max_attempts + 1):
            if attempt > 1:
                self.stats.add("retried")
            self.pacer.acquire()
            self.stats.add("requests")
            started = time.monotonic()
            try:
                resp = self._http.request(method, url, json=json, params=params, headers=headers)
            except httpx.HTTPError as exc:
                self.pacer.release()
                # A connect failure means nothing was sent; anything later is ambiguous.
                never_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
                what = _describe(exc)
                self._emit(f"{method} {shown} -> {what} (attempt {attempt})")
                if _refused_on_loopback(exc, url):
                    # Nothing listens on this machine's port: no retry will change that soon.
                    raise UnreachableError(f"{method} {shown}: connection refused: nothing is listening at "
                                         f"{_origin(url)} (is the server, e.g. `flowdsl emulator`, running?)") from None
                if not idempotent and not never_sent:
                    raise AmbiguousWriteError(
                        f"{method} {shown}: {what}; the request may or may not have taken effect") from None
                last = TransportError(f"{method} {shown}: {what}")
                if attempt < policy.max_attempts:
                    self._retrying(method, shown, attempt, what, policy.delay(attempt))
                continue
            elapsed = time.monotonic() - started
            self.pacer.observe(resp.headers, limited=resp.status_code == 429)
            self._emit(f"{method} {shown} -> {resp.status_code} ({elapsed * 1000:.0f} ms)")
            status = resp.status_code
            if status < 400:
                return _decode(resp)
            if status == 404 and not _json_object(resp):
                raise WrongEndpointError(
                    f"{method} {shown}: 404 without the API's JSON error body: nothing at "
                    f"{_origin(url)} answers as the each::workflows API (check --api-url / "
                    f"FLOWDSL_API_URL)")
            message = redact(_error_message(resp), self.settings.api_key)
            err = error_for_status(status, f"{method} {shown}: {status} {message}",
                                   resp.headers.get("x-request-id"))
            if status == 429:
                self.stats.add("rate_limited")
                wait = parse_retry_after(resp.headers.get("retry-after"))
                # Honour Retry-After for every worker; fall back to backoff without one.
                pause = wait if wait is not None else policy.delay(attempt)
                self.pacer.block_for(pause)
                if attempt < policy.max_attempts:  # the pacer does the waiting
                    self._retrying(method, shown, attempt, "429 rate limited", pause, sleep=False)
                last = err
                continue  # a 429 was refused before processing: always safe to re-send
            if status >= 500:
                if not idempotent:
                    raise AmbiguousWriteError(
                        f"{method} {shown}: {status} {message}; the request may or may not have taken effect") from None
                last = err
                if attempt < policy.max_attempts:
                    wait = parse_retry_after(resp.headers.get("retry-after"))
                    self._retrying(method, shown, attempt, f"{status} {message}",
                                   max(wait or 0.0, policy.delay(attempt)))
                continue
            raise err
        assert last is not None
        if isinstance(last, ApiError):
            last.message = f"{last.message} (gave up after {policy.max_attempts} attempts)"
        else:
            last = TransportError(f"{last.message} (gave up after {policy.max_attempts} attempts)")
        raise last

    # ------------------------------------------------------------ models
    def list_models(self, *, limit: int = 500, offset: int = 0, name: str | None = None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if name:
            params["name"] = name
        body = self.request("GET", f"{self.endpoints.models}/v1/models", params=params, auth=False)
        return body if isinstance(body, list) else []

    def all_model_slugs(self) -> list[str]:
        slugs: list[str] = []
        offset = 0
        while True:
            page = self.list_models(limit=500, offset=offset)
            slugs.extend(str(m["slug"]) for m in page if isinstance(m, dict) and "slug" in m)
            if len(page) < 500:
                return slugs
            offset += len(page)

    def get_model(self, slug: str) -> dict[str, Any]:
        body = self.request("GET", f"{self.endpoints.models}/v1/model", params={"slug": slug}, auth=False)
        if not isinstance(body, dict):
            raise ApiError(f"GET /v1/model: unexpected response for {slug}")
        return body

    # ------------------------------------------------------------ workflows
    def _wf(self, path: str) -> str:
        return self.endpoints.workflows + path

    def get_workflow(self, ident: str) -> dict[str, Any] | None:
        try:
            body = self.request("GET", self._wf(f"/workflows/{_q(ident)}"))
        except NotFoundError:
            return None
        return body if isinstance(body, dict) else None

    def list_workflows(self, keyword: str | None = None) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        offset = 0
        while True:
            params: dict[str, Any] = {"limit": 100, "offset": offset}
            if keyword:
                params["keyword"] = keyword
            body = self.request("GET", self._wf("/workflows"), params=params) or {}
            page = body.get("workflows") or []
            out.extend(page)
            if len(page) < 100:
                return out
            offset += len(page)

    def create_workflow(self, body: dict[str, Any]) -> dict[str, Any]:
        if self.endpoints.surface == "v1":
            # The /v1 create route takes only name and definition.
            body = {"name": body["name"], "definition": body.get("definition")}
        return self.request("POST", self._wf("/workflows"), json=body, idempotent=False)

    def update_workflow(self, ident: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.request("PUT", self._wf(f"/workflows/{_q(ident)}"), json=body)

    def upsert_version(self, ident: str, version_id: str, body: dict[str, Any]) -> dict[str, Any]:
        # PUT of a full version body is idempotent: safe to retry after a dropped response.
        return self.request("PUT", self._wf(f"/workflows/{_q(ident)}/versions/{_q(version_id)}"), json=body)

    def trigger(self, ident: str, inputs: dict[str, Any], version_id: str | None = None) -> dict[str, Any]:
        return self._trigger("trigger", ident, {"inputs": inputs}, version_id)

    def bulk_trigger(self, ident: str, inputs: list[dict[str, Any]], version_id: str | None = None) -> dict[str, Any]:
        """Start one execution per entry of ``inputs`` (1-10, the API's limit) in one request."""
        return self._trigger("bulk-trigger", ident, {"inputs": inputs}, version_id)

    def _trigger(self, verb: str, ident: str, body: dict[str, Any], version_id: str | None) -> dict[str, Any]:
        """POST a trigger or bulk trigger: v1 names the version in the path (the latest one
        unless given), the engine takes an optional ``version_id`` in the body."""
        if self.endpoints.surface == "v1":
            if not version_id:
                wf = self.get_workflow(ident)
                if wf is None:
                    raise NotFoundError(f"workflow not found: {ident}", 404)
                version_id = latest_version_id(wf)
            return self.request("POST", self._wf(f"/workflows/{verb}/{_q(ident)}/{_q(version_id or 'v1')}"),
                                json=body, idempotent=False)
        if version_id:
            body = {**body, "version_id": version_id}
        return self.request("POST", self._wf(f"/{_q(ident)}/{verb}"), json=body, idempotent=False)

    def get_execution(self, execution_id: str) -> dict[str, Any]:
        path = "/workflows/executions/" if self.endpoints.surface == "v1" else "/executions/"
        return self.request("GET", self._wf(path + _q(execution_id)))

    def list_executions(self, ident: str, limit: int = 50) -> dict[str, Any]:
        return self.request("GET", self._wf(f"/workflows/{_q(ident)}/executions"), params={"limit": limit})


def latest_version_id(wf: dict[str, Any]) -> str | None:
    """The latest version: ``latest_version_id`` when given, else the highest ``vN``."""
    if isinstance(wf.get("latest_version_id"), str) and wf["latest_version_id"]:
        return wf["latest_version_id"]
    versions = [v.get("version_id") for v in wf.get("versions") or [] if isinstance(v, dict)]
    best = max((v for v in versions if isinstance(v, str)), key=version_number, default=None)
    return best


def version_number(vid: str) -> int:
    if vid.startswith("v") and vid[1:].isdigit():
        return int(vid[1:])
    return -1


def _decode(resp: httpx.Response) -> Any:
    if not resp.content:
        return None
    try:
        return resp.json()
    except ValueError:
        raise ApiError(f"{resp.request.method} {resp.request.url.path}: response is not JSON", resp.status_code) from None


def _json_object(resp: httpx.Response) -> bool:
    try:
        return isinstance(resp.json(), dict)
    except ValueError:
        return False


def _error_message(resp: httpx.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return resp.reason_phrase or "error"
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return body["error"]
    return resp.reason_phrase or "error"


def _origin(url: str) -> str:
    u = httpx.URL(url)
    return f"{u.scheme}://{u.host if ':' not in u.host else '[' + u.host + ']'}:{u.port or (443 if u.scheme == 'https' else 80)}"


def _refused_on_loopback(exc: httpx.HTTPError, url: str) -> bool:
    """A refused connection to this machine (127.0.0.0/8, ::1, localhost)."""
    if not isinstance(exc, httpx.ConnectError):
        return False
    import ipaddress
    host = httpx.URL(url).host
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
    seen: BaseException | None = exc
    for _ in range(8):  # httpx -> httpcore -> OSError
        if seen is None:
            break
        if isinstance(seen, ConnectionRefusedError) or "connection refused" in str(seen).lower() \
                or "errno 111" in str(seen).lower():
            return loopback
        seen = seen.__cause__ or seen.__context__
    return False


def _describe(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "connection refused or unreachable"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return "connection dropped"
    return type(exc).__name__
