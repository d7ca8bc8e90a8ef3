"""``trigger``: start an execution and optionally follow it to the end.

A trigger is a non-idempotent POST. After an ambiguous failure the workflow's newest
executions are checked for one started by this call (same inputs, created after it began)
before re-posting, so a dropped response does not start the run twice.

A flow's ``outputs:`` (the definition's ``output_mapping``): the /v1 surface returns them as
``workflow_output``; the engine surface returns only the last step's ``output``, so
:func:`flow_outputs` resolves the mapping over the execution's ``step_outputs`` with the
simulator's own output resolvers (one interpreter for ``{{...}}``), and
:class:`ExecutionWatch` adds the result as ``workflow_output`` to a completed execution.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from flowdsl.remote.client import ApiClient, latest_version_id
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
    resp, found = _post_or_find(client, ident, lambda: client.trigger(ident, inputs, version_id),
                                [inputs], set(), sleep)
    if found is not None:
        return str(found[0]["execution_id"])
    eid = resp.get("execution_id") if isinstance(resp, dict) else None
    if not eid:
        raise RemoteError(f"trigger of {ident!r} failed: {(resp or {}).get('message', 'no execution id')}")
    return str(eid)


BULK_MAX = 10  # inputs per bulk-trigger request, the API's limit


def start_bulk(client: ApiClient, ident: str, batch: list[dict[str, Any]], *,
               version_id: str | None = None, sleep: Callable[[float], None] = time.sleep,
               known: set[str] | None = None) -> list[dict[str, Any]]:
    """One bulk trigger of ``batch`` (1-10 inputs): its entries, in order, each with
    ``status`` queued (and ``execution_id``) or failed (and ``message``). After an ambiguous
    failure the workflow's newest executions are checked for this batch's before re-posting
    (``known``: execution ids already accounted for, e.g. earlier batches with equal inputs)."""
    if not 1 <= len(batch) <= BULK_MAX:
        raise ValueError(f"a bulk trigger takes 1 to {BULK_MAX} inputs")
    resp, found = _post_or_find(client, ident, lambda: client.bulk_trigger(ident, batch, version_id),
                                batch, known or set(), sleep)
    if found is not None:
        return found
    entries = resp.get("executions") if isinstance(resp, dict) else None
    if not isinstance(entries, list) or len(entries) != len(batch):
        raise RemoteError(f"bulk trigger of {ident!r}: the response does not list one execution per input")
    return [e if isinstance(e, dict) else {"status": "failed", "message": "no entry"} for e in entries]


def _post_or_find(client: ApiClient, ident: str, post: Callable[[], Any], batch: list[dict[str, Any]],
                  known: set[str], sleep: Callable[[float], None]) -> tuple[Any, list[dict[str, Any]] | None]:
    """Send a trigger (``post``), never re-sending blindly: (the response, None), or after a
    lost response (None, the executions it started, found by inputs and time); a batch that
    is not found is re-sent by the retry policy."""
    policy = client.settings.retry
    began = time.time() - 1.0  # the API's timestamps have whole seconds
    for attempt in range(1, policy.max_attempts + 1):
        try:
            return post(), None
        except AmbiguousWriteError:
            found = _find_started(client, ident, batch, began, known)
            if found is not None:
                return None, found
            if attempt < policy.max_attempts:
                sleep(policy.delay(attempt))
    raise TransportError(f"could not trigger {ident!r} after {policy.max_attempts} attempts")


def _find_started(client: ApiClient, ident: str, batch: list[dict[str, Any]],
                  began: float, known: set[str]) -> list[dict[str, Any]] | None:
    """The executions a lost bulk request started, one per input, or None if it started none.
    A batch that started only some (which the API's all-or-nothing queueing rules out) is an error."""
    try:
        recent = (client.list_executions(ident, limit=100) or {}).get("executions") or []
    except RemoteError:
        return None
    pool = [e for e in recent if (_parse_time(e.get("created_at")) or 0.0) >= began
            and str(e.get("execution_id")) not in known]
    found: list[dict[str, Any]] = []
    for inputs in batch:
        hit = next((e for e in pool if e.get("inputs") == inputs), None)
        if hit is None:
            break
        pool.remove(hit)
        found.append({"execution_id": str(hit["execution_id"]), "status": "queued"})
    if not found:
        return None
    if len(found) < len(batch):
        raise RemoteError(f"bulk trigger of {ident!r}: the response was lost and only {len(found)} of "
                          f"{len(batch)} executions can be found; not re-sending")
    return found


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
                if detail.get("status") == "completed" and "workflow_output" not in detail:
                    mapped = flow_outputs(self.client, detail)
                    if mapped is not None:
                        detail["workflow_output"] = mapped
                return detail
            if time.monotonic() >= deadline:
                raise RemoteError(f"execution {self.execution_id} still {detail.get('status')} "
                                  f"after {self.timeout:.0f} s")
            self.sleep(self.interval)


@dataclass
class _StepRecord:
    """A finished execution's ``StepOutput`` as the simulator's references read a step."""

    id: str
    status: str
    ended: float | None
    output: Any
    primary: Any
    error: dict[str, Any] | None
    selected: str | None

    @staticmethod
    def of(sid: str, so: dict[str, Any]) -> "_StepRecord":
        from flowdsl.simulate.defaults import primary_of
        status = str(so.get("status") or "")
        output = so.get("output")
        error = {"error": so.get("error"), "cause": so.get("error_cause")} if status == "failed" else None
        return _StepRecord(sid, status, 0.0 if status in ("completed", "failed") else None, output,
                           so["primary"] if "primary" in so else primary_of(output), error, so.get("selected"))


def _execution_version(client: ApiClient, workflow_id: str, execution_id: str) -> str | None:
    try:
        listed = (client.list_executions(workflow_id, limit=50) or {}).get("executions") or []
    except RemoteError:
        return None
    return next((str(e["version_id"]) for e in listed
                 if e.get("execution_id") == execution_id and e.get("version_id")), None)


def flow_outputs(client: ApiClient, detail: dict[str, Any]) -> dict[str, Any] | None:
    """The flow's mapped ``outputs:`` for a completed execution, resolved over its
    ``step_outputs``; None when its definition has no mapping or cannot be fetched."""
    from flowdsl.frontend.source import load_source
    from flowdsl.simulate import Simulator
    from flowdsl.simulate.values import Scope
    wid = detail.get("workflow_id")
    if not isinstance(wid, str) or not wid:
        return None
    try:
        wf = client.get_workflow(wid)
    except RemoteError:
        return None
    if wf is None:
        return None
    vid = detail.get("version_id") or _execution_version(client, wid, str(detail.get("execution_id")))
    vid = vid or latest_version_id(wf)
    version = next((v for v in wf.get("versions") or [] if isinstance(v, dict) and v.get("version_id") == vid), None)
    definition = (version or {}).get("definition")
    if not isinstance(definition, dict):
        return None
    flow = load_source(json.dumps(definition), "definition.json").workflow
    if flow is None or not flow.outputs:
        return None
    records = {sid: _StepRecord.of(sid, so) for sid, so in (detail.get("step_outputs") or {}).items()
               if isinstance(so, dict)}
    scope = Scope(detail.get("inputs") or {}, records, math.inf)
    return {name: resolve(scope) for name, resolve in Simulator(flow).outputs}
