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

The pieces, by what they do: ``records`` (what a run records per step; secrets), ``nodes``
(the plan: one node class per step kind), ``run`` (one run's clock, attempts and cuts); this
module compiles a flow into a plan (:class:`Simulator`) and reads a finished run
(:class:`Result`).
"""

from __future__ import annotations

import random
from typing import Any, Callable

from flowdsl import ir
from flowdsl.catalog.model import ModelSpec
from flowdsl.simulate import defaults as D
from flowdsl.simulate.mocks import Mocks, StepMock
from flowdsl.simulate.nodes import Call, Choice, Estimate, Leaf, Node, Parallel, Pass
from flowdsl.simulate.records import (
    INF,
    NOT_RUN,
    REDACTED,
    Failure,
    Rec,
    _round,
    secret_header,
    secret_inputs,
)
from flowdsl.simulate.run import Run
from flowdsl.simulate.sandbox import PythonRunner
from flowdsl.simulate.values import MISSING, Scope, lookup, plain, to_text


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
