"""Answers for the plain JSON Schemas nearly every flow meets, without importing jsonschema
(~40 ms, most of a one-file ``check``): input schemas (``{type: integer, minimum: 1,
default: 2}``) and model params (``{type: string, enum: [...]}``).

Each answer is given only when every keyword of the schema is understood here, with the
same verdict as jsonschema (tests/robustness/test_input_schema_fast.py and
tests/core/test_quick_schema.py compare the two); anything else returns None, and the
caller asks jsonschema.
"""

from __future__ import annotations

from typing import Any

JSON_TYPES = frozenset(("string", "number", "integer", "boolean", "array", "object", "null"))


def is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def has_type(value: object, t: str) -> bool:
    """jsonschema's type check (Draft 6 and later: 1.0 is an integer)."""
    if t == "string":
        return isinstance(value, str)
    if t == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or \
            (isinstance(value, float) and value.is_integer())
    if t == "number":
        return is_number(value)
    if t == "boolean":
        return isinstance(value, bool)
    if t == "array":
        return isinstance(value, list)
    if t == "object":
        return isinstance(value, dict)
    return value is None


def _same(value: Any, option: Any) -> bool | None:
    """jsonschema's ``equal`` for scalars (True is not 1, 1 is 1.0); None for containers."""
    if value is option:
        return True
    if isinstance(value, (list, dict)):
        return None
    if isinstance(value, bool) or isinstance(option, bool):
        return isinstance(value, bool) and isinstance(option, bool) and value is option
    if value is None or option is None:
        return value is option
    if isinstance(value, str) or isinstance(option, str):
        return isinstance(value, str) and isinstance(option, str) and value == option
    if is_number(value) and is_number(option):
        return bool(value == option)
    return False if isinstance(option, (list, dict)) else None


# ---------------------------------------------------------------- input schemas (Draft 7)

_SIMPLE_KEYS = frozenset(("type", "description", "title", "default", "minimum", "maximum", "enum",
                          "minLength", "maxLength"))


def simple_schema_verdict(schema: dict[str, Any]) -> tuple[bool, str | None] | None:
    """``(True, None)`` when ``schema`` is simple and valid with a fitting (or no) default,
    ``(True, message)`` when the default does not fit, None when jsonschema must decide."""
    if not schema.keys() <= _SIMPLE_KEYS:
        return None
    t = schema.get("type")
    if t is not None and (not isinstance(t, str) or t not in JSON_TYPES):
        return None
    if any(k in schema and not isinstance(schema[k], str) for k in ("description", "title")):
        return None
    if any(k in schema and not is_number(schema[k]) for k in ("minimum", "maximum")):
        return None
    if "enum" in schema and not isinstance(schema["enum"], list):
        return None
    if any(k in schema and not (type(schema[k]) is int and schema[k] >= 0) for k in ("minLength", "maxLength")):
        return None
    if "default" not in schema or schema["default"] is None:
        return True, None
    value = schema["default"]
    failed: list[tuple[str, str]] = []
    if is_number(value):
        if "maximum" in schema and value > schema["maximum"]:
            failed.append(("maximum", f"above its own maximum {schema['maximum']}"))
        if "minimum" in schema and value < schema["minimum"]:
            failed.append(("minimum", f"below its own minimum {schema['minimum']}"))
    if t is not None and not has_type(value, t):
        failed.append(("type", f"not of its own type {t}"))
    if isinstance(value, str):  # jsonschema's own messages, which the reader quotes
        if "minLength" in schema and len(value) < schema["minLength"]:
            failed.append(("minLength", f"{value!r} " + ("should be non-empty" if schema["minLength"] == 1
                                                          else "is too short")))
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            failed.append(("maxLength", f"{value!r} " + ("is expected to be empty" if schema["maxLength"] == 0
                                                          else "is too long")))
    if "enum" in schema:
        matches = [_same(value, option) for option in schema["enum"]]
        if not any(matches):
            if None in matches:
                return None  # a list or mapping default: jsonschema compares those
            failed.append(("enum", "not one of its own enum " + ", ".join(str(x) for x in schema["enum"])))
    return True, min(failed)[1] if failed else None


# ---------------------------------------------------------------- model params (Draft 2020-12)

# Keywords that never make a value invalid (annotations; `format` is not asserted by the
# validators models.py builds, which have no format checker).
_ANNOTATIONS = frozenset(("title", "description", "default", "examples", "format", "deprecated",
                          "readOnly", "writeOnly", "$comment"))
_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_LENGTHS = ("minLength", "maxLength", "minItems", "maxItems")
_VALUE_KEYS = frozenset(("type", "enum", "const", "items") + _BOUNDS + _LENGTHS) | _ANNOTATIONS
# Keywords of the params object itself whose errors carry no path (about the object as a
# whole, which models.py leaves to missing-param and unknown-param).
_OBJECT_KEYS = frozenset(("type", "properties", "required")) | _ANNOTATIONS


def value_fits(schema: Any, value: Any) -> bool:
    """True only when ``value`` surely passes ``schema`` (False: unsure or invalid)."""
    if not isinstance(schema, dict) or not schema.keys() <= _VALUE_KEYS:
        return False
    t = schema.get("type")
    if t is not None:
        types = [t] if isinstance(t, str) else t
        if not isinstance(types, list) or not all(isinstance(x, str) and x in JSON_TYPES for x in types):
            return False
        if not any(has_type(value, x) for x in types):
            return False
    for key in ("enum", "const"):
        if key in schema:
            options = schema[key] if key == "enum" else [schema[key]]
            if not isinstance(options, list) or not any(_same(value, o) for o in options):
                return False
    if any(k in schema and not is_number(schema[k]) for k in _BOUNDS):
        return False
    if is_number(value):
        if "minimum" in schema and value < schema["minimum"]:
            return False
        if "maximum" in schema and value > schema["maximum"]:
            return False
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            return False
        if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
            return False
    for key in _LENGTHS:
        if key not in schema:
            continue
        limit = schema[key]
        if not (isinstance(limit, int) and not isinstance(limit, bool)):
            return False
        sized = isinstance(value, str) if key.endswith("Length") else isinstance(value, list)
        if sized and (len(value) < limit if key.startswith("min") else len(value) > limit):
            return False
    if "items" in schema and isinstance(value, list):
        return all(value_fits(schema["items"], item) for item in value)
    return True


# (id of the schema, the params with their types) -> (the schema, kept alive so its id stays
# unique, and the verdict). Flows repeat their literal params; types are part of the key
# because True == 1 == 1.0 in a dict key, and value_fits tells them apart.
_VERDICTS: dict[tuple[int, tuple[tuple[str, type, Any], ...]], tuple[Any, bool]] = {}


def params_surely_valid(schema: Any, params: dict[str, Any]) -> bool:
    """True only when jsonschema would find no error inside any of ``params`` against the
    request schema ``schema`` (errors about the object as a whole, such as a missing
    required param, may remain: their path is empty and models.py does not report them)."""
    key: tuple[int, tuple[tuple[str, type, Any], ...]] | None
    try:
        key = (id(schema), tuple([(n, type(v), v) for n, v in params.items()]))
        hit = _VERDICTS.get(key)
    except TypeError:  # a list or mapping value: not hashable, decided afresh
        key, hit = None, None
    if hit is not None and hit[0] is schema:
        return hit[1]
    verdict = _params_surely_valid(schema, params)
    if key is not None:
        if len(_VERDICTS) > 4096:
            _VERDICTS.clear()
        _VERDICTS[key] = (schema, verdict)
    return verdict


def _params_surely_valid(schema: Any, params: dict[str, Any]) -> bool:
    if not isinstance(schema, dict) or not schema.keys() <= _OBJECT_KEYS or schema.get("type") != "object":
        return False
    props = schema.get("properties")
    if not isinstance(props, dict):
        return False
    return all(name in props and value_fits(props[name], value) for name, value in params.items())
