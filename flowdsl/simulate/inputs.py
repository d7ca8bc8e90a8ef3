"""Workflow inputs for a simulation: ``--input k=v`` and ``--inputs-file``, coerced by the
declared type, defaults applied, validated against the flow's input schema.

Every problem is an :class:`InputError` whose message is one line naming the input.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

import yaml

from flowdsl import ir
from flowdsl.suggest import did_you_mean


class InputError(ValueError):
    pass


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def schema_of(wf: ir.Workflow) -> dict[str, Any]:
    """The flow's inputs as one JSON Schema object (what the engine validates against)."""
    return wf.input_schema()


def _types(decl: ir.Input) -> list[str]:
    t = decl.schema.to_python().get("type")
    if isinstance(t, str):
        return [t]
    if isinstance(t, list):
        return [x for x in t if isinstance(x, str)]
    return []


def coerce(decl: ir.Input | None, name: str, text: str) -> Any:
    """``--input name=text`` as the declared type (text as is when there is none)."""
    types = _types(decl) if decl is not None else []
    if not types or "string" in types:
        return text
    low = text.strip().lower()
    for t in types:
        if t == "integer":
            try:
                return int(text.strip())
            except ValueError:
                continue
        if t == "number":
            try:
                f = float(text.strip())
            except ValueError:
                continue
            return int(f) if f.is_integer() and "." not in text and "e" not in low else f
        if t == "boolean":
            if low in _TRUE:
                return True
            if low in _FALSE:
                return False
            continue
        if t == "null" and low in ("null", "none", ""):
            return None
        if t in ("array", "object"):
            try:
                v = json.loads(text)
            except json.JSONDecodeError:
                continue
            if isinstance(v, list if t == "array" else dict):
                return v
    raise InputError(f"input '{name}': {text!r} is not {' or '.join(_article(t) for t in types)}")


def _article(t: str) -> str:
    return {"integer": "an integer", "array": "a JSON array", "object": "a JSON object",
            "boolean": "true or false", "number": "a number", "null": "null"}.get(t, f"a {t}")


def parse_pairs(pairs: Iterable[str], wf: ir.Workflow) -> dict[str, Any]:
    out: dict[str, Any] = {}
    declared = {i.name: i for i in wf.inputs}
    for pair in pairs:
        if "=" not in pair:
            raise InputError(f"--input {pair!r}: expected NAME=VALUE")
        name, _, text = pair.partition("=")
        name = name.strip()
        if declared and name not in declared:
            raise InputError(f"input '{name}' is not declared by the flow{did_you_mean(name, declared)}"
                             f" (inputs: {', '.join(declared)})")
        if not declared:
            raise InputError(f"input '{name}': the flow declares no inputs")
        out[name] = coerce(declared.get(name), name, text)
    return out


def read_inputs_doc(path: str) -> Any:
    """The parsed inputs file, JSON or YAML by its name (size-capped, regular files only:
    never /dev/zero or a FIFO, which would read forever)."""
    from flowdsl.frontend.source import MAX_FILE_BYTES, read_regular
    try:
        raw = read_regular(path)
        if len(raw) > MAX_FILE_BYTES:
            raise InputError(f"the inputs file {path} is over {MAX_FILE_BYTES // (1024 * 1024)} MiB")
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the inputs file {path}: {getattr(exc, 'strerror', None) or exc}") from None
    is_json = path.endswith(".json")
    try:
        return json.loads(text) if is_json else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"the inputs file {path} is not valid {'JSON' if is_json else 'YAML'}: {first}") from None


def as_mapping(data: Any, path: str, where: str = "") -> dict[str, Any]:
    """An inputs document (or one entry of a list of them) as {name: value}."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(f"the inputs file {path}{where} must be a mapping of input name to value")
    return {str(k): v for k, v in data.items()}


def read_inputs_file(path: str) -> dict[str, Any]:
    """One run's inputs from a file: a mapping of input name to value."""
    return as_mapping(read_inputs_doc(path), path)


def prepare(wf: ir.Workflow, given: dict[str, Any]) -> dict[str, Any]:
    """Defaults applied, then validated; returns the inputs a run sees."""
    values = dict(given)
    for decl in wf.inputs:
        if decl.name not in values:
            d = decl.schema.get("default")
            if d is not None:
                values[decl.name] = d.to_python()
    validate(wf, values)
    return values


def validate(wf: ir.Workflow, values: dict[str, Any]) -> None:
    import jsonschema

    schema = schema_of(wf)
    try:
        cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
        cls.check_schema(schema)
    except jsonschema.SchemaError:
        # A schema the checker has already reported on: validate only what is required.
        missing = [i.name for i in wf.inputs if i.required and i.name not in values]
        if missing:
            raise InputError(f"input '{missing[0]}' is required") from None
        return
    validator = cls(schema)
    errors = sorted(validator.iter_errors(values), key=lambda e: (list(e.path), e.message))
    if not errors:
        return
    err = errors[0]
    if err.validator == "required" and not err.path:
        missing = [n for n in (err.validator_value or []) if n not in values]
        name = missing[0] if missing else "?"
        raise InputError(f"input '{name}' is required (give it with --input {name}=VALUE)")
    name = str(err.path[0]) if err.path else "?"
    raise InputError(f"input '{name}': {err.message}")
