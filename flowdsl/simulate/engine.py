"""A workflow run in virtual time, over the IR: nothing sleeps, nothing is sent.

The flow is compiled once into a plan of nodes (params as resolvers, retry policy, mock,
duration/cost estimate); :meth:`Simulator.run` then executes the plan as often as asked.

Time: a sequence runs its steps one after another; a parallel step runs every branch from
the same instant and ends when the slowest does (or, when a branch fails, at that failure:
whatever the other branches were still doing from then on is cancelled); a choice takes no
time itself. Because branches are simulated one after the other, every reference checks the
*virtual* clock: a step may only read a step that finished at or before its own start.

Failures: a leaf step retries by its policy (the step's, else the workflow's), with virtual
backoff delays; a model step whose primary fails for good runs its fallback (recorded as
``<id>_fallback``); a step's timeout caps each attempt; ``continue_on_error`` lets the flow
go on past a failed step; the workflow timeout (default and ceiling: 15 minutes) cancels
whatever is still running then.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, Callable

from flowdsl import ir
from flowdsl.catalog.model import ModelSpec
from flowdsl.simulate import defaults as D
from flowdsl.simulate.mocks import Mocks, StepMock
from flowdsl.simulate.operators import evaluate
from flowdsl.simulate.sandbox import PythonRunner
from flowdsl.simulate.values import (MISSING, Scope, UnresolvedReference, compile_value, iter_value_refs, lookup,
                                     plain, to_text)

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


# ------------------------------------------------------------------ plan nodes


class Node:
    id: str
    kind: str
    timeout_s: float | None
    continue_on_error: bool
    ids: list[str]  # this step's records and every nested one, document order

    def __init__(self, step: ir.Step) -> None:
        self.step = step
        self.id = step.id
        self.kind = step.kind
        self.timeout_s = step.common.timeout_s if step.common.timeout_s else None
        self.continue_on_error = bool(step.common.continue_on_error)
        self.ids = [self.id]

    def run(self, run: "Run", t: float) -> tuple[float, Failure | None]:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class Estimate:
    duration_s: tuple[float, float]
    cost_usd: float
    duration_estimated: bool
    cost_estimated: bool


class Call:
    """One callable thing (a model, its fallback, an http request, python code) and how it
    behaves when it is called: its mock, its duration and cost, its default answer."""

    def __init__(self, rec_id: str, kind: str, mock: StepMock | None, estimate: Estimate,
                 default: Callable[["Run", int, Any, float | None], tuple[bool, Any, str, str, str]]) -> None:
        self.rec_id = rec_id
        self.kind = kind
        self.mock = mock
        self.estimate = estimate
        self.default = default  # (run, attempt, params, timeout) -> (ok, output, error, cause, source)
        self.duration = mock.duration_s if mock and mock.duration_s else estimate.duration_s
        self.cost = mock.cost_usd if mock and mock.cost_usd is not None else estimate.cost_usd
        self.estimated: list[str] = []
        if not (mock and mock.duration_s) and estimate.duration_estimated:
            self.estimated.append("duration")
        if not (mock and mock.cost_usd is not None) and estimate.cost_estimated:
            self.estimated.append("cost")


class Leaf(Node):
    def __init__(self, step: ir.Step, sim: "Simulator") -> None:
        super().__init__(step)
        self.policy = Policy.of(step.common.retry or sim.wf.retry)
        self.fallback: Call | None = None
        self.fallback_params: Callable[[Scope], Any] | None = None
        self.model: str | None = None
        self.fallback_model: str | None = None
        self.code: str | None = None  # a python step's code
        self.required: tuple[str, ...] = ()  # a model's required params (its request schema)
        self.fallback_required: tuple[str, ...] = ()
        mock = sim.mocks.get(step.id) if sim.mocks else None
        if isinstance(step, ir.ModelStep):
            self.model = step.model
            self.required = sim.required_params(step.model)
            self.params = compile_value(step.params)
            self.call = sim.model_call(step.id, step.model, mock)
            fb = step.fallback
            if fb is not None and fb.enabled is not False:
                fid = ir.fallback_id(step.id)
                self.fallback_model = fb.model
                self.fallback_required = sim.required_params(fb.model)
                self.fallback = sim.model_call(fid, fb.model, sim.mocks.get(fid) if sim.mocks else None)
                self.fallback_params = compile_value(fb.params)
                self.ids.append(fid)
        elif isinstance(step, ir.HttpStep):
            parts = {"method": step.method, "url": compile_value(step.url),
                     "headers": compile_value(step.headers), "query": compile_value(step.query),
                     "body": compile_value(step.body),
                     "auth": compile_value(step.auth.fields) if step.auth is not None else None}
            auth_type = step.auth.type if step.auth is not None else None

            def http_params(scope: Scope) -> dict[str, Any]:
                out: dict[str, Any] = {"method": parts["method"], "url": parts["url"](scope)}  # type: ignore[operator]
                for name in ("headers", "query", "body"):
                    v = parts[name](scope)  # type: ignore[operator]
                    if name == "headers" and isinstance(v, dict):
                        v = {k: REDACTED if secret_header(str(k)) else x for k, x in v.items()}
                    if v is not None:
                        out[name] = v
                if parts["auth"] is not None:
                    fields = parts["auth"](scope)  # type: ignore[operator]
                    # Resolved, but never printed: a trace is something people paste.
                    out["auth"] = {"type": auth_type, **{k: "***" for k in (fields or {})}}
                return out
            self.params = http_params
            est = Estimate(D.HTTP_DURATION_S, D.HTTP_COST_USD, True, False)

            def http_default(run: Run, n: int, params: Any, timeout: float | None) -> tuple[bool, Any, str, str, str]:
                return True, D.http_output(params.get("method", "GET"), params.get("url")), "", "", "default"
            self.call = Call(step.id, "http", mock, est, http_default)
        elif isinstance(step, ir.PythonStep):
            self.params = compile_value(step.inputs)
            code = self.code = step.code.text
            est = Estimate(D.PYTHON_DURATION_S, D.PYTHON_COST_USD, True, False)

            def python_default(run: Run, n: int, params: Any, timeout: float | None) -> tuple[bool, Any, str, str, str]:
                res = run.sim.python.run(code, params if params is not None else {}, timeout)
                if not res.ran:  # --python mock: nothing runs, no mock response: no result
                    return True, None, "", "", "default"
                if res.ok:
                    return True, res.output, "", "", "python"
                return False, None, res.error, res.cause, "python"
            self.call = Call(step.id, "python", mock, est, python_default)
        else:  # pragma: no cover - the plan builder sends only leaves here
            raise TypeError(step.kind)

    def run(self, run: "Run", t: float) -> tuple[float, Failure | None]:
        rec = run.records[self.id]
        rec.started = t
        rec.model = self.model
        run.scope.now = t
        try:
            params = self.params(run.scope)
        except UnresolvedReference as exc:
            return t, run.fail(rec, t, {"error": "unresolved_reference", "cause": str(exc)})
        rec.params = params
        err: dict[str, Any] | None
        null = _null_required(params, self.required)
        if null is not None:
            ok, output, err = False, None, null  # rejected before any attempt, as the engine does
            rec.primary_error = err
        else:
            t, ok, output, err = run.attempts(rec, self.call, t, params, self.timeout_s, self.policy)
        if not ok and self.fallback is not None and self.fallback_params is not None:
            fb = run.records[self.fallback.rec_id]
            fb.started = t
            fb.model = self.fallback_model
            fb.fallback_used = rec.fallback_used = True
            fb.primary_error = rec.primary_error = err
            run.scope.now = t
            try:
                fparams = self.fallback_params(run.scope)
            except UnresolvedReference as exc:
                run.fail(fb, t, {"error": "unresolved_reference", "cause": str(exc)})
                return t, run.fail(rec, t, fb.error or {})
            fb.params = fparams
            null = _null_required(fparams, self.fallback_required)
            if null is not None:
                ok, output, err = False, None, null
            else:
                t, ok, output, err = run.attempts(fb, self.fallback, t, fparams, self.timeout_s, self.policy)
            fb.ended = t
            if ok:
                fb.status = "completed"
                fb.output, fb.primary = output, D.primary_of(output)
            else:
                fb.status, fb.error = "failed", err
        rec.ended = t
        if ok:
            rec.status = "completed"
            rec.output, rec.primary = output, D.primary_of(output)
            if self.fallback is not None and not rec.fallback_used:
                run.records[self.fallback.rec_id].status = "skipped"  # not needed
            return t, None
        return t, run.fail(rec, t, err or {"error": "failed", "cause": ""})


def _null_required(params: Any, required: tuple[str, ...]) -> dict[str, Any] | None:
    """The engine validates a model's params before it calls the model: a required param
    that resolved to null fails the step there (no attempt is made)."""
    if not required or not isinstance(params, dict):
        return None
    for name in required:
        if name in params and params[name] is None:
            return {"error": "validation_error",
                    "cause": f"required param '{name}' is null (a template resolved to null)"}
    return None


class Pass(Node):
    def __init__(self, step: ir.PassStep) -> None:
        super().__init__(step)
        self.result = compile_value(step.result)
        self.result_path = step.result_path

    def run(self, run: "Run", t: float) -> tuple[float, Failure | None]:
        rec = run.records[self.id]
        rec.started = t
        run.scope.now = t
        try:
            out = self.result(run.scope)
        except UnresolvedReference as exc:
            return t, run.fail(rec, t, {"error": "unresolved_reference", "cause": str(exc)})
        if self.result_path:
            rec.notes.append("result_path is kept for the engine; the simulator does not apply it")
        rec.ended = t
        rec.status = "completed"
        rec.output, rec.primary = out, D.primary_of(out)
        return t, None


def _container_cap(node: "Parallel | Choice", run: "Run", t: float, end: float,
                   failure: "Failure | None", kind: str) -> tuple[float, "Failure | None"]:
    """A parallel or choice step's own timeout: past it, what still runs inside is cut."""
    if node.timeout_s is None or end - t <= node.timeout_s:
        return end, failure
    end = t + node.timeout_s
    run.cut(node.ids[1:], end, f"step {node.id} timed out")
    return end, Failure(end, {"error": "timeout", "cause": f"the {kind} step ran longer than its "
                              f"{node.timeout_s:g} s timeout"}, node.id)


class Parallel(Node):
    def __init__(self, step: ir.ParallelStep, sim: "Simulator") -> None:
        super().__init__(step)
        self.branches = [sim.plan(b.steps) for b in step.branches]
        for b in self.branches:
            for n in b:
                self.ids.extend(n.ids)

    cap = _container_cap

    def prefetch(self, run: "Run", t: float) -> None:
        """Start, in the background, every python step of the branches whose inputs are
        already known at ``t`` (branches start together), so N branches' python steps cost
        about one step of wall time. The branches are then simulated one after the other as
        before, and each step waits for its own process: results do not depend on timing."""
        for branch in self.branches:
            for node in branch:
                if isinstance(node, Parallel):
                    node.prefetch(run, t)
                if not isinstance(node, Leaf) or node.code is None:
                    continue
                mock = node.call.mock
                if mock is not None and mock.response_for(0) is not None:
                    continue  # its mock answers; nothing runs
                run.scope.now = t
                try:
                    params = node.params(run.scope)
                except Exception:  # depends on something not done yet: it runs in its turn
                    continue
                run.sim.python.prefetch(node.code, params if params is not None else {}, node.timeout_s)
        run.scope.now = t

    def run(self, run: "Run", t: float) -> tuple[float, Failure | None]:
        rec = run.records[self.id]
        rec.started = t
        end = t
        failures: list[Failure] = []
        self.prefetch(run, t)
        for branch in self.branches:
            e, f = run.sequence(branch, t)
            end = max(end, e)
            if f is not None:
                failures.append(f)
        failure: Failure | None = None
        if failures:
            first = min(failures, key=lambda f: f.time)
            # The first failure ends the step; sibling branches stop there.
            run.cut(self.ids[1:], first.time, "a sibling branch failed")
            end, failure = first.time, first
        end, failure = self.cap(run, t, end, failure, "parallel")
        rec.ended = end
        rec.output = [run.records[b[-1].id].output if b else None for b in self.branches]
        if failure is not None:
            run.fail(rec, end, failure.error, keep_output=True)
            return end, Failure(end, failure.error, failure.step)  # the step where it started
        rec.status = "completed"
        rec.primary = D.primary_of(rec.output)
        return end, None


class Choice(Node):
    def __init__(self, step: ir.ChoiceStep, sim: "Simulator") -> None:
        super().__init__(step)
        self.condition = step.condition
        self.then = sim.plan(step.then.steps)
        self.otherwise = sim.plan(step.otherwise.steps) if step.otherwise is not None else []
        self.then_ids = [i for n in self.then for i in n.ids]
        self.otherwise_ids = [i for n in self.otherwise for i in n.ids]
        self.ids.extend(self.then_ids + self.otherwise_ids)

    cap = _container_cap

    def run(self, run: "Run", t: float) -> tuple[float, Failure | None]:
        rec = run.records[self.id]
        rec.started = t
        run.scope.now = t
        ev = evaluate(self.condition, run.scope)
        rec.condition = ev.checks
        rec.selected = "condition_met" if ev.result else "default"
        branch, other = (self.then, self.otherwise_ids) if ev.result else (self.otherwise, self.then_ids)
        for i in other:
            run.records[i].status = "skipped"
        end, failure = run.sequence(branch, t)
        end, failure = self.cap(run, t, end, failure, "choice")
        rec.ended = end
        rec.output = run.records[branch[-1].id].output if branch else None
        if failure is not None:
            run.fail(rec, end, failure.error, keep_output=True)
            return end, Failure(end, failure.error, failure.step)  # the step where it started
        rec.status = "completed"
        rec.primary = D.primary_of(rec.output)
        return end, None


# ------------------------------------------------------------------ one run


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


# ------------------------------------------------------------------ the simulator


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



class Simulator:
    """A compiled workflow, ready to run many times.

    ``seed=None`` gives the *nominal* run: every duration at the middle of its range and no
    random failures (only the mocks' ``throw`` responses fail). A seed draws durations from
    their ranges and failures from ``failure_probability``, reproducibly.
    """

    def __init__(self, wf: ir.Workflow, catalog: Any = None, mocks: Mocks | None = None,
                 python: PythonRunner | None = None) -> None:
        self.wf = wf
        self.catalog = catalog
        self.mocks = mocks
        self.python = python or PythonRunner()
        limit = D.WORKFLOW_LIMIT_S
        self.deadline = min(wf.timeout_s, limit) if wf.timeout_s else limit
        self.deadline_error = {"error": "timeout",
                               "cause": f"the workflow ran longer than its {self.deadline:g} s limit"}
        self._specs: dict[str, ModelSpec | None] = {}
        self.kinds: dict[str, str] = {}
        for s in wf.all_steps():
            self.kinds[s.id] = s.kind
            if isinstance(s, ir.ModelStep) and s.fallback is not None and s.fallback.enabled is not False:
                self.kinds.setdefault(ir.fallback_id(s.id), "model")
        real = {s.id for s in wf.all_steps()}
        self.fallback_ids = {sid for sid in self.kinds if sid not in real}
        self.nodes = self.plan(wf.steps)
        self.order = [i for n in self.nodes for i in n.ids]
        self.outputs = [(o.name, self._output_resolver(o)) for o in wf.outputs]
        self.secret_inputs = secret_inputs(wf)

    # plan ------------------------------------------------------------------
    def plan(self, steps: tuple[ir.Step, ...]) -> list[Node]:
        out: list[Node] = []
        for s in steps:
            if isinstance(s, ir.ParallelStep):
                out.append(Parallel(s, self))
            elif isinstance(s, ir.ChoiceStep):
                out.append(Choice(s, self))
            elif isinstance(s, ir.PassStep):
                out.append(Pass(s))
            else:
                out.append(Leaf(s, self))
        return out

    def spec(self, slug: str) -> ModelSpec | None:
        if slug not in self._specs:
            spec = None
            if self.catalog is not None:
                try:
                    spec = self.catalog.get(slug)
                except Exception:  # a broken cache must not stop a rehearsal
                    spec = None
            self._specs[slug] = spec
        return self._specs[slug]

    def required_params(self, slug: str) -> tuple[str, ...]:
        spec = self.spec(slug)
        schema = spec.request_schema if spec is not None else None
        req = schema.get("required") if isinstance(schema, dict) else None
        return tuple(r for r in req if isinstance(r, str)) if isinstance(req, list) else ()

    def model_call(self, rec_id: str, slug: str, mock: StepMock | None) -> Call:
        spec = self.spec(slug)
        duration, cost, d_est, c_est = D.model_estimate(spec, slug)

        def default(run: Run, n: int, params: Any, timeout: float | None) -> tuple[bool, Any, str, str, str]:
            return True, D.model_output(spec, slug, rec_id, n, params), "", "", "default"
        return Call(rec_id, "model", mock, Estimate(duration, cost, d_est, c_est), default)

    @staticmethod
    def _output_resolver(o: ir.Output) -> Callable[[Scope], Any]:
        t = o.value.template
        if t is not None:
            if t.whole:
                r = t.refs[0]
                return lambda s: plain(lookup(s, r.root, r.path, False))
            parts = t.parts
            return lambda s: "".join(p if isinstance(p, str) else to_text(lookup(s, p.root, p.path, False))
                                     for p in parts)
        if o.refs:
            r = o.refs[0]
            return lambda s: plain(lookup(s, r.root, r.path, False))
        value = o.value.value
        return lambda s: value

    # run -------------------------------------------------------------------
    def with_defaults(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """Declared defaults for inputs not given (the engine applies them before a run)."""
        missing = [d for d in self.wf.inputs if d.name not in inputs and d.schema.get("default") is not None]
        if not missing:
            return inputs
        out = dict(inputs)
        for d in missing:
            default = d.schema.get("default")
            assert default is not None
            out[d.name] = default.to_python()
        return out

    def run(self, inputs: dict[str, Any], seed: int | None = None, rng: random.Random | None = None) -> "Result":
        if rng is None and seed is not None:
            rng = random.Random(seed)
        run = Run(self, self.with_defaults(inputs), rng)
        end, failure = run.sequence(self.nodes, 0.0)
        timed_out = run.hit_deadline or end > self.deadline
        if timed_out:
            run.cut(self.order, self.deadline, f"the workflow reached its {self.deadline:g} s time limit")
            end = min(end, self.deadline) if end > self.deadline else end
            failure = Failure(self.deadline, self.deadline_error, "")
        for r in run.records.values():
            if r.status == "pending":  # after a failure or the time limit: never started
                r.status = NOT_RUN
        return Result(self, run, end, failure, timed_out, seed)


class Result:
    """The outcome of one run; :meth:`trace` is the JSON form."""

    def __init__(self, sim: Simulator, run: Run, end: float, failure: Failure | None, timed_out: bool,
                 seed: int | None) -> None:
        self.sim = sim
        self.records = run.records
        self.inputs = run.scope.inputs
        self.duration_s = end
        self.failure = failure
        self.timed_out = timed_out
        self.seed = seed
        self.status = "failed" if failure is not None else "completed"
        self.cost_usd = sum(r.cost for r in run.records.values())
        self._mark_critical(sim.nodes)

    @property
    def fallbacks(self) -> list[str]:
        return [r.id for r in self.records.values() if r.fallback_used and r.id in self.sim.kinds
                and not r.id.endswith("_fallback")]

    def _mark_critical(self, nodes: list[Node]) -> None:
        for node in nodes:
            rec = self.records[node.id]
            if rec.started is None:
                continue
            rec.critical = True
            if isinstance(node, Leaf) and node.fallback is not None:
                fb = self.records[node.fallback.rec_id]
                fb.critical = fb.started is not None
            elif isinstance(node, Parallel):
                best: list[Node] | None = None
                best_end = -1.0
                for b in node.branches:
                    ends = [e for n in b for i in n.ids if (e := self.records[i].ended) is not None]
                    e = max(ends) if ends else -1.0
                    if e > best_end:
                        best, best_end = b, e
                if best:
                    self._mark_critical(best)
            elif isinstance(node, Choice):
                self._mark_critical(node.then if rec.selected == "condition_met" else node.otherwise)

    def output(self) -> Any:
        if self.status != "completed":
            return None
        scope = Scope(self.inputs, self.records, INF)
        if self.sim.outputs:
            return {name: r(scope) for name, r in self.sim.outputs}
        # No output_mapping: the engine returns the last finished step's output.
        last: Rec | None = None
        for sid in self.sim.order:
            r = self.records[sid]
            if r.status == "completed" and r.kind not in ("parallel", "choice") and r.ended is not None:
                if last is None or r.ended >= last.ended:  # type: ignore[operator]
                    last = r
        return None if last is None else plain(last.output)

    def critical_path(self) -> list[str]:
        return [sid for sid in self.sim.order if self.records[sid].critical]

    def step_json(self, sid: str) -> dict[str, Any]:
        r = self.records[sid]
        out: dict[str, Any] = {"kind": r.kind, "status": r.status, "started_s": _round(r.started),
                               "ended_s": _round(r.ended)}
        if r.model is not None:
            out["model"] = r.model
        out.update({"attempts": r.attempts, "params": plain(r.params), "output": plain(r.output),
                    "primary": plain(r.primary), "error": r.error, "fallback_used": r.fallback_used,
                    "selected": r.selected, "cost_usd": round(r.cost, 6), "critical": r.critical})
        if r.primary_error is not None:
            out["primary_error"] = r.primary_error
        if r.condition is not None:
            out["condition"] = r.condition
        if r.estimated and r.started is not None:
            out["estimated"] = list(r.estimated)
        if r.notes:
            out["notes"] = r.notes
        return out

    def trace(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "duration_s": _round(self.duration_s),
            "cost_usd": round(self.cost_usd, 6),
            "output": self.output(),
            "error": None if self.failure is None else dict(self.failure.error, step=self.failure.step),
            "timed_out": self.timed_out,
            "time_limit_s": self.sim.deadline,
            "mode": "nominal" if self.seed is None else "seeded",
            "seed": self.seed,
            "inputs": {k: REDACTED if k in self.sim.secret_inputs or "*" in self.sim.secret_inputs else plain(v)
                       for k, v in self.inputs.items()},
            "critical_path": self.critical_path(),
            "steps": {sid: self.step_json(sid) for sid in self.visible()},
        }

    def visible(self) -> list[str]:
        """Step ids in document order; a ``<id>_fallback`` only when the fallback ran."""
        return [sid for sid in self.sim.order
                if sid not in self.sim.fallback_ids or self.records[sid].fallback_used]


__all__ = ["MISSING", "NOT_RUN", "Result", "Simulator", "secret_header"]
