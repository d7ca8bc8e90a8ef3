"""``trigger``: start an execution and optionally follow it to the end.

A trigger is a non-idempotent POST. After an ambiguous failure the workflow's newest
executions are checked for one started by this call (same inputs, created after it began)
before re-posting, so a dropped response does not start the run twice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from flowdsl.remote.client import ApiClient
from flowdsl.remote.errors import AmbiguousWriteError, RemoteError, TransportError

TERMINAL = ("completed", "failed", "cancelled")


def _parse_time(text: Any) -> float | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None


def start_execution(client: ApiClient, ident: str, inputs: dict[str, Any], *,
                    version_id: str | None = None,
                    sleep: Callable[[float], None] = time.sleep) -> str:
    policy = client.settings.retry
    began = time.time() - 1.0  # the API's timestamps have whole seconds
    for attempt in range(1, policy.max_attempts + 1):
        try:
            resp = client.trigger(ident, inputs, version_id)
        except AmbiguousWriteError:
            try:
                recent = (client.list_executions(ident, limit=20) or {}).get("executions") or []
            except RemoteError:
                recent = []
            for ex in recent:
                created = _parse_time(ex.get("created_at"))
                if ex.get("inputs") == inputs and created is not None and created >= began:
                    return str(ex["execution_id"])
            if attempt < policy.max_attempts:
                sleep(policy.delay(attempt))
            continue
        eid = resp.get("execution_id") if isinstance(resp, dict) else None
        if not eid:
            raise RemoteError(f"trigger of {ident!r} failed: {(resp or {}).get('message', 'no execution id')}")
        return str(eid)
    raise TransportError(f"could not trigger {ident!r} after {policy.max_attempts} attempts")


@dataclass
class ExecutionWatch:
    """Polls an execution; ``on_step(step_id, status)`` fires on each step status change."""

    client: ApiClient
    execution_id: str
    interval: float = 1.0
    timeout: float = 15 * 60.0  # the platform's workflow execution limit
    sleep: Callable[[float], None] = time.sleep
    seen: dict[str, str] = field(default_factory=dict)

    def run(self, on_step: Callable[[str, str], None] | None = None) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while True:
            detail = self.client.get_execution(self.execution_id)
            for sid, so in (detail.get("step_outputs") or {}).items():
                status = str((so or {}).get("status", "?"))
                if self.seen.get(sid) != status:
                    self.seen[sid] = status
                    if on_step is not None:
                        on_step(sid, status)
            if detail.get("status") in TERMINAL:
                return detail
            if time.monotonic() >= deadline:
                raise RemoteError(f"execution {self.execution_id} still {detail.get('status')} "
                                  f"after {self.timeout:.0f} s")
            self.sleep(self.interval)


def parse_inputs(pairs: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """``k=v`` pairs; ``v`` is read as JSON when it parses (numbers, booleans, lists), else text."""
    import json
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"bad --input {pair!r}: expected KEY=VALUE")
        try:
            out[key] = json.loads(raw)
        except ValueError:
            out[key] = raw
    return out
