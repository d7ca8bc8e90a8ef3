"""The API a rule sees: one :class:`Context` per checked workflow.

Everything rules share (symbol table, types of references, model specs, every reference,
python ASTs, each model call and its literal validation) is computed lazily, at most once
per workflow, and offered as typed properties; rules never recompute each other's work.
The driver that runs rules is :mod:`flowdsl.check.run`; the rules are in :mod:`flowdsl.rules`.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from flowdsl.cached import cached_property
from typing import TYPE_CHECKING, Iterable, Iterator, NamedTuple

from flowdsl import ir
from flowdsl.catalog.model import Catalog, ModelSpec
from flowdsl.check import types
from flowdsl.check.config import Config
from flowdsl.check.python import parse_python
from flowdsl.check.symbols import StepInfo, SymbolTable
from flowdsl.frontend.workflow import broken_parts
from flowdsl.spans import Span

if TYPE_CHECKING:
    from flowdsl.check.models import LiteralError, ModelCall, TemplatedArg
    from flowdsl.check.python import PythonFacts
    from flowdsl.check.refs import Resolution, Resolved


class RefUse(NamedTuple):
    """One reference as written: where it sits and who reads it. (An immutable tuple: a
    flow has thousands and a tuple is built at a third of a frozen dataclass's cost.)"""

    ref: ir.Ref
    reader: StepInfo | None  # None: the workflow's outputs (read after every step)
    place: str  # "params", "fallback", "condition", "output", "url", "body", ...

    @property
    def step(self) -> str | None:
        return self.reader.id if self.reader is not None else None


class PlacedValue(NamedTuple):
    """One value tree of a step (see :func:`_places`) with every scalar inside it."""

    place: str
    value: ir.Value
    scalars: list[ir.Scalar]  # depth first, in source order; read-only for callers


# NamedTuple's own constructor is a Python function: tuple.__new__ builds the same tuple
# at half the cost, for the facts built once per reference or value.
_new = tuple.__new__
_NO_VALUES: list[PlacedValue] = []  # shared: callers only read what values() returns


class Reads(NamedTuple):
    """Every reference of the flow summed up (see :attr:`Context.reads`)."""

    roots: set[str]  # the step (or branch) ids read
    readers: set[int]  # id() of each step that reads something
    inputs: set[str | None]  # the input names read (None: a bare {{inputs}})


class _Walk(NamedTuple):
    values: dict[int, list[PlacedValue]]  # by id(step); steps without values are absent
    # Where references are, in document order: (step, place, scalar holding a template),
    # or (choice step, "condition", None) for a choice's condition.
    sources: list[tuple[ir.Step, str, ir.Scalar | None]]
    dollars: list[tuple[ir.Step, ir.Scalar]]  # (step, string holding "$.") in document order


@dataclass(frozen=True, slots=True)
class DollarRef:
    """``$.inputs.x`` written in a literal string where a ``{{...}}`` template is meant."""

    scalar: ir.Scalar
    text: str  # "$.inputs.x"
    root: str
    path: tuple[str, ...]
    span: Span
    step: str | None


# $.name(.name)* inside literal text. Detection of a mistake in free text, not a grammar:
# the condition grammar itself is lark's job.
_DOLLAR = re.compile(r"\$((?:\.[A-Za-z0-9_][A-Za-z0-9_\-]*)+)")



class Context:
    """Everything rules share; computed lazily and at most once per workflow."""

    def __init__(self, workflow: ir.Workflow, catalog: Catalog | None, config: Config,
                 source: str | None) -> None:
        self.workflow = workflow
        self.catalog = catalog
        self.config = config
        self.source = source
        self.symbols = SymbolTable(workflow)
        # Steps that failed to parse: their ids and the inputs they read (no cascades).
        self.broken = broken_parts(workflow)
        self._lines: list[str] | None = None
        self._specs: dict[str, ModelSpec | None] = {}
        self._types: dict[tuple[str, tuple[str, ...]], types.Type] = {}
        self._resolving: set[tuple[str, tuple[str, ...]]] = set()
        self._refs: list[RefUse] | None = None
        self._reads: Reads | None = None
        self._dollars: list[DollarRef] | None = None
        self._ast: dict[int, ast.AST | SyntaxError] = {}
        self.python_facts: dict[int, PythonFacts | None] = {}  # by id(step), see check.python

    # ------------------------------------------------------------------ source

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.source.splitlines() if self.source is not None else []
        return self._lines

    def source_text(self, span: Span) -> str | None:
        """The text a single-line span covers, when the source is available."""
        if span.line != span.end_line or not 0 < span.line <= len(self.lines):
            return None
        return self.lines[span.line - 1][span.column - 1:span.end_column - 1]

    def locate_in(self, scalar: ir.Scalar, needle: str, start: int = 0) -> Span:
        """The span of ``needle`` inside a scalar's source text (searched line by line from
        ``start`` characters into its first line), or the scalar's span when not found
        verbatim (escapes, folding)."""
        span = scalar.span
        if not 0 < span.line <= len(self.lines):
            return span
        last = min(span.end_line, len(self.lines))
        for number in range(span.line, last + 1):
            line = self.lines[number - 1]
            lo = span.column - 1 + start if number == span.line else 0
            hi = span.end_column - 1 if number == span.end_line else len(line)
            at = line.find(needle, lo, hi)
            if at >= 0:
                return Span(span.file, number, at + 1, number, at + 1 + len(needle))
        return span

    # ------------------------------------------------------------------ steps & models

    def steps(self) -> list[ir.Step]:
        """Every step, nested ones included, in document order (computed once)."""
        return self.symbols.all_steps

    @cached_property
    def python_steps(self) -> list[ir.PythonStep]:
        """The python steps, nested ones included, in document order (four rules read
        only these)."""
        return [s for s in self.symbols.all_steps if isinstance(s, ir.PythonStep)]

    def info(self, step: ir.Step) -> StepInfo:
        return self.symbols.info(step)

    def spec(self, slug: str) -> ModelSpec | None:
        if self.catalog is None:
            return None
        if slug not in self._specs:
            self._specs[slug] = self.catalog.get(slug)
        return self._specs[slug]

    def python_ast(self, step: ir.PythonStep) -> ast.AST | SyntaxError:
        key = id(step)
        if key not in self._ast:
            self._ast[key] = parse_python(step.code.text)
        return self._ast[key]

    # ------------------------------------------------------------------ shared analyses

    @cached_property
    def model_calls(self) -> list[ModelCall]:
        """Every model invocation (primary and enabled fallback) with its spec."""
        from flowdsl.check.models import collect_model_calls
        return collect_model_calls(self)

    @cached_property
    def literal_errors(self) -> list[LiteralError]:
        """jsonschema errors of every model call's literal params (param-type/param-value)."""
        from flowdsl.check.models import collect_literal_errors
        return collect_literal_errors(self)

    @cached_property
    def templated_args(self) -> list[TemplatedArg]:
        """Every param value that is a template, with the param's schema and the value's type."""
        from flowdsl.check.models import collect_templated_args
        return collect_templated_args(self)

    @cached_property
    def resolved(self) -> list[Resolved]:
        """Every reference classified against the symbol table (certain, possible, later...)."""
        from flowdsl.check.refs import collect_resolved
        every = collect_resolved(self, every=True).every
        assert every is not None
        return every

    @property
    def uncertain(self) -> list[Resolved]:
        """:attr:`resolved` without the references to targets certainly run (most of them)."""
        return self._resolution.uncertain

    @property
    def questionable(self) -> list[Resolved]:
        """:attr:`uncertain` and the certain references to a step that name no field of its
        record: what undefined-reference looks at (see :func:`refs.questionable`)."""
        return self._resolution.questionable

    @cached_property
    def _resolution(self) -> Resolution:
        from flowdsl.check.refs import collect_resolved
        return collect_resolved(self)

    # ------------------------------------------------------------------ references

    def values(self, step: ir.Step) -> list[PlacedValue]:
        """The step's value trees (params, fallback params, url, headers, query, body, auth,
        python inputs, pass result) with their scalars: walked once for every rule."""
        return self._walk.values.get(id(step), _NO_VALUES)

    @cached_property
    def _walk(self) -> _Walk:
        """One walk over every step's values, for every rule that reads them."""
        walk = _Walk({}, [], [])
        Scalar, MapValue = ir.Scalar, ir.MapValue
        dollars = walk.dollars
        sources = walk.sources
        for step in self.steps():
            places = _places(step)
            if not places:
                if isinstance(step, ir.ChoiceStep):
                    sources.append((step, "condition", None))
                continue
            placed = []
            for place, value in places:
                scalars: list[ir.Scalar] = []
                if isinstance(value, MapValue):
                    # Most values are flat mappings: their scalars are looked at right here.
                    for _, item in value.entries:
                        if isinstance(item, Scalar):
                            scalars.append(item)
                            if item.template is not None:
                                sources.append((step, place, item))
                            text = item.value
                            if text.__class__ is str and "$." in text:  # type: ignore[operator]
                                dollars.append((step, item))
                        else:
                            start = len(scalars)
                            _walk_value(item, scalars)
                            _scan(scalars, start, step, place, sources, dollars)
                else:
                    _walk_value(value, scalars)
                    _scan(scalars, 0, step, place, sources, dollars)
                placed.append(_new(PlacedValue, (place, value, scalars)))
            walk.values[id(step)] = placed
        return walk

    def refs(self) -> list[RefUse]:
        if self._refs is None:
            self._refs = self._collect_refs()
        return self._refs

    def _collect_refs(self) -> list[RefUse]:
        """Every reference, and (in the same loop) who reads what: :attr:`reads`."""
        found: list[RefUse] = []
        add = found.append
        roots: set[str] = set()
        readers: set[int] = set()
        inputs: set[str | None] = set()
        info_of = self.symbols.info
        Ref = ir.Ref
        last: ir.Step | None = None
        info: StepInfo | None = None
        for step, place, scalar in self._walk.sources:
            if step is not last:
                last, info = step, info_of(step)
            refs: Iterable[object]
            if scalar is not None:
                refs = scalar.template.parts  # type: ignore[union-attr]
            else:  # a choice's condition
                refs = ir.iter_condition_refs(step.condition)  # type: ignore[union-attr]
            for part in refs:
                if isinstance(part, Ref):  # Template.refs, without the tuple
                    add(_new(RefUse, (part, info, place)))
                    if part.root == "inputs":
                        inputs.add(part.path[0] if part.path else None)
                    else:
                        roots.add(part.root)
                    readers.add(id(step))
        for output in self.workflow.outputs:
            for ref in output.refs:
                add(_new(RefUse, (ref, None, "output")))
                if ref.root == "inputs":
                    inputs.add(ref.path[0] if ref.path else None)
                else:
                    roots.add(ref.root)
        self._reads = Reads(roots, readers, inputs)
        return found

    @property
    def reads(self) -> Reads:
        """Who reads what, from every reference (templates, conditions, outputs)."""
        if self._reads is None:
            self.refs()
        assert self._reads is not None
        return self._reads

    def dollar_refs(self) -> list[DollarRef]:
        """``$.x.y`` written inside literal strings of step values (not conditions)."""
        if self._dollars is None:
            found: list[DollarRef] = []
            for step, scalar in self._walk.dollars:
                found.extend(self._dollars_in(scalar, step.common.id))
            self._dollars = found
        return self._dollars

    def _dollars_in(self, scalar: ir.Scalar, step_id: str) -> Iterator[DollarRef]:
        assert isinstance(scalar.value, str)
        known = self.symbols.steps
        cursor = 0
        for m in _DOLLAR.finditer(scalar.value):
            names = tuple(m.group(1)[1:].split("."))
            root, path = names[0], names[1:]
            # Only names that mean something in this flow, or that read a step's value
            # ($.stepx.primary): a price like "$.99" is text.
            if root != "inputs" and root not in known and root not in self.symbols.branches \
                    and not (path and path[0] in ("output", "primary")):
                continue
            span = self.locate_in(scalar, m.group(0), cursor)
            if span is not scalar.span and span.line == scalar.span.line:
                cursor = span.end_column - scalar.span.column  # the next one starts after
            yield DollarRef(scalar, m.group(0), root, path, span, step_id)

    # ------------------------------------------------------------------ types

    def type_of(self, ref: ir.Ref) -> types.Type:
        """The run-time type of what a reference points at; unknown when unsure."""
        key = (ref.root, ref.path)
        cached = self._types.get(key)
        if cached is not None:
            return cached
        if key in self._resolving:  # a pass step whose result refers back to itself
            return types.UNKNOWN
        self._resolving.add(key)
        try:
            result = self._type_of(ref)
        finally:
            self._resolving.discard(key)
        self._types[key] = result
        return result

    def _type_of(self, ref: ir.Ref) -> types.Type:
        if ref.is_input:
            if len(ref.path) != 1:
                return types.UNKNOWN
            declared = self.workflow.input(ref.path[0])
            return _input_type(declared.schema.to_python()) if declared else types.UNKNOWN
        info = self.symbols.get(ref.root)
        if info is None:
            return types.UNKNOWN
        step = info.step
        if isinstance(step, ir.ModelStep):
            return self._model_output(step, ref.path)
        if isinstance(step, ir.PassStep) and step.result_path is None:
            return types.of_value(step.result, ref.path, self.type_of)
        return types.UNKNOWN

    def _model_output(self, step: ir.ModelStep, path: tuple[str, ...]) -> types.Type:
        spec = self.spec(step.model)
        if spec is None:
            return types.UNKNOWN
        result = types.of_model_output(spec.output_type, spec.output_media, path)
        fb = step.fallback
        if fb is not None and fb.enabled is not False and result.known:
            other = self.spec(fb.model)
            alt = (types.of_model_output(other.output_type, other.output_media, path)
                   if other is not None else types.UNKNOWN)
            if alt != result:
                return types.UNKNOWN  # either may have produced the output
        return result


def _input_type(schema: object) -> types.Type:
    """The type an input's schema declares, shared by every flow declaring the same schema
    (flows repeat ``{type: string}``; a Type is immutable). Keyed by the schema's repr,
    which tells 1 from 1.0, True and "1"."""
    key = repr(schema)
    hit = _INPUT_TYPES.get(key)
    if hit is None:
        hit = types.of_schema(schema)
        if len(_INPUT_TYPES) >= 4096:  # a long-lived process stays bounded
            _INPUT_TYPES.clear()
        _INPUT_TYPES[key] = hit
    return hit


_INPUT_TYPES: dict[str, types.Type] = {}


def _walk_value(value: ir.Value, scalars: list[ir.Scalar]) -> None:
    """Every scalar of a value tree appended to ``scalars``, depth first in source order
    (what :func:`ir.iter_scalars` yields, without a generator per node). Leaves are handled
    inline: most values are flat."""
    Scalar = ir.Scalar
    if isinstance(value, Scalar):
        scalars.append(value)
    elif isinstance(value, ir.ListValue):
        for item in value.items:
            if isinstance(item, Scalar):
                scalars.append(item)
            else:
                _walk_value(item, scalars)
    else:
        for _, item in value.entries:
            if isinstance(item, Scalar):
                scalars.append(item)
            else:
                _walk_value(item, scalars)


def _scan(scalars: list[ir.Scalar], start: int, step: ir.Step, place: str,
          sources: list[tuple[ir.Step, str, ir.Scalar | None]],
          dollars: list[tuple[ir.Step, ir.Scalar]]) -> None:
    """Note the scalars from ``start`` on that hold a template, or ``$.`` in a string."""
    for i in range(start, len(scalars)):
        scalar = scalars[i]
        if scalar.template is not None:
            sources.append((step, place, scalar))
        text = scalar.value
        if isinstance(text, str) and "$." in text:
            dollars.append((step, scalar))


def _places(step: ir.Step) -> tuple[tuple[str, ir.Value], ...]:
    """A step's value trees with a name for where they sit (those :func:`ir.step_values`
    yields, in the same order)."""
    if isinstance(step, ir.ModelStep):
        if step.fallback is not None and step.fallback.params is not None:
            if step.params is not None:
                return (("params", step.params), ("fallback", step.fallback.params))
            return (("fallback", step.fallback.params),)
        return (("params", step.params),) if step.params is not None else ()
    if isinstance(step, ir.HttpStep):
        out: list[tuple[str, ir.Value]] = [("url", step.url)]
        for name, v in (("headers", step.headers), ("query", step.query), ("body", step.body)):
            if v is not None:
                out.append((name, v))
        if step.auth is not None:
            out.append(("auth", step.auth.fields))
        return tuple(out)
    if isinstance(step, ir.PythonStep):
        return (("inputs", step.inputs),) if step.inputs is not None else ()
    if isinstance(step, ir.PassStep):
        return (("result", step.result),) if step.result is not None else ()
    return ()
