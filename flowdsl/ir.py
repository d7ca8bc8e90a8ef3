"""The one data model. Frozen dataclasses; every node carries the span it came from.

Both front ends (``.flow.yaml`` and engine JSON definitions) build this IR, and everything
downstream (compiler, printer, checker, simulator, deploy client) reads only this IR.

Values (params, bodies, pass results, python inputs) are kept as a small tree of
:class:`Scalar`, :class:`ListValue` and :class:`MapValue` so that each literal, and each
template reference inside a string, can be pointed at in a finding.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from flowdsl.cached import cached_property
from typing import Any, Iterator, Literal, TypeVar, Union, dataclass_transform

from flowdsl.spans import Span

_T = TypeVar("_T")


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def _frozen(cls: type[_T]) -> type[_T]:
    """``@dataclass(frozen=True)`` with a faster ``__init__``.

    A frozen dataclass sets each field through ``object.__setattr__`` (its own
    ``__setattr__`` refuses); the front end builds about 250 IR nodes per flow, and writing
    the instance dict directly halves their cost (issue 16). Everything else (eq, hash,
    repr, ``replace``, and refusing assignment afterwards) is the dataclass's own."""
    cls = dataclass(frozen=True, init=False)(cls)
    declared = fields(cls)  # type: ignore[arg-type]
    params: list[str] = []
    body: list[str] = []
    env: dict[str, Any] = {"MISSING": MISSING}
    for f in declared:
        if f.default is not MISSING:
            env[f"_d_{f.name}"] = f.default
            params.append(f"{f.name}=_d_{f.name}")
        elif f.default_factory is not MISSING:
            env[f"_f_{f.name}"] = f.default_factory
            params.append(f"{f.name}=MISSING")
            body.append(f"    if {f.name} is MISSING: {f.name} = _f_{f.name}()\n")
        else:
            params.append(f.name)
    body.append("    d = self.__dict__\n")
    body.extend(f"    d[{f.name!r}] = {f.name}\n" for f in declared)
    exec(f"def __init__(self, {', '.join(params)}):\n{''.join(body)}", env)
    init = env["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    setattr(cls, "__init__", init)
    return cls


# ---------------------------------------------------------------- references & templates


@_frozen
class Ref:
    """A reference to an input or to a step's output.

    ``{{inputs.prompt}}`` -> root="inputs", path=("prompt",)
    ``{{gen.primary}}``   -> root="gen",    path=("primary",)
    ``$.gen.output.url``  -> root="gen",    path=("output", "url")
    ``{{gen}}``           -> root="gen",    path=()   (the checker flags a bare step)
    """

    root: str
    path: tuple[str, ...]
    span: Span
    syntax: Literal["template", "condition"] = "template"

    @property
    def is_input(self) -> bool:
        return self.root == "inputs"

    @property
    def step_id(self) -> str | None:
        return None if self.is_input else self.root

    @property
    def input_name(self) -> str | None:
        return self.path[0] if self.is_input and self.path else None

    def dotted(self) -> str:
        return ".".join((self.root, *self.path))

    def text(self) -> str:
        if self.syntax == "condition":
            return "$." + self.dotted()
        return "{{" + self.dotted() + "}}"


@_frozen
class Template:
    """A string value containing ``{{...}}``: literal text and references, in order.

    ``whole`` is true when the string is exactly one reference (surrounding blanks
    aside); such a value keeps the referenced type, anything else yields a string.
    """

    parts: tuple[Union[str, Ref], ...]
    span: Span

    # Computed once: rules ask every template for these. (cached_property writes the
    # instance dict directly, which a frozen dataclass allows; eq and hash use the fields.)
    @cached_property
    def refs(self) -> tuple[Ref, ...]:
        return tuple(p for p in self.parts if isinstance(p, Ref))

    @cached_property
    def whole(self) -> bool:
        refs = self.refs
        if len(refs) != 1:
            return False
        return all(isinstance(p, Ref) or not p.strip() for p in self.parts)


# ---------------------------------------------------------------- values


@_frozen
class Scalar:
    """A literal: str, int, float, bool or None. Strings with ``{{`` carry a template."""

    value: str | int | float | bool | None
    span: Span
    template: Template | None = None

    def to_python(self) -> Any:
        return self.value


@_frozen
class Key:
    """A mapping key as written, with its place (a did-you-mean points at it)."""

    name: str
    span: Span


@_frozen
class ListValue:
    """A list literal (``[a, b]`` or a block list) in params, bodies and results."""

    items: tuple["Value", ...]
    span: Span

    def to_python(self) -> Any:
        return [i.to_python() for i in self.items]


@_frozen
class MapValue:
    """A mapping literal, entries in source order (the compiler keeps that order)."""

    entries: tuple[tuple[Key, "Value"], ...]
    span: Span

    def to_python(self) -> Any:
        return {k.name: v.to_python() for k, v in self.entries}

    def get(self, name: str) -> "Value | None":
        for k, v in self.entries:
            if k.name == name:
                return v
        return None

    def key(self, name: str) -> Key | None:
        for k, _ in self.entries:
            if k.name == name:
                return k
        return None

    def names(self) -> list[str]:
        return [k.name for k, _ in self.entries]


Value = Union[Scalar, ListValue, MapValue]


def iter_scalars(value: Value | None) -> Iterator[Scalar]:
    """Every scalar inside a value tree, depth first, in source order."""
    if value is None:
        return
    if isinstance(value, Scalar):
        yield value
    elif isinstance(value, ListValue):
        for item in value.items:
            yield from iter_scalars(item)
    else:
        for _, item in value.entries:
            yield from iter_scalars(item)


def iter_templates(value: Value | None) -> Iterator[Template]:
    for s in iter_scalars(value):
        if s.template is not None:
            yield s.template


# ---------------------------------------------------------------- conditions

# The engine's 14 operators. Existence operators take no value.
OPERATORS: tuple[str, ...] = (
    "equals", "not_equals", "greater_than", "less_than", "greater_than_or_equal",
    "less_than_or_equal", "string_equals", "string_matches", "in", "not_in",
    "exists", "not_exists", "is_null", "is_not_null",
)
UNARY_OPERATORS: frozenset[str] = frozenset({"exists", "not_exists", "is_null", "is_not_null"})
NUMERIC_OPERATORS: frozenset[str] = frozenset(
    {"greater_than", "less_than", "greater_than_or_equal", "less_than_or_equal"})
LIST_OPERATORS: frozenset[str] = frozenset({"in", "not_in"})


@_frozen
class Compare:
    """``{expression, operator, value}``. ``ref`` is None when the expression is not a
    ``$.`` reference (kept verbatim in ``expression`` and reported by the parser)."""

    expression: str
    ref: Ref | None
    operator: str
    value: Value | None
    span: Span
    operator_span: Span


@_frozen
class AllOf:
    """``a and b and ...``: true when every item is (the engine's ``all``)."""

    items: tuple["Condition", ...]
    span: Span


@_frozen
class AnyOf:
    """``a or b or ...``: true when one item is (the engine's ``any``)."""

    items: tuple["Condition", ...]
    span: Span


@_frozen
class Not:
    """``not a``."""

    item: "Condition"
    span: Span


Condition = Union[Compare, AllOf, AnyOf, Not]


def iter_condition_refs(cond: Condition | None) -> Iterator[Ref]:
    if cond is None:
        return
    if isinstance(cond, Compare):
        if cond.ref is not None:
            yield cond.ref
    elif isinstance(cond, Not):
        yield from iter_condition_refs(cond.item)
    else:
        for c in cond.items:
            yield from iter_condition_refs(c)


# ---------------------------------------------------------------- steps


@_frozen
class Retry:
    """A step's retry policy; ``None`` fields are left to the engine's defaults."""

    max_attempts: int | None
    backoff_multiplier: float | None
    initial_delay_s: float | None
    retry_on: tuple[str, ...] | None
    span: Span


@_frozen
class StepCommon:
    """Fields every step kind has. ``timeout_s`` is in seconds for all kinds."""

    id: str
    id_span: Span
    span: Span
    name: str | None = None
    continue_on_error: bool | None = None
    timeout_s: float | None = None
    timeout_span: Span | None = None
    retry: Retry | None = None


class _StepBase:
    """Shortcuts shared by every step kind."""

    common: StepCommon

    @property
    def id(self) -> str:
        return self.common.id

    @property
    def span(self) -> Span:
        return self.common.span


@_frozen
class Fallback:
    """A model step's fallback: another model tried when the first fails."""

    model: str
    model_span: Span
    params: MapValue | None
    span: Span
    enabled: bool | None = None
    version: str | None = None


@_frozen
class ModelStep(_StepBase):
    """Runs one model of the catalog with ``params`` (checked against its request schema)."""

    common: StepCommon
    model: str
    model_span: Span
    params: MapValue | None
    version: str | None = None
    fallback: Fallback | None = None
    kind: Literal["model"] = "model"


@_frozen
class HttpAuth:
    """An http step's ``auth`` block."""

    type: str  # basic | bearer | api_key (anything else is kept and reported)
    fields: MapValue  # username/password/token/key/header... as written
    span: Span


@_frozen
class HttpStep(_StepBase):
    """Calls a URL; the response becomes the step's output."""

    common: StepCommon
    url: Scalar
    method: str
    method_span: Span
    headers: MapValue | None = None
    query: MapValue | None = None
    body: Value | None = None
    auth: HttpAuth | None = None
    follow_redirects: bool | None = None
    validate_ssl: bool | None = None
    kind: Literal["http"] = "http"


@_frozen
class CodeBlock:
    """Python source and where each of its lines sits in the file.

    ``line_starts[i]`` is the (line, column) of code line ``i`` (0-based) in the source
    file. Block scalars are line-exact; other strings map every line to the string start.
    """

    text: str
    span: Span
    line_starts: tuple[tuple[int, int], ...]

    def position(self, code_line: int, code_col: int = 0) -> tuple[int, int]:
        """1-based code line/0-based column -> 1-based file line/column."""
        if not self.line_starts:
            return self.span.line, self.span.column
        idx = min(max(code_line - 1, 0), len(self.line_starts) - 1)
        line, col = self.line_starts[idx]
        exact = len(set(self.line_starts)) == len(self.line_starts)
        return line, col + (code_col if exact else 0)


@_frozen
class PythonStep(_StepBase):
    """Runs python code: untrusted, so it runs only in OS isolation unless the user opts out."""

    common: StepCommon
    code: CodeBlock
    inputs: MapValue | None = None
    kind: Literal["python"] = "python"


@_frozen
class Branch:
    """A parallel branch, or a choice branch (which also has an engine ``step_id``)."""

    steps: tuple["Step", ...]
    span: Span
    name: str | None = None
    step_id: str | None = None
    step_id_span: Span | None = None


@_frozen
class ParallelStep(_StepBase):
    """Runs its branches at once; each branch is a list of steps."""

    common: StepCommon
    branches: tuple[Branch, ...]
    kind: Literal["parallel"] = "parallel"


@_frozen
class ChoiceStep(_StepBase):
    """``if``: runs ``then`` when the condition holds, else ``otherwise``."""

    common: StepCommon
    condition: Condition | None  # None only when the condition could not be parsed
    then: Branch
    otherwise: Branch | None = None
    kind: Literal["choice"] = "choice"


@_frozen
class PassStep(_StepBase):
    """Passes a fixed ``result`` on as its output."""

    common: StepCommon
    result: Value | None = None
    result_path: str | None = None
    kind: Literal["pass"] = "pass"


Step = Union[ModelStep, HttpStep, PythonStep, ParallelStep, ChoiceStep, PassStep]


def implicit_branch_id(choice_id: str, index: int) -> str:
    """The id a choice's branch gets when it is written without one: the engine names the
    then-branch ``<id>_condition_met`` (index 0) and the else-branch ``<id>_default``."""
    return f"{choice_id}_{'condition_met' if index == 0 else 'default'}"


def fallback_id(step_id: str) -> str:
    """The id under which a model step's fallback attempt is recorded (and mocked)."""
    return f"{step_id}_fallback"


def child_branches(step: Step) -> tuple[Branch, ...]:
    if isinstance(step, ParallelStep):
        return step.branches
    if isinstance(step, ChoiceStep):
        return (step.then,) if step.otherwise is None else (step.then, step.otherwise)
    return ()


def walk_steps(steps: tuple[Step, ...]) -> Iterator[Step]:
    """Every step, nested ones included, in document order (parents before children)."""
    for step in steps:
        yield step
        for branch in child_branches(step):
            yield from walk_steps(branch.steps)


def step_values(step: Step) -> Iterator[Value]:
    """The value trees of a step that may hold templates (not its children's)."""
    if isinstance(step, ModelStep):
        if step.params is not None:
            yield step.params
        if step.fallback is not None and step.fallback.params is not None:
            yield step.fallback.params
    elif isinstance(step, HttpStep):
        yield step.url
        for v in (step.headers, step.query, step.body):
            if v is not None:
                yield v
        if step.auth is not None:
            yield step.auth.fields
    elif isinstance(step, PythonStep):
        if step.inputs is not None:
            yield step.inputs
    elif isinstance(step, PassStep):
        if step.result is not None:
            yield step.result


# ---------------------------------------------------------------- workflow


@_frozen
class Input:
    """One workflow input: its JSON Schema (without ``required``) and whether required."""

    name: str
    name_span: Span
    schema: MapValue
    required: bool
    span: Span

    @property
    def type(self) -> str | None:
        t = self.schema.get("type")
        return t.value if isinstance(t, Scalar) and isinstance(t.value, str) else None


@_frozen
class Output:
    """One entry of the flow's ``outputs``: a name and the value it reads."""

    name: str
    name_span: Span
    value: Scalar  # a template ``{{x.y}}`` or a ``$.x.y`` reference string
    refs: tuple[Ref, ...]


@_frozen
class Workflow:
    """One flow file: its steps, inputs, outputs and settings, and where each was written."""

    file: str
    span: Span
    steps: tuple[Step, ...]
    name: str | None = None
    description: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    tags_span: Span | None = None
    visibility: str | None = None
    version: str = "v1"
    inputs: tuple[Input, ...] = ()
    # Keys of input_schema other than type/properties/required, kept for the round trip.
    input_schema_extra: dict[str, Any] = field(default_factory=dict)
    outputs: tuple[Output, ...] = ()
    output_schema: Any = None
    timeout_s: float | None = None
    timeout_span: Span | None = None
    retry: Retry | None = None
    metadata: Any = None
    source_format: Literal["flow", "definition"] = "flow"

    def input(self, name: str) -> Input | None:
        for i in self.inputs:
            if i.name == name:
                return i
        return None

    def all_steps(self) -> Iterator[Step]:
        return walk_steps(self.steps)

    def input_schema(self) -> dict[str, Any]:
        """The inputs as one JSON Schema object, as the engine takes it (``input_schema``):
        the compiler emits it and the simulator validates against it."""
        schema: dict[str, Any] = {"type": "object",
                                  "properties": {i.name: i.schema.to_python() for i in self.inputs}}
        required = [i.name for i in self.inputs if i.required]
        if required:
            schema["required"] = required
        for k, v in self.input_schema_extra.items():
            schema.setdefault(k, v)
        return schema
