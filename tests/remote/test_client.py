"""The client against an injected transport (httpx.MockTransport) and the live emulator:
retries, backoff, Retry-After, the error hierarchy, secrets."""

from __future__ import annotations

import json
from typing import Any, Callable

import httpx
import pytest

from flowdsl.remote import errors as E
from flowdsl.remote.client import ApiClient
from flowdsl.remote.pacing import Pacer
from flowdsl.remote.settings import RetryPolicy, Secret, Settings, endpoints_for, load_settings, redact
from tests.remote.conftest import API_KEY

FAST = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05)


def client_for(handler: Callable[[httpx.Request], httpx.Response], sleeps: list[float] | None = None,
               url: str = "https://workflows.eachlabs.run/api/v1") -> ApiClient:
    settings = Settings(endpoints=endpoints_for(url), api_key=Secret(API_KEY), retry=FAST)
    record = sleeps if sleeps is not None else []
    return ApiClient(settings, transport=httpx.MockTransport(handler), sleep=record.append)


def test_endpoint_rules() -> None:
    e = endpoints_for("https://workflows.eachlabs.run/api/v1")
    assert (e.surface, e.workflows, e.models) == ("engine", "https://workflows.eachlabs.run/api/v1",
                                                   "https://api.eachlabs.ai")
    e = endpoints_for("https://api.eachlabs.ai/v1/")
    assert (e.surface, e.workflows, e.models) == ("v1", "https://api.eachlabs.ai/v1", "https://api.eachlabs.ai")
    e = endpoints_for("http://127.0.0.1:9000")
    assert (e.surface, e.workflows, e.models) == ("engine", "http://127.0.0.1:9000/api/v1", "http://127.0.0.1:9000")
    for bad in ("ftp://x", "http://h/other", "nohost"):
        with pytest.raises(E.ConfigError):
            endpoints_for(bad)


def test_default_url_and_key_sources(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.delenv("FLOWDSL_API_URL", raising=False)
    monkeypatch.setenv("EACHLABS_API_KEY", "from-env-key")
    s = load_settings()
    assert s.endpoints.workflows == "https://workflows.eachlabs.run/api/v1"
    assert s.api_key is not None and s.api_key.reveal() == "from-env-key"
    keyfile = tmp_path / "key"
    keyfile.write_text("from-file-key\n")
    assert load_settings(api_key_file=keyfile).api_key.reveal() == "from-file-key"  # type: ignore[union-attr]
    with pytest.raises(E.ConfigError):
        load_settings(api_key_file=tmp_path / "missing")
    monkeypatch.delenv("EACHLABS_API_KEY")
    with pytest.raises(E.ConfigError) as info:
        load_settings().require_key()
    assert info.value.exit_code == 2


def test_secret_never_prints() -> None:
    s = Secret(API_KEY)
    settings = Settings(endpoints=endpoints_for("http://127.0.0.1:1"), api_key=s)
    for text in (repr(s), str(s), f"{s}", repr(settings), str(settings), repr(ApiClient(settings))):
        assert API_KEY not in text
    assert redact(f"bad key {API_KEY}!", s) == "bad key ***!"


def test_auth_header_per_surface() -> None:
    seen: list[httpx.Headers] = []

    def handler(req: httpx.Request) -> httpx.Response:
        seen.append(req.headers)
        return httpx.Response(200, json={"workflow_id": "w", "name": "n"})

    client_for(handler).get_workflow("w")
    client_for(handler, url="https://api.eachlabs.ai/v1").get_workflow("w")
    assert seen[0]["x-api-key"] == API_KEY and "authorization" not in seen[0]
    assert seen[1]["authorization"] == f"Bearer {API_KEY}"


def test_retries_5xx_and_drops_then_succeeds() -> None:
    calls = []

    def handler(req: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(503, json={"error": "busy"})
        if len(calls) == 2:
            raise httpx.RemoteProtocolError("Server disconnected", request=req)
        return httpx.Response(200, json={"workflow_id": "w", "name": "n"})

    sleeps: list[float] = []
    c = client_for(handler, sleeps)
    assert c.get_workflow("w") == {"workflow_id": "w", "name": "n"}
    assert len(calls) == 3 and c.stats.retried == 2
    assert sleeps == [0.01, 0.02]  # exponential backoff


def test_retry_after_is_honoured() -> None:
    responses = [httpx.Response(429, headers={"Retry-After": "3"}, json={"error": "rate limit exceeded"}),
                 httpx.Response(200, json=[])]
    sleeps: list[float] = []
    c = client_for(lambda req: responses.pop(0), sleeps)
    assert c.list_models() == []
    assert c.stats.rate_limited == 1
    assert sleeps and sleeps[0] >= 2.9  # waited for Retry-After, not the (tiny) backoff


def test_gives_up_with_the_right_error() -> None:
    c = client_for(lambda req: httpx.Response(500, json={"error": "boom"}))
    with pytest.raises(E.ServerError) as info:
        c.get_workflow("w")
    assert "gave up after 4 attempts" in str(info.value) and c.stats.requests == 4

    def refuse(req: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=req)

    with pytest.raises(E.TransportError):
        client_for(refuse).get_workflow("w")


@pytest.mark.parametrize("status,cls", [(400, E.BadRequestError), (401, E.AuthError), (403, E.ForbiddenError),
                                        (409, E.ConflictError), (422, E.BadRequestError)])
def test_client_errors_are_not_retried(status: int, cls: type) -> None:
    calls = []

    def handler(req: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(status, json={"error": "nope"})

    with pytest.raises(cls) as info:
        client_for(handler).update_workflow("w", {"name": "x"})
    assert len(calls) == 1 and getattr(info.value, "status") == status


def test_locked_is_a_forbidden_error() -> None:
    c = client_for(lambda req: httpx.Response(403, json={"error": "version v2 of workflow 'x' is locked"}))
    with pytest.raises(E.LockedError):
        c.upsert_version("w", "v2", {"definition": {}})


def test_404_is_none_for_lookups() -> None:
    assert client_for(lambda req: httpx.Response(404, json={"error": "not found"})).get_workflow("w") is None


def test_non_idempotent_post_is_not_blindly_resent() -> None:
    calls = []

    def handler(req: httpx.Request) -> httpx.Response:
        calls.append(json.loads(req.content))
        raise httpx.ReadError("connection reset", request=req)

    with pytest.raises(E.AmbiguousWriteError):
        client_for(handler).create_workflow({"name": "x", "description": "", "definition": {}})
    assert len(calls) == 1


def test_429_retry_after_against_the_emulator(make_emulator: Any) -> None:
    emu = make_emulator(rate_limit_per_min=60, burst=1)
    sleeps: list[float] = []

    def real_sleep(s: float) -> None:
        import time
        sleeps.append(s)
        time.sleep(s)

    class NoPacing(Pacer):
        def observe(self, headers: Any, *, limited: bool = False) -> None:  # never learn the limit
            pass

    settings = Settings(endpoints=endpoints_for(emu.base_url), api_key=Secret(API_KEY), retry=FAST)
    with ApiClient(settings, sleep=real_sleep, pacer=NoPacing(sleep=real_sleep)) as c:
        c.list_models(limit=1)
        c.list_models(limit=1)  # 429 Retry-After: 1, then succeeds
    assert emu.stats.rate_limited >= 1 and c.stats.rate_limited >= 1
    assert max(sleeps) >= 0.99


def test_pacer_spends_the_burst_then_keeps_the_rate() -> None:
    now = [0.0]
    waits: list[float] = []

    def sleep(s: float) -> None:
        waits.append(s)
        now[0] += s

    p = Pacer(clock=lambda: now[0], sleep=sleep)
    p.acquire()
    p.observe({"x-ratelimit-limit": "600", "x-ratelimit-remaining": "4"})
    for _ in range(4):  # the 4 tokens left go out at once
        p.acquire()
        p.observe({"x-ratelimit-limit": "600", "x-ratelimit-remaining": "3"})
    assert waits == []
    for _ in range(10):  # then one per 60/600 s (a little slower, for safety)
        p.acquire()
        p.observe({"x-ratelimit-limit": "600", "x-ratelimit-remaining": "0"})
    assert len(waits) == 10 and all(0.1 <= w < 0.11 for w in waits)
    p.block_for(2.0)
    before = now[0]
    p.acquire()
    assert now[0] - before >= 2.0 - 1e-9
