"""The mocks file: what each step returns, per attempt, and how long and how much.

    steps:
      portrait:
        responses:
          "0":   {throw: {error: server_error, cause: GPU out of memory}}
          "1-2": {return: ["https://cdn.example.com/p.png"]}
          "3+":  {return: [...], duration_s: 5}
        duration_s: 12            # or a range [10, 40] (drawn from in seeded runs)
        cost_usd: 0.03
        failure_probability: 0.1  # seeded / Monte Carlo runs only
      portrait_fallback: {...}    # the fallback model of step "portrait"

Attempts count from 0. An attempt no key covers takes the response of the last key. YAML
or JSON; every mistake is a finding at its file:line:col (rule ``mocks``), never a crash.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowdsl import codes
from flowdsl import ir
from flowdsl.diagnostics import Diagnostic, error
from flowdsl.frontend.nodes import Reader, plain
from flowdsl.frontend.load import YMap, YNode, YScalar, YSeq, load_bytes
from flowdsl.spans import Span
from flowdsl.suggest import did_you_mean
from flowdsl.simulate.values import MISSING, iter_value_refs, walk

RULE = codes.MOCKS
MOCKABLE = ("model", "http", "python")
_KEY = re.compile(r"^\s*(\d+)\s*(?:(-)\s*(\d+)|(\+))?\s*$")
STEP_KEYS = ("responses", "duration_s", "cost_usd", "failure_probability")
RESPONSE_KEYS = ("return", "throw", "duration_s", "cost_usd")


@dataclass(frozen=True)
class Response:
    returns: bool
    value: Any = None  # the output, when it returns
    error: str = "server_error"
    cause: str = ""
    duration_s: tuple[float, float] | None = None
    cost_usd: float | None = None


@dataclass(frozen=True)
class AttemptRange:
    first: int
    last: int | None  # None: open ended ("3+")
    response: Response

    def covers(self, n: int) -> bool:
        return self.first <= n and (self.last is None or n <= self.last)


@dataclass(frozen=True)
class StepMock:
    responses: tuple[AttemptRange, ...] = ()
    duration_s: tuple[float, float] | None = None
    cost_usd: float | None = None
    failure_probability: float = 0.0

    def response_for(self, attempt: int) -> Response | None:
        if not self.responses:
            return None
        for r in self.responses:
            if r.covers(attempt):
                return r.response
        return max(self.responses, key=lambda r: r.first).response


@dataclass
class Mocks:
    file: str = "<mocks>"
    steps: dict[str, StepMock] = field(default_factory=dict)

    def get(self, step_id: str) -> StepMock | None:
        return self.steps.get(step_id)


@dataclass(frozen=True)
class _Need:
    """A field of a step's output that another step's template reads."""
    path: tuple[str, ...]  # ("output", "a", "b") or ("primary", "url")
    text: str  # the reference as written, e.g. {{gen.output.url}}
    reader: str  # the step that reads it


def _needs(wf: ir.Workflow | None) -> dict[str, list[_Need]]:
    """Per step id: the output fields the flow's templates read from it. A mock that returns
    a value without one of them would make the reading step see "" or null where the engine
    would have the field: that is a mistake in the mocks file, so it is reported there.
    A model step's fallback answers for the step, so it is held to the same fields."""
    out: dict[str, list[_Need]] = {}
    if wf is None:
        return out
    for s in wf.all_steps():
        for v in ir.step_values(s):
            for ref in iter_value_refs(v):
                if ref.root == "inputs" or len(ref.path) < 2 or ref.path[0] not in ("output", "primary"):
                    continue
                need = _Need(tuple(ref.path), ref.text(), s.id)
                if need not in out.setdefault(ref.root, []):
                    out[ref.root].append(need)
    for s in wf.all_steps():
        if isinstance(s, ir.ModelStep) and s.fallback is not None and s.id in out:
            out.setdefault(ir.fallback_id(s.id), []).extend(out[s.id])
    return out


def _missing_field(value: Any, need: _Need) -> bool:
    base = value
    if need.path[0] == "primary":
        base = (value[0] if value else None) if isinstance(value, list) else value
    return walk(base, need.path[1:]) is MISSING


def _targets(wf: ir.Workflow | None) -> tuple[dict[str, str], set[str]]:
    """Mockable ids -> kind, and every step id (for better messages)."""
    kinds: dict[str, str] = {}
    every: set[str] = set()
    if wf is None:
        return kinds, every
    for s in wf.all_steps():
        every.add(s.id)
        kinds[s.id] = s.kind
    for s in wf.all_steps():
        if isinstance(s, ir.ModelStep) and s.fallback is not None and ir.fallback_id(s.id) not in kinds:
            kinds[ir.fallback_id(s.id)] = "model"
    return kinds, every


class _MockReader:
    def __init__(self, r: Reader, wf: ir.Workflow | None) -> None:
        self.r = r
        self.kinds, self.every = _targets(wf)
        self.check_ids = wf is not None
        self.needs = _needs(wf)

    def duration(self, node: YNode, what: str, sid: str) -> tuple[float, float] | None:
        if isinstance(node, YSeq):
            if len(node.items) == 2:
                lo = self.r.number(node.items[0], f"{what} low", sid, minimum=0)
                hi = self.r.number(node.items[1], f"{what} high", sid, minimum=0)
                if lo is None or hi is None:
                    return None
                if hi < lo:
                    self.r.report(RULE, f"{what} range [{lo}, {hi}] ends before it starts", node.span, step=sid)
                    return None
                return float(lo), float(hi)
            self.r.report(RULE, f"{what} must be a number of seconds or a range [low, high], "
                          f"found a list of {len(node.items)}", node.span, step=sid)
            return None
        if isinstance(node, YScalar) and isinstance(node.value, str):
            d = self.r.duration(node, what, sid)  # "30s", "2m" read as durations too
            return (d, d) if d is not None else None
        n = self.r.number(node, what, sid, minimum=0)
        return (float(n), float(n)) if n is not None else None

    def cost(self, node: YNode, sid: str) -> float | None:
        n = self.r.number(node, "cost_usd", sid, minimum=0)
        return float(n) if n is not None else None

    def response(self, node: YNode, sid: str) -> Response | None:
        m = self.r.mapping(node, "a response", sid)
        if m is None:
            return None
        self.r.check_keys(m, RESPONSE_KEYS, "a response", sid,
                          hint="a response is {return: VALUE} or {throw: {error, cause}}")
        has_return, has_throw = m.get("return") is not None, m.get("throw") is not None
        if has_return == has_throw:
            self.r.report(RULE, "a response needs exactly one of `return` or `throw`", m.span, step=sid)
            return None
        dnode, cnode = m.get("duration_s"), m.get("cost_usd")
        duration = self.duration(dnode, "duration_s", sid) if dnode is not None else None
        cost = self.cost(cnode, sid) if cnode is not None else None
        if has_return:
            rnode = m.get("return")
            assert rnode is not None
            value = plain(rnode)
            for need in self.needs.get(sid, ()):
                if _missing_field(value, need):
                    field_name = ".".join(need.path[1:])
                    self.r.report(RULE, f'the mock of "{sid}" returns no `{field_name}`, which step '
                                  f'"{need.reader}" reads ({need.text})', rnode.span, step=sid,
                                  hint=f"add `{field_name}` to the returned value (the real output has it "
                                  "when the flow reads it)")
            return Response(True, value, duration_s=duration, cost_usd=cost)
        t = m.get("throw")
        if isinstance(t, YScalar) and isinstance(t.value, str):
            return Response(False, error=t.value, cause="", duration_s=duration, cost_usd=cost)
        tm = self.r.mapping(t, "throw", sid)
        if tm is None:
            return None
        self.r.check_keys(tm, ("error", "cause"), "throw", sid)
        err = self.r.string(tm.get("error"), "throw error", sid) if tm.get("error") is not None else None
        cause = self.r.string(tm.get("cause"), "throw cause", sid) if tm.get("cause") is not None else None
        return Response(False, error=err or "server_error", cause=cause or "", duration_s=duration, cost_usd=cost)

    def responses(self, node: YNode, sid: str) -> tuple[AttemptRange, ...]:
        m = self.r.mapping(node, "responses", sid)
        if m is None:
            return ()
        out: list[tuple[AttemptRange, Span]] = []
        for key, value in m.items:
            match = _KEY.match(str(key.value))
            if not match:
                self.r.report(RULE, f'"{key.value}" is not an attempt number or range',
                              key.span, step=sid, hint='use "0", "1-2" or "3+" (attempts count from 0)')
                continue
            first = int(match.group(1))
            last: int | None = first
            if match.group(2):
                last = int(match.group(3))
                if last < first:
                    self.r.report(RULE, f'attempt range "{key.value}" ends before it starts', key.span, step=sid)
                    continue
            elif match.group(4):
                last = None
            resp = self.response(value, sid)
            if resp is None:
                continue
            rng = AttemptRange(first, last, resp)
            for other, _ in out:
                lo = max(first, other.first)
                hi_a = last if last is not None else 10**9
                hi_b = other.last if other.last is not None else 10**9
                if lo <= min(hi_a, hi_b):
                    self.r.report(RULE, f'attempt range "{key.value}" overlaps another one (attempt {lo})',
                                  key.span, step=sid)
                    break
            else:
                out.append((rng, key.span))
        return tuple(sorted((r for r, _ in out), key=lambda r: r.first))

    def step(self, key: YScalar, node: YNode) -> tuple[str, StepMock] | None:
        sid = str(key.value)
        if self.check_ids:
            kind = self.kinds.get(sid)
            if kind is None:
                hint = None
                if sid.endswith("_fallback") and sid[:-9] in self.every:
                    hint = f'step "{sid[:-9]}" has no fallback model'
                self.r.report(RULE, f'no step "{sid}" in the flow{did_you_mean(sid, sorted(self.kinds))}',
                              key.span, step=sid, hint=hint)
                return None
            if kind not in MOCKABLE:
                self.r.report(RULE, f'step "{sid}" is a {kind} step; only model, http and python steps '
                              "can be mocked", key.span, step=sid)
                return None
        m = self.r.mapping(node, f'the mock of "{sid}"', sid)
        if m is None:
            return None
        self.r.check_keys(m, STEP_KEYS, f'the mock of "{sid}"', sid)
        rnode, dnode, cnode = m.get("responses"), m.get("duration_s"), m.get("cost_usd")
        responses = self.responses(rnode, sid) if rnode is not None else ()
        duration = self.duration(dnode, "duration_s", sid) if dnode is not None else None
        cost = self.cost(cnode, sid) if cnode is not None else None
        p = 0.0
        if m.get("failure_probability") is not None:
            n = self.r.number(m.get("failure_probability"), "failure_probability", sid, minimum=0)
            if n is not None and n > 1:
                self.r.report(RULE, f"failure_probability must be between 0 and 1, found {n}",
                              m.get("failure_probability").span, step=sid)  # type: ignore[union-attr]
            elif n is not None:
                p = float(n)
        return sid, StepMock(responses, duration, cost, p)


def parse_mocks(data: bytes | str, file: str, wf: ir.Workflow | None = None) -> tuple[Mocks | None, list[Diagnostic]]:
    """Read a mocks document; with ``wf``, step ids are checked against the flow."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    doc = load_bytes(raw, file)
    diags = list(doc.diagnostics)
    if doc.root is None:
        return None, [d if "file is empty" not in d.message else
                      error(RULE, "the mocks file is empty: expected a mapping with `steps`", d.span)
                      for d in diags]
    r = Reader(doc)
    mocks = Mocks(file)
    root = r.mapping(doc.root, "the mocks file")
    if root is not None:
        r.check_keys(root, ("steps",), "the mocks file", hint="mocks live under `steps: {<step id>: ...}`")
        steps = r.mapping(root.get("steps"), "steps")
        if root.get("steps") is None:
            r.report(RULE, "no `steps`: the mocks file is {steps: {<step id>: {responses, duration_s, "
                     "cost_usd, failure_probability}}}", root.span)
        mr = _MockReader(r, wf)
        for key, value in steps.items if steps is not None else ():
            got = mr.step(key, value)
            if got is not None:
                mocks.steps[got[0]] = got[1]
    diags += r.diagnostics
    # The typed readers report under "schema"; in a mocks file every finding is a mocks one.
    diags = [Diagnostic(RULE if d.rule == codes.SCHEMA else d.rule, d.severity, d.message, d.span, d.step, d.hint)
             for d in diags]
    if any(d.severity.value == "error" for d in diags):
        return None, diags
    return mocks, diags


def load_mocks(path: str | Path, wf: ir.Workflow | None = None) -> tuple[Mocks | None, list[Diagnostic]]:
    from flowdsl.frontend.source import MAX_FILE_BYTES, read_regular
    name = str(path)
    try:
        data = read_regular(path)  # never /dev/zero or a FIFO: those would read forever
    except OSError as exc:
        return None, [error(RULE, f"cannot read the mocks file: {exc.strerror or type(exc).__name__}",
                            Span.point(name, 1, 1))]
    if len(data) > MAX_FILE_BYTES:
        return None, [error(RULE, f"the mocks file is over {MAX_FILE_BYTES // (1024 * 1024)} MiB",
                            Span.point(name, 1, 1))]
    return parse_mocks(data, name, wf)


def mocks_from_dict(data: dict[str, Any], wf: ir.Workflow | None = None) -> tuple[Mocks | None, list[Diagnostic]]:
    """Mocks given as Python data (tests, benchmarks, other tools)."""
    return parse_mocks(json.dumps(data), "<mocks>.json", wf)


__all__ = ["AttemptRange", "Mocks", "Response", "StepMock", "load_mocks", "mocks_from_dict", "parse_mocks"]
