"""The plan's nodes, one class per step kind: a leaf (model, http, python) with its attempts,
fallback and estimate; a pass; a parallel step's branches on one clock; a choice's branch.

Each node's ``run`` advances the virtual clock of a :class:`~flowdsl.simulate.run.Run`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from flowdsl import ir
from flowdsl.simulate import defaults as D
from flowdsl.simulate.mocks import StepMock
from flowdsl.simulate.operators import evaluate
from flowdsl.simulate.records import REDACTED, Failure, Policy, Rec, secret_header
from flowdsl.simulate.values import Scope, UnresolvedReference, compile_value

if TYPE_CHECKING:
    from flowdsl.simulate.engine import Simulator
    from flowdsl.simulate.run import Run


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


def _close(run: "Run", rec: Rec, end: float, failure: Failure | None) -> tuple[float, Failure | None]:
    """End a container step (parallel or choice) whose output is already set: failed with
    its branch's error (kept output), else completed with its primary."""
    if failure is not None:
        run.fail(rec, end, failure.error, keep_output=True)
        return end, Failure(end, failure.error, failure.step)  # the step where it started
    rec.status = "completed"
    rec.primary = D.primary_of(rec.output)
    return end, None


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
        return _close(run, rec, end, failure)


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
        return _close(run, rec, end, failure)
