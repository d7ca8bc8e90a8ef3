"""Shared by the model rules: each model invocation (primary and fallback) and the
jsonschema validation of its literal params (done once, split into param-type/param-value)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, NamedTuple

from flowdsl import codes
from flowdsl.lang.numbers import is_numeric_text
from flowdsl import ir
from flowdsl.catalog.model import ModelSpec
from flowdsl.check.quick_schema import params_surely_valid
from flowdsl.spans import Span

if TYPE_CHECKING:
    from flowdsl.check.context import Context

# Accepted by every model on the platform (the safety checker switch), so never "unknown".
PLATFORM_PARAMS = frozenset({"enable_safety_checker"})


# Named tuples, not frozen dataclasses: one per model call and per templated param of every
# flow, and a tuple is several times cheaper to build (issue 16).
class ModelCall(NamedTuple):
    step: ir.ModelStep
    slug: str
    slug_span: Span
    params: ir.MapValue | None
    spec: ModelSpec | None
    fallback: bool

    @property
    def step_id(self) -> str:
        return self.step.common.id

    @property
    def where(self) -> str:
        return f'fallback model "{self.slug}"' if self.fallback else f'model "{self.slug}"'

    properties: dict[str, Any] | None  # the schema's properties, None when unknown

    def prop(self, name: str) -> dict[str, Any] | None:
        props = self.properties
        sub = props.get(name) if props is not None else None
        return sub if isinstance(sub, dict) else None


def _properties(spec: ModelSpec | None) -> dict[str, Any] | None:
    schema = spec.request_schema if spec is not None else None
    props = schema.get("properties") if isinstance(schema, dict) else None
    return props if isinstance(props, dict) else None


def model_calls(ctx: "Context") -> list[ModelCall]:
    return ctx.model_calls


def collect_model_calls(ctx: "Context") -> list[ModelCall]:
    """Each model invocation of the flow (primary, then its fallback), computed once by the
    context (:attr:`Context.model_calls`)."""
    cached: list[ModelCall] = []
    for step in ctx.steps():
        if not isinstance(step, ir.ModelStep):
            continue
        spec = ctx.spec(step.model)
        cached.append(ModelCall(step, step.model, step.model_span, step.params,
                                spec, False, _properties(spec)))
        fb = step.fallback
        if fb is not None and fb.enabled is not False:
            spec = ctx.spec(fb.model)
            cached.append(ModelCall(step, fb.model, fb.model_span, fb.params,
                                    spec, True, _properties(spec)))
    return cached


# ---------------------------------------------------------------- literal validation

_SKIP = object()


def literal(value: ir.Value) -> Any:
    """The Python value of a value tree, or _SKIP when a template sits anywhere inside it
    (its run-time value is unknown, so jsonschema must not see a stand-in)."""
    if isinstance(value, ir.Scalar):
        return _SKIP if value.template is not None else value.value
    if isinstance(value, ir.ListValue):
        items = [literal(v) for v in value.items]
        return _SKIP if any(i is _SKIP for i in items) else items
    out: dict[str, Any] = {}
    for key, v in value.entries:
        item = literal(v)
        if item is _SKIP:
            return _SKIP
        out[key.name] = item
    return out


def node_at(value: ir.Value, path: Any) -> ir.Value:
    """The IR node at a jsonschema error path (the deepest one that exists)."""
    node = value
    for part in path:
        if isinstance(node, ir.MapValue) and isinstance(part, str):
            nxt = node.get(part)
        elif isinstance(node, ir.ListValue) and isinstance(part, int) and part < len(node.items):
            nxt = node.items[part]
        else:
            nxt = None
        if nxt is None:
            break
        node = nxt
    return node


_VALIDATORS: dict[int, tuple[dict[str, Any], Any]] = {}


def validator(schema: dict[str, Any]) -> Any:
    """A cached jsonschema validator (building one costs far more than using it)."""
    hit = _VALIDATORS.get(id(schema))
    if hit is not None and hit[0] is schema:
        return hit[1]
    from jsonschema import Draft202012Validator
    from jsonschema.validators import validator_for

    cls = validator_for(schema, default=Draft202012Validator)
    v = cls(schema)
    if len(_VALIDATORS) >= 1024:  # a long-lived process sees many catalogs: stay bounded
        _VALIDATORS.clear()
        _RESULTS.clear()  # keyed by ids that are only unique while the schemas live here
    _VALIDATORS[id(schema)] = (schema, v)  # the schema is kept alive, so its id stays unique
    return v


@dataclass(frozen=True, slots=True)
class LiteralError:
    rule: str  # param-type | param-value
    message: str
    span: Span
    call: ModelCall
    hint: str | None


def _fmt(v: Any) -> str:
    import json

    text = json.dumps(v, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe(err: Any, name: str, inner: list[Any]) -> tuple[str, str, str | None]:
    """(rule, message, hint) for one jsonschema error at ``inner`` inside param ``name``."""
    from flowdsl.suggest import closest

    where = name + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in inner)
    kind, want, got = err.validator, err.validator_value, err.instance
    if kind == "type":
        wanted = want if isinstance(want, str) else " or ".join(want)
        actual = type(got).__name__ if not isinstance(got, (str, bool, int, float, list, dict)) \
            else {str: "string", bool: "boolean", int: "integer", float: "number",
                  list: "array", dict: "object"}[type(got)]
        hint = None
        if isinstance(got, str) and wanted in ("integer", "number"):
            hint = f"write {got} without quotes" if _numeric(got) else None
        return codes.PARAM_TYPE, f'"{where}" must be {wanted}, got {actual} {_fmt(got)}', hint
    if kind in ("anyOf", "oneOf") and err.context and all(e.validator == "type" for e in err.context):
        return codes.PARAM_TYPE, f'"{where}" has the wrong type: {_fmt(got)}', None
    if kind == "enum":
        options = ", ".join(_fmt(o) for o in want[:12]) + (", ..." if len(want) > 12 else "")
        best = closest(str(got), [str(o) for o in want]) if isinstance(got, str) else None
        hint = f'did you mean "{best}"?' if best and best != got else None
        return codes.PARAM_VALUE, f'"{where}" must be one of {options}; got {_fmt(got)}', hint
    if kind == "const":
        return codes.PARAM_VALUE, f'"{where}" must be {_fmt(want)}; got {_fmt(got)}', None
    bounds = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}
    if kind in bounds:
        return codes.PARAM_VALUE, f'"{where}" must be {bounds[kind]} {want}; got {_fmt(got)}', None
    if kind in ("minLength", "maxLength"):
        side = "at least" if kind == "minLength" else "at most"
        return (codes.PARAM_VALUE, f'"{where}" must be {side} {want} characters long; '
                f"got {len(got)}", None)
    if kind in ("minItems", "maxItems"):
        side = "at least" if kind == "minItems" else "at most"
        return codes.PARAM_VALUE, f'"{where}" must have {side} {want} items; got {len(got)}', None
    if kind == "pattern":
        return codes.PARAM_VALUE, f'"{where}" must match /{want}/; got {_fmt(got)}', None
    return codes.PARAM_VALUE, f'"{where}": {err.message}', None


def _numeric(text: str) -> bool:
    return is_numeric_text(text)


def literal_errors(ctx: "Context") -> list[LiteralError]:
    """Every jsonschema error of every model call's literal params, on the offending value.

    The literal params are validated together against the model's whole ``request_schema``
    (so ``$ref``s into its definitions resolve); errors about the object itself (required,
    additional properties) are left to missing-param and unknown-param."""
    return ctx.literal_errors


def collect_literal_errors(ctx: "Context") -> list[LiteralError]:
    found: list[LiteralError] = []
    # "$.inputs.n" meant as a reference: dollar-in-template says so; its type is not the point.
    meant_as_refs = {id(d.scalar) for d in ctx.dollar_refs()}
    for call in model_calls(ctx):
        if call.params is None or call.properties is None or call.spec is None:
            continue
        instance: dict[str, Any] = {}
        nodes: dict[str, ir.Value] = {}
        for key, value in call.params.entries:
            if key.name not in call.properties:
                continue
            if meant_as_refs and any(id(s) in meant_as_refs for s in ir.iter_scalars(value)):
                continue
            item = literal(value)
            if item is not _SKIP:
                instance[key.name] = item
                nodes[key.name] = value
        if not instance or params_surely_valid(call.spec.request_schema, instance):
            continue  # the plain schemas of nearly every model: no jsonschema import
        for err in _errors(call.spec.request_schema, instance):
            path = list(err.absolute_path)
            if not path or path[0] not in nodes:
                continue  # about the params object as a whole
            name = path[0]
            rule, message, hint = _describe(err, name, path[1:])
            span = node_at(nodes[name], path[1:]).span
            found.append(LiteralError(rule, f"{call.where}: {message}", span, call, hint))
    return found


def _errors(schema: Any, instance: dict[str, Any]) -> list[Any]:
    """jsonschema's errors, or none when the schema itself is broken or unresolvable (a
    cached schema we cannot use says nothing about the flow)."""
    from jsonschema.exceptions import SchemaError
    from referencing.exceptions import Unresolvable

    import json

    try:
        key = (id(schema), json.dumps(instance, sort_keys=True))
    except (TypeError, ValueError):
        key = None
    if key is not None and key in _RESULTS:
        return _RESULTS[key]
    try:
        errors = list(validator(schema).iter_errors(instance))
    except (SchemaError, Unresolvable, RecursionError, TypeError, ValueError):
        errors = []
    if key is not None:
        if len(_RESULTS) > 4096:  # flows repeat the same literals; keep the memo small
            _RESULTS.clear()
        _RESULTS[key] = errors
    return errors


# (id of a schema kept alive by _VALIDATORS, canonical instance) -> its errors
_RESULTS: dict[tuple[int, str], list[Any]] = {}


# ---------------------------------------------------------------- templated arguments


class TemplatedArg(NamedTuple):
    """A param value (or list item) that is a template, with what both sides are."""

    call: ModelCall
    name: str  # "image_url" or "image_urls[1]"
    scalar: ir.Scalar
    schema: dict[str, Any]  # the param's schema (the item schema for list items)
    media: str | None  # the media the param expects, when the catalog knows it
    type: Any  # flowdsl.check.types.Type of the value at run time

    @property
    def span(self) -> Span:
        t = self.scalar.template
        if t is not None and t.whole:
            return t.refs[0].span
        return self.scalar.span


def templated_args(ctx: "Context") -> list[TemplatedArg]:
    return ctx.templated_args


def collect_templated_args(ctx: "Context") -> list[TemplatedArg]:
    from flowdsl.check import types

    found: list[TemplatedArg] = []

    def add(call: ModelCall, name: str, scalar: ir.Scalar, schema: dict[str, Any],
            media: str | None) -> None:
        t = scalar.template
        if t is None:
            return
        ty = ctx.type_of(t.refs[0]) if t.whole else types.STRING
        found.append(TemplatedArg(call, name, scalar, schema, media, ty))

    for call in model_calls(ctx):
        if call.params is None or call.properties is None:
            continue
        media_map = call.spec.param_media if call.spec is not None else {}
        for key, value in call.params.entries:
            schema = call.prop(key.name)
            if schema is None:
                continue
            media = media_map.get(key.name)
            if isinstance(value, ir.Scalar):
                add(call, key.name, value, schema, media)
            elif isinstance(value, ir.ListValue) and isinstance(schema.get("items"), dict):
                for i, item in enumerate(value.items):
                    if isinstance(item, ir.Scalar):
                        add(call, f"{key.name}[{i}]", item, schema["items"], media)
    return found
