"""Run-time values: template resolution and ``$.`` reference lookup over actual outputs.

IR value trees are compiled once per workflow into small closures (:func:`compile_value`),
so a Monte Carlo run resolves a step's params without walking the IR again.

Two lookup modes, because the engine treats the two syntaxes differently:

* templates (``{{step.field}}``) are *strict*: a reference to a step that does not exist or
  has not finished yet fails the step that reads it (what the engine does at run time);
* conditions and the final ``output_mapping`` are *lenient*: anything unresolvable is
  :data:`MISSING`, which is what ``exists``/``not_exists`` test for.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Mapping, Protocol

from flowdsl import ir


class _Missing:
    """A value that is not there (an absent key, a step that has not run). Not ``None``:
    ``is_null`` and ``not_exists`` are different questions."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


class UnresolvedReference(Exception):
    """A template names a step that has not (yet) produced a value."""

    def __init__(self, ref_text: str, reason: str) -> None:
        super().__init__(f"{ref_text}: {reason}")
        self.ref_text = ref_text
        self.reason = reason


class StepView(Protocol):
    """What a reference can read from a step's run record."""

    id: str
    status: str
    ended: float | None
    output: Any
    primary: Any
    error: dict[str, Any] | None
    selected: str | None


# Record fields a reference may name besides output/primary (the engine's StepOutput keys).
_FIELDS = ("status", "error", "error_cause", "selected", "step_id")


class Scope:
    """The values visible at one virtual instant: inputs and every finished step."""

    __slots__ = ("inputs", "records", "now")

    def __init__(self, inputs: Mapping[str, Any], records: Mapping[str, StepView], now: float) -> None:
        self.inputs = inputs
        self.records = records
        self.now = now


def walk(value: Any, path: tuple[str, ...]) -> Any:
    """Follow ``path`` into nested dicts (by key) and lists (by index); MISSING if absent."""
    for part in path:
        if isinstance(value, dict):
            if part not in value:
                return MISSING
            value = value[part]
        elif isinstance(value, list) and part.isdigit():
            i = int(part)
            if i >= len(value):
                return MISSING
            value = value[i]
        else:
            return MISSING
    return value


def _field(rec: StepView, name: str) -> Any:
    if name == "status":
        return rec.status
    if name == "step_id":
        return rec.id
    if name == "selected":
        return rec.selected if rec.selected is not None else MISSING
    err = rec.error
    if name == "error":
        return err["error"] if err else MISSING
    if name == "error_cause":
        return err["cause"] if err else MISSING
    return MISSING


def lookup(scope: Scope, root: str, path: tuple[str, ...], strict: bool, text: str = "") -> Any:
    """The value of ``root.path`` at ``scope.now``.

    ``{{s}}`` and ``{{s.output}}`` are the whole output, ``{{s.primary}}`` the first/main
    result, ``{{s.output.a.b}}`` a field of it; ``status``/``error``/``selected`` read the
    record. Strict lookups raise :class:`UnresolvedReference` for a step that has not
    finished by ``scope.now``; lenient ones return MISSING.
    """
    if root == "inputs":
        return walk(scope.inputs, path) if path else dict(scope.inputs)
    rec = scope.records.get(root)
    if rec is None or rec.ended is None or rec.ended > scope.now or rec.status in ("skipped", "cancelled", "not_run", "pending"):
        if not strict:
            return MISSING
        if rec is None:
            raise UnresolvedReference(text, f'there is no step "{root}"')
        if rec.status == "skipped":
            raise UnresolvedReference(text, f'step "{root}" did not run (its branch was not taken)')
        if rec.status == "cancelled":
            raise UnresolvedReference(text, f'step "{root}" was cancelled before it finished')
        if rec.status == "not_run":
            raise UnresolvedReference(text, f'step "{root}" did not run')
        raise UnresolvedReference(text, f'step "{root}" has not finished yet')
    if not path:
        return rec.output
    head, rest = path[0], path[1:]
    if head == "output":
        base = rec.output
    elif head == "primary":
        base = rec.primary
    elif head in _FIELDS:
        base = _field(rec, head)
    else:
        return MISSING
    return walk(base, rest) if rest else base


def to_text(value: Any) -> str:
    """How a non-string value reads inside a longer string: JSON spelling, nothing for null."""
    if isinstance(value, str):
        return value
    if value is None or value is MISSING:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e16 else json.dumps(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def plain(value: Any) -> Any:
    """MISSING (which must never reach a trace) as null, recursively."""
    if value is MISSING:
        return None
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


Resolver = Callable[[Scope], Any]


def _const(value: Any) -> Resolver:
    return lambda scope: value


def _template(t: ir.Template) -> Resolver:
    if t.whole:
        ref = t.refs[0]
        root, path, text = ref.root, ref.path, ref.text()

        def whole(scope: Scope) -> Any:
            v = lookup(scope, root, path, True, text)
            return None if v is MISSING else v
        return whole
    parts: list[str | tuple[str, tuple[str, ...], str]] = [
        p if isinstance(p, str) else (p.root, p.path, p.text()) for p in t.parts]

    def embedded(scope: Scope) -> str:
        out: list[str] = []
        for p in parts:
            if isinstance(p, str):
                out.append(p)
            else:
                out.append(to_text(lookup(scope, p[0], p[1], True, p[2])))
        return "".join(out)
    return embedded


def compile_value(value: ir.Value | None) -> Resolver:
    """A resolver for a value tree: constants stay constants, templates read the scope.
    Whole-value templates keep the referenced type; embedded ones yield a string."""
    if value is None:
        return _const(None)
    if not any(True for _ in ir.iter_templates(value)):
        return _const(value.to_python())
    if isinstance(value, ir.Scalar):
        assert value.template is not None
        return _template(value.template)
    if isinstance(value, ir.ListValue):
        items = [compile_value(i) for i in value.items]
        return lambda scope: [r(scope) for r in items]
    entries = [(k.name, compile_value(v)) for k, v in value.entries]
    return lambda scope: {k: r(scope) for k, r in entries}


def iter_value_refs(value: ir.Value | None) -> list[ir.Ref]:
    return [r for t in ir.iter_templates(value) for r in t.refs]
