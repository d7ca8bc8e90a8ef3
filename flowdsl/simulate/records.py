"""What a run records per step, and how: the step record, a failure, the retry policy, and
which header names and inputs are secrets (shown as ``***`` in every trace)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flowdsl import ir
from flowdsl.simulate import defaults as D
from flowdsl.simulate.values import iter_value_refs

INF = math.inf
# A step the run never reached (after a failure, past the time limit): not "cancelled",
# which is for a step stopped while it was running.
NOT_RUN = "not_run"
# Header names whose values are credentials (matched case-insensitively, as substrings).
SECRET_HEADER_PARTS = ("authorization", "token", "secret", "key", "cookie", "password")
REDACTED = "***"


def secret_header(name: str) -> bool:
    low = name.lower()
    return any(p in low for p in SECRET_HEADER_PARTS)


class Rec:
    """One step's record in one run."""

    __slots__ = ("id", "kind", "status", "started", "ended", "output", "primary", "params", "attempts",
                 "fallback_used", "primary_error", "selected", "error", "cost", "estimated", "critical",
                 "model", "condition", "notes")

    def __init__(self, sid: str, kind: str) -> None:
        self.id = sid
        self.kind = kind
        self.status = "pending"
        self.started: float | None = None
        self.ended: float | None = None
        self.output: Any = None
        self.primary: Any = None
        self.params: Any = None
        self.attempts: list[dict[str, Any]] = []
        self.fallback_used = False
        self.primary_error: dict[str, Any] | None = None
        self.selected: str | None = None
        self.error: dict[str, Any] | None = None
        self.cost = 0.0
        self.estimated: list[str] = []
        self.critical = False
        self.model: str | None = None
        self.condition: list[dict[str, Any]] | None = None
        self.notes: list[str] = []


@dataclass(frozen=True)
class Failure:
    time: float
    error: dict[str, Any]
    step: str


@dataclass(frozen=True)
class Policy:
    attempts: int
    delay_s: float
    backoff: float
    retry_on: frozenset[str] | None

    @staticmethod
    def of(retry: ir.Retry | None) -> "Policy":
        if retry is None:
            return Policy(1, D.RETRY_DELAY_S, D.RETRY_BACKOFF, None)
        on = frozenset(e.lower() for e in retry.retry_on) if retry.retry_on else None
        return Policy(max(1, retry.max_attempts or 1),
                      D.RETRY_DELAY_S if retry.initial_delay_s is None else float(retry.initial_delay_s),
                      D.RETRY_BACKOFF if retry.backoff_multiplier is None else float(retry.backoff_multiplier),
                      on)

    def retries(self, error: str) -> bool:
        return self.retry_on is None or error.lower() in self.retry_on or "all" in self.retry_on


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def secret_inputs(wf: ir.Workflow) -> frozenset[str]:
    """Inputs whose values feed an http step's ``auth`` or a secret header: a trace shows
    them as ``***`` (``*`` in the set: a bare ``{{inputs}}`` feeds one, so all are)."""
    names: set[str] = set()
    for s in wf.all_steps():
        if not isinstance(s, ir.HttpStep):
            continue
        values: list[ir.Value] = []
        if s.auth is not None:
            values.append(s.auth.fields)
        if s.headers is not None:
            values.extend(v for k, v in s.headers.entries if secret_header(k.name))
        for v in values:
            for ref in iter_value_refs(v):
                if ref.root == "inputs":
                    names.add(ref.path[0] if ref.path else "*")
    return frozenset(names)
