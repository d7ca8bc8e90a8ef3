"""One run of a plan: its clock, records, randomness, and the sequence/attempt/cut logic that
every node calls back into."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from flowdsl.simulate.nodes import Call, Node
from flowdsl.simulate.records import NOT_RUN, Failure, Policy, Rec, _round
from flowdsl.simulate.values import Scope

if TYPE_CHECKING:
    from flowdsl.simulate.engine import Simulator


class Run:
    def __init__(self, sim: "Simulator", inputs: dict[str, Any], rng: random.Random | None) -> None:
        self.sim = sim
        self.rng = rng
        self.records: dict[str, Rec] = {sid: Rec(sid, kind) for sid, kind in sim.kinds.items()}
        self.scope = Scope(inputs, self.records, 0.0)
        self.deadline = sim.deadline
        self.hit_deadline = False

    def draw(self, rng_range: tuple[float, float]) -> float:
        lo, hi = rng_range
        if self.rng is None or lo == hi:
            return (lo + hi) / 2
        return self.rng.uniform(lo, hi)

    def fail(self, rec: Rec, t: float, error: dict[str, Any], keep_output: bool = False) -> Failure:
        rec.status = "failed"
        rec.ended = t
        rec.error = error
        if not keep_output:
            rec.output = rec.primary = None
        return Failure(t, error, rec.id)

    def sequence(self, nodes: list[Node], t: float) -> tuple[float, Failure | None]:
        for node in nodes:
            if t >= self.deadline:
                self.hit_deadline = True
                return t, Failure(self.deadline, self.sim.deadline_error, node.id)
            end, failure = node.run(self, t)
            t = end
            if failure is not None and not node.continue_on_error:
                return t, failure
        return t, None

    def attempts(self, rec: Rec, call: Call, t: float, params: Any, timeout: float | None,
                 policy: Policy) -> tuple[float, bool, Any, dict[str, Any] | None]:
        mock = call.mock
        rec.estimated = call.estimated
        err: dict[str, Any] | None = None
        for n in range(policy.attempts):
            delay = 0.0
            if n:
                delay = policy.delay_s * policy.backoff ** (n - 1)
                t += delay
                if t >= self.deadline:
                    self.hit_deadline = True
                    break
            resp = mock.response_for(n) if mock is not None else None
            duration = self.draw(resp.duration_s if resp is not None and resp.duration_s else call.duration)
            if resp is not None:
                ok, output, ename, cause, source = resp.returns, resp.value, resp.error, resp.cause, "mock"
            else:
                ok, output, ename, cause, source = call.default(self, n, params, timeout)
            if ok and mock is not None and self.rng is not None and mock.failure_probability > 0 \
                    and self.rng.random() < mock.failure_probability:
                ok, output, ename, source = False, None, "server_error", "failure_probability"
                cause = f"simulated failure (failure_probability {mock.failure_probability:g})"
            if ename == "timeout" and not ok and source == "python":
                duration = timeout or self.sim.python.time_limit_s  # the process was stopped there
            att: dict[str, Any] = {"attempt": n, "started_s": _round(t)}
            if delay:
                att["delay_s"] = _round(delay)
            if timeout is not None and duration > timeout:
                duration = timeout
                ok, output, ename = False, None, "timeout"
                cause = f"no result within the step's {timeout:g} s timeout"
            cost = 0.0
            if ok:
                cost = resp.cost_usd if resp is not None and resp.cost_usd is not None else call.cost
            elif resp is not None and resp.cost_usd is not None:
                cost = resp.cost_usd
            t += duration
            att["ended_s"] = _round(t)
            att["source"] = source
            att["cost_usd"] = cost
            rec.cost += cost
            if ok:
                att["status"] = "completed"
                att["output"] = output
                rec.attempts.append(att)
                return t, True, output, None
            err = {"error": ename or "failed", "cause": cause}
            att["status"] = "failed"
            att["error"] = err
            rec.attempts.append(att)
            if not policy.retries(ename):
                break
        return t, False, None, err

    def cut(self, ids: list[str], at: float, reason: str) -> None:
        """Cancel, as of ``at``, whatever in ``ids`` was still running or not yet started."""
        for sid in ids:
            r = self.records[sid]
            if r.started is None or r.ended is None or r.ended <= at:
                continue  # never started, or done by then
            if r.started >= at:  # would not have started by then: it never ran
                r.status, r.started, r.ended = NOT_RUN, None, None
                r.output = r.primary = r.params = None
                r.attempts, r.cost, r.error, r.selected, r.condition = [], 0.0, None, None, None
                r.fallback_used, r.primary_error = False, None
            elif r.ended > at:
                r.status, r.ended = "cancelled", at
                r.output = r.primary = None
                r.error = {"error": "cancelled", "cause": reason}
                kept = []
                for a in r.attempts:
                    if a["started_s"] >= at:
                        continue
                    if a["ended_s"] > at:
                        # Whatever this attempt would have become (a result, its own timeout),
                        # it was stopped at ``at`` for ``reason``: say that, not the step's timeout.
                        a = dict(a, ended_s=_round(at), status="cancelled", cost_usd=0.0,
                                 error={"error": "cancelled", "cause": reason})
                        a.pop("output", None)
                    kept.append(a)
                r.attempts = kept
                r.cost = sum(a["cost_usd"] for a in kept)
