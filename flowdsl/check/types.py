"""The checker's type model: a JSON type plus, for URLs of generated files, a media kind.

A :class:`Type` with ``json=None`` is *unknown*. Unknown is the default everywhere (python
and http outputs, ``.output.field`` of a model, an input declared without ``type``), and an
unknown type never produces a finding: rules only speak when both sides are known.

Where types come from:

* inputs: their JSON Schema (``type``, ``items``, ``enum``);
* model steps: the catalog's ``output_type`` and output media; ``.output`` is the whole
  value, ``.primary`` the first item of an array output or the value itself;
* pass steps: their literal ``result`` (a whole-value template keeps the referenced type);
* a string with a template embedded in longer text is always a string.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Mapping

from flowdsl import ir

JSON_TYPES = ("string", "integer", "number", "boolean", "array", "object", "null")


@dataclass(frozen=True, slots=True)
class Type:
    json: str | None = None  # one of JSON_TYPES, or None when unknown
    media: str | None = None  # image | video | audio | text | json, for URL strings
    items: "Type | None" = None  # element type of an array, when known
    enum: tuple[Any, ...] | None = None  # the values an input may take, when declared
    # The declared range of a number (an input's minimum / maximum), when declared.
    minimum: float | None = None
    maximum: float | None = None

    @property
    def known(self) -> bool:
        return self.json is not None

    def describe(self) -> str:
        if self.json is None:
            return "unknown"
        if self.json == "array" and self.items is not None and self.items.known:
            inner = self.items
            what = f"{inner.media} URLs" if inner.media and inner.json == "string" else f"{inner.json}s"
            return f"an array of {what}"
        if self.media and self.json == "string":
            return f"{self.media} URL (string)"
        return self.json


UNKNOWN = Type()
STRING = Type("string")


def of_literal(value: Any) -> Type:
    """The type of a plain Python value from a literal (bool before int: bool is an int)."""
    if value is None:
        return Type("null")
    if isinstance(value, bool):
        return Type("boolean")
    if isinstance(value, int):
        return Type("integer")
    if isinstance(value, float):
        return Type("integer") if value.is_integer() else Type("number")
    if isinstance(value, str):
        return STRING
    if isinstance(value, list):
        kinds = {of_literal(v) for v in value}
        return Type("array", items=kinds.pop() if len(kinds) == 1 else None)
    if isinstance(value, dict):
        return Type("object")
    return UNKNOWN


def of_schema(schema: Any, media: str | None = None) -> Type:
    """The type a JSON Schema describes; unknown unless it names exactly one type."""
    if not isinstance(schema, dict) and not isinstance(schema, Mapping):  # dict: fast path
        return UNKNOWN
    t = schema.get("type")
    if isinstance(t, list):
        non_null = [x for x in t if x != "null"]
        t = non_null[0] if len(non_null) == 1 and len(t) == 1 else None
    if t not in JSON_TYPES:
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            kinds = {of_literal(v).json for v in enum}
            if len(kinds) == 1:
                return Type(kinds.pop(), media, enum=tuple(enum))
        return UNKNOWN
    items = of_schema(schema.get("items")) if t == "array" else None
    enum = schema.get("enum")
    lo, hi = bound(schema, "minimum"), bound(schema, "maximum")
    return Type(t, media if t == "string" else None, items,
                tuple(enum) if isinstance(enum, list) else None,
                lo if t in ("integer", "number") else None,
                hi if t in ("integer", "number") else None)


def bound(schema: Mapping[str, Any], side: str) -> float | None:
    """A schema's ``minimum`` / ``maximum`` (exclusive bounds count as the bound)."""
    for key in (side, "exclusiveM" + side[1:]):
        v = schema.get(key)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return v
    return None


def schema_types(schema: Any) -> frozenset[str] | None:
    """The JSON types a schema accepts, or None when it does not restrict them."""
    if not isinstance(schema, dict) and not isinstance(schema, Mapping):  # dict: fast path
        return None
    t = schema.get("type")
    if isinstance(t, str):
        return frozenset({t}) if t in JSON_TYPES else None
    if isinstance(t, list) and all(isinstance(x, str) for x in t):
        return frozenset(t)
    for combinator in ("anyOf", "oneOf"):
        options = schema.get(combinator)
        if isinstance(options, list):
            union: set[str] = set()
            for option in options:
                sub = schema_types(option)
                if sub is None:
                    return None
                union |= sub
            return frozenset(union)
    return None


def fits(ty: Type, accepted: frozenset[str] | None) -> bool:
    """False only when the type is known and certainly not among the accepted ones."""
    if not ty.known or accepted is None:
        return True
    if ty.json in accepted:
        return True
    # An integer is a number (jsonschema agrees), and a number may well hold an integer.
    if ty.json == "integer" and "number" in accepted:
        return True
    return ty.json == "number" and "integer" in accepted


@lru_cache(maxsize=1024)
def of_model_output(output_type: str | None, media: str | None, path: tuple[str, ...]) -> Type:
    """``.output`` / ``.primary`` of a model with the given API ``output_type`` (shared: a
    Type is immutable, and flows read the same few outputs of the same few models)."""
    if not path or output_type is None:
        return UNKNOWN
    head, rest = path[0], path[1:]
    if head == "output" and not rest:
        if output_type == "array":
            return Type("array", items=Type("string", media))
        if output_type == "string":
            return Type("string", media)
        if output_type == "object":
            return Type("object")
    if head == "primary" and not rest:
        if output_type in ("array", "string"):
            return Type("string", media)
    return UNKNOWN


def of_value(value: ir.Value | None, path: tuple[str, ...],
             ref_type: Callable[[ir.Ref], Type]) -> Type:
    """The type of a pass step's result at ``.output[.a.b]`` / ``.primary``."""
    if value is None or not path:
        return UNKNOWN
    head, rest = path[0], list(path[1:])
    if head == "primary":
        if rest:
            return UNKNOWN
        if isinstance(value, ir.ListValue):
            return value_type(value.items[0], ref_type) if value.items else UNKNOWN
        if isinstance(value, ir.MapValue):
            return UNKNOWN  # what the engine calls primary of an object is not documented
        return value_type(value, ref_type)
    if head != "output":
        return UNKNOWN
    node: ir.Value | None = value
    for name in rest:
        if isinstance(node, ir.MapValue):
            node = node.get(name)
        elif isinstance(node, ir.ListValue) and name.isdigit() and int(name) < len(node.items):
            node = node.items[int(name)]
        else:
            return UNKNOWN
        if node is None:
            return UNKNOWN
    return value_type(node, ref_type) if node is not None else UNKNOWN


def value_type(value: ir.Value, ref_type: Callable[[ir.Ref], Type]) -> Type:
    """The run-time type of a value written in the flow (templates resolved by ``ref_type``)."""
    if isinstance(value, ir.Scalar):
        t = value.template
        if t is None:
            return of_literal(value.value)
        if t.whole:
            return ref_type(t.refs[0])
        return STRING  # embedded templates are interpolated into text
    if isinstance(value, ir.ListValue):
        kinds = {value_type(v, ref_type) for v in value.items}
        return Type("array", items=kinds.pop() if len(kinds) == 1 else None)
    return Type("object")
