"""The top level of a file into an :class:`ir.Workflow`.

Accepted shapes, all into the same IR:
- a ``.flow.yaml`` (``inputs``, ``outputs``, ``defaults``, ``steps``);
- an engine definition ``{version, steps, input_schema, output_mapping, ...}``;
- a create request ``{name, description, categories, definition: {...}}``;
- each::sense's form (``input_schema`` as a flat map of ``{type, required: true}``).
"""

from __future__ import annotations

import json
import weakref
from typing import TYPE_CHECKING, Any

from flowdsl import codes
from flowdsl import ir
from flowdsl.lang.conditions import parse_ref
from flowdsl.check.quick_schema import simple_schema_verdict  # no jsonschema for plain input schemas
from flowdsl.diagnostics import Severity
from flowdsl.frontend.nodes import Broken, Reader, kind_name, plain
from flowdsl.frontend.steps import StepReader, read_retry
from flowdsl.frontend.load import Document, YMap, YNode, YScalar, YSeq
from flowdsl.frontend.legacy_detect import legacy_export_finding
from flowdsl.spans import Span
from flowdsl.suggest import closest

if TYPE_CHECKING:  # jsonschema costs ~40 ms to import; most inputs never need it
    import jsonschema

META_KEYS = ("name", "description", "categories", "tags", "visibility")
FLOW_TOP = META_KEYS + ("version", "inputs", "input_options", "outputs", "defaults", "steps",
                        "output_schema", "metadata")
DEFINITION_TOP = ("version", "steps", "input_schema", "output_schema", "output_mapping", "metadata",
                  "timeout_seconds", "retry")
# Keys that requests and each::sense exports carry around a definition.
WRAPPER_TOP = META_KEYS + ("definition", "workflow_id", "version_id", "slug", "locked", "production",
                           "published", "allowed_to_share", "output_mapping")


# What the steps that failed to parse would have declared, by workflow (see Broken).
_BROKEN: dict[int, Broken] = {}


def broken_parts(wf: ir.Workflow) -> Broken:
    """Ids and input names in the steps of ``wf`` that failed to parse (empty if none)."""
    return _BROKEN.get(id(wf)) or Broken()


def _remember(wf: ir.Workflow | None, r: Reader) -> None:
    if wf is not None and (r.broken.ids or r.broken.inputs):
        _BROKEN[id(wf)] = r.broken
        weakref.finalize(wf, _BROKEN.pop, id(wf), None)


def read_workflow(doc: Document) -> tuple[ir.Workflow | None, Reader]:
    legacy = legacy_export_finding(doc)
    if legacy is not None:  # one finding that says "run flowdsl import", not hundreds
        r = Reader(doc)
        r.diagnostics.append(legacy)
        return None, r
    wf, r = _read_workflow(doc)
    _remember(wf, r)
    return wf, r


def _read_workflow(doc: Document) -> tuple[ir.Workflow | None, Reader]:
    r = Reader(doc)
    root = doc.root
    if root is None:
        return None, r
    if not isinstance(root, YMap):
        r.report(codes.YAML_SYNTAX, f"the top level must be a mapping with `steps`, found {kind_name(root)}",
                 root.span)
        return None, r
    is_json = doc.file.endswith(".json")
    definition_node = root.get("definition")
    if definition_node is not None:
        r.check_keys(root, WRAPPER_TOP, "workflow request")
        body = r.mapping(definition_node, "definition")
        if body is None:
            return None, r
        wf = _read(r, body, meta=root, definition=True)
    else:
        engine_like = is_json or any(root.get(k) is not None for k in ("input_schema", "output_mapping"))
        if engine_like:
            r.check_keys(root, tuple(dict.fromkeys(DEFINITION_TOP + WRAPPER_TOP)), "definition")
        else:
            r.check_keys(root, FLOW_TOP, "flow")
        wf = _read(r, root, meta=root, definition=engine_like)
    return wf, r


def _strings(r: Reader, node: YNode | None, what: str) -> tuple[str, ...]:
    seq = r.sequence(node, what)
    if seq is None:
        return ()
    return tuple(s for s in (r.string(i, f"{what} entry") for i in seq.items) if s is not None)


def _read(r: Reader, body: YMap, meta: YMap, definition: bool) -> ir.Workflow | None:
    def opt_str(node: YNode | None, what: str) -> str | None:
        return r.string(node, what) if node is not None else None

    steps_node = body.get("steps")
    if steps_node is None:
        r.report(codes.SCHEMA, 'no "steps": a workflow needs a list of steps', body.span)
    steps = StepReader(r, definition).steps(steps_node, "steps")
    version_node = body.get("version")
    version = r.string(version_node, "version", allow_numbers=True) if version_node is not None else None

    inputs: tuple[ir.Input, ...] = ()
    extra: dict[str, Any] = {}
    if body.get("inputs") is not None:
        inputs = _flow_inputs(r, body.get("inputs"))
        options = r.mapping(body.get("input_options"), "input_options")
        if options is not None:
            extra = {str(k.value): plain(v) for k, v in options.items}
    elif body.get("input_schema") is not None:
        inputs, extra = _schema_inputs(r, body.get("input_schema"))

    outputs: tuple[ir.Output, ...] = ()
    out_node = body.get("outputs") if body.get("outputs") is not None else body.get("output_mapping")
    if out_node is None and meta is not body:  # a version request carries it beside the definition
        out_node = meta.get("output_mapping")
    if out_node is not None:
        outputs = _outputs(r, out_node)

    timeout_s: float | None = None
    timeout_span: Span | None = None
    retry = None
    defaults = body.get("defaults")
    if defaults is not None:
        dm = r.mapping(defaults, "defaults")
        if dm is not None:
            r.check_keys(dm, ("timeout", "retry"), "defaults")
            if dm.get("timeout") is not None:
                timeout_s = r.duration(dm.get("timeout"), "defaults.timeout")
                timeout_span = dm.get("timeout").span  # type: ignore[union-attr]
            retry = read_retry(r, dm.get("retry"), None)
    if body.get("timeout_seconds") is not None:
        n = r.number(body.get("timeout_seconds"), "timeout_seconds", minimum=0)
        timeout_s = float(n) if n is not None else None
        timeout_span = body.get("timeout_seconds").span  # type: ignore[union-attr]
    if body.get("retry") is not None:
        retry = read_retry(r, body.get("retry"), None)

    tags_node = meta.get("tags")
    return ir.Workflow(
        file=r.file, span=body.span, steps=steps,
        name=opt_str(meta.get("name"), "name"),
        description=opt_str(meta.get("description"), "description"),
        categories=_strings(r, meta.get("categories"), "categories"),
        tags=_strings(r, tags_node, "tags"),
        tags_span=tags_node.span if tags_node is not None else None,
        visibility=opt_str(meta.get("visibility"), "visibility"),
        version=version or "v1",
        inputs=inputs, input_schema_extra=extra, outputs=outputs,
        output_schema=plain(body.get("output_schema")),
        timeout_s=timeout_s, timeout_span=timeout_span, retry=retry,
        metadata=plain(body.get("metadata")),
        source_format="definition" if definition else "flow",
    )


def _input(r: Reader, key: YScalar, node: YNode, required_default: bool | None = None) -> ir.Input | None:
    name = str(key.value)
    if isinstance(node, YScalar) and isinstance(node.value, str):
        # Shorthand `prompt: string`: just the type.
        _check_type(r, name, node)
        schema = ir.MapValue(((ir.Key("type", node.span), ir.Scalar(node.value, node.span)),), node.span)
        return ir.Input(name, key.span, schema, bool(required_default), node.span)
    m = r.mapping(node, f'input "{name}"')
    if m is None:
        return None
    required = bool(required_default)
    entries = []
    for k, v in m.items:
        if k.value == "required":
            b = r.boolean(v, f'"required" of input "{name}"')
            required = bool(b)
            continue
        entries.append((ir.Key(str(k.value), k.span), r.value(v, None)))
    _check_input_schema(r, name, m)
    return ir.Input(name, key.span, ir.MapValue(tuple(entries), m.span), required, m.span)


JSON_TYPES = ("string", "number", "integer", "boolean", "array", "object", "null")
# What people write for a JSON Schema type, and the type they mean.
TYPE_ALIASES = {"int": "integer", "str": "string", "float": "number", "double": "number",
                "bool": "boolean", "list": "array", "dict": "object", "text": "string",
                "map": "object", "num": "number", "long": "integer"}
# The JSON Schema keywords an input may carry (`required` is read separately).
SCHEMA_KEYS = ("type", "description", "title", "default", "enum", "const", "examples", "format",
               "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
               "minLength", "maxLength", "pattern", "items", "minItems", "maxItems", "uniqueItems",
               "contains", "properties", "additionalProperties", "patternProperties",
               "minProperties", "maxProperties", "propertyNames", "dependencies", "oneOf",
               "anyOf", "allOf", "not", "if", "then", "else", "$ref", "$comment", "$id",
               "definitions", "$defs", "readOnly", "writeOnly", "deprecated", "contentMediaType",
               "contentEncoding", "required")
# Non-JSON-Schema keys with an obvious meaning.
KEY_ALIASES = {"min": "minimum", "max": "maximum", "options": "enum", "choices": "enum",
               "values": "enum", "desc": "description", "label": "title", "example": "examples",
               "min_length": "minLength", "max_length": "maxLength", "regex": "pattern"}


def _check_type(r: Reader, name: str, node: YNode) -> bool:
    """False (with a finding) when ``type`` is not a JSON Schema type (or list of them)."""
    items = node.items if isinstance(node, YSeq) else (node,)
    ok = True
    for item in items:
        if not isinstance(item, YScalar) or not isinstance(item.value, str):
            r.report(codes.SCHEMA, f'type of input "{name}" must be a JSON Schema type name, found '
                     f"{kind_name(item)}", item.span, hint="types: " + ", ".join(JSON_TYPES))
            ok = False
            continue
        t = item.value
        if t in JSON_TYPES:
            continue
        ok = False
        best = TYPE_ALIASES.get(t.lower()) or closest(t, JSON_TYPES)
        r.report(codes.SCHEMA, f'input "{name}" has type "{t}", which is not a JSON Schema type'
                 + (f' (did you mean "{best}"?)' if best else ""), item.span,
                 hint=f"type: {best}" if best else "types: " + ", ".join(JSON_TYPES))
    return ok


def _describe(error: jsonschema.ValidationError) -> str:
    v = error.validator
    s = error.validator_value
    if v == "enum":
        return "not one of its own enum " + ", ".join(str(x) for x in s)  # type: ignore[union-attr]
    if v in ("minimum", "exclusiveMinimum"):
        return f"below its own {v} {s}"
    if v in ("maximum", "exclusiveMaximum"):
        return f"above its own {v} {s}"
    if v == "type":
        return f"not of its own type {s}"
    return str(error.message)


def _check_input_schema(r: Reader, name: str, m: YMap) -> None:
    """The input's own schema: JSON Schema keys and types, and a default that fits it."""
    valid = True
    for k, v in m.items:
        key = k.value
        if not isinstance(key, str) or key not in SCHEMA_KEYS:
            text = str(key)
            best = KEY_ALIASES.get(text) or closest(text, SCHEMA_KEYS)
            r.report(codes.SCHEMA, f'input "{name}" has "{text}", which is not a JSON Schema keyword'
                     + (f' (did you mean "{best}"?)' if best else ""), k.span,
                     hint="input_schema must be JSON Schema: " + (f"write {best}:" if best else
                                                                  "remove it, or move it into description"))
            valid = False
    type_node = m.get("type")
    if type_node is not None and not _check_type(r, name, type_node):
        valid = False
    schema = {str(k.value): plain(v) for k, v in m.items if k.value != "required"}
    if not valid:
        return
    lo, hi = schema.get("minimum"), schema.get("maximum")
    crossed = isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and lo > hi
    fast = None if crossed else simple_schema_verdict(schema)  # crossed: reported below
    if fast is not None:
        default_node = m.get("default")
        if fast[1] is not None and default_node is not None:
            r.report(codes.SCHEMA, f'default {json.dumps(schema["default"])} of input "{name}" is '
                     f"{fast[1]}", default_node.span,
                     hint="the engine validates inputs, defaults included, against input_schema")
        return
    import jsonschema  # noqa: F811 - only for the schemas the fast path above leaves

    if valid:
        try:
            jsonschema.Draft7Validator.check_schema(schema)
        except jsonschema.SchemaError as exc:
            where = m
            node: YNode = m
            if exc.path:
                found = m.get(str(exc.path[0]))
                node = found if found is not None else where
            r.report(codes.SCHEMA, f'input "{name}" is not valid JSON Schema: {exc.message}', node.span)
            return
    else:
        return
    lo, hi = schema.get("minimum"), schema.get("maximum")
    if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and lo > hi:
        r.report(codes.SCHEMA, f'input "{name}" has minimum {lo} above its maximum {hi}',
                 m.get("minimum").span)  # type: ignore[union-attr]
        return
    default_node = m.get("default")
    if default_node is None or (isinstance(default_node, YScalar) and default_node.value is None):
        return
    rest = {k: v for k, v in schema.items() if k not in ("default", "examples")}
    errors = sorted(jsonschema.Draft7Validator(rest).iter_errors(schema["default"]),
                    key=lambda e: (len(e.path), str(e.validator)))
    if errors:
        first = errors[0]
        r.report(codes.SCHEMA, f'default {json.dumps(schema["default"])} of input "{name}" is '
                 f"{_describe(first)}", default_node.span,
                 hint="the engine validates inputs, defaults included, against input_schema")


def _flow_inputs(r: Reader, node: YNode | None) -> tuple[ir.Input, ...]:
    m = r.mapping(node, "inputs")
    if m is None:
        return ()
    out = [_input(r, k, v) for k, v in m.items]
    return tuple(i for i in out if i is not None)


def _schema_inputs(r: Reader, node: YNode | None) -> tuple[tuple[ir.Input, ...], dict[str, Any]]:
    m = r.mapping(node, "input_schema")
    if m is None:
        return (), {}
    props = m.get("properties")
    if props is None and m.get("type") is None:
        # each::sense writes a flat map of properties with `required: true` inside each.
        r.report(codes.SCHEMA, "input_schema is a flat map of inputs, not a JSON Schema object; it is read "
                 "as properties (the engine expects {type: object, properties, required})", m.span,
                 severity=Severity.WARNING)
        out = [_input(r, k, v) for k, v in m.items]
        return tuple(i for i in out if i is not None), {}
    required: set[str] = set()
    req_node = m.get("required")
    if req_node is not None:
        required = set(_strings(r, req_node, "input_schema.required"))
    extra = {str(k.value): plain(v) for k, v in m.items if k.value not in ("type", "properties", "required")}
    pm = r.mapping(props, "input_schema.properties") if props is not None else None
    inputs = []
    if pm is not None:
        for k, v in pm.items:
            i = _input(r, k, v, required_default=str(k.value) in required)
            if i is not None:
                inputs.append(i)
    names = {i.name for i in inputs}
    if req_node is not None:
        seq = r.sequence(req_node, "required")
        for item in seq.items if seq else ():
            if isinstance(item, YScalar) and item.value not in names:
                r.report(codes.SCHEMA, f'"{item.value}" is required but is not in input_schema.properties',
                         item.span)
    return tuple(inputs), extra


def _outputs(r: Reader, node: YNode) -> tuple[ir.Output, ...]:
    m = r.mapping(node, "outputs")
    if m is None:
        return ()
    out = []
    for k, v in m.items:
        if not isinstance(v, YScalar) or not isinstance(v.value, str):
            r.report(codes.SCHEMA, f'output "{k.value}" must be a reference such as "{{{{step.primary}}}}", '
                     f"found {kind_name(v)}", v.span)
            continue
        scalar = r.scalar(v, None)
        refs: tuple[ir.Ref, ...] = scalar.template.refs if scalar.template else ()
        text = v.value.strip()
        if scalar.template is None and text.startswith("$."):
            ref = parse_ref(text, r.locate(v, v.value.find("$"), len(text)))
            refs = (ref,) if ref else ()
        if not refs and scalar.template is None and "{{" not in v.value:
            r.report(codes.SCHEMA, f'output "{k.value}" must reference a step or input, such as '
                     '"{{step.primary}}"', v.span)
        out.append(ir.Output(str(k.value), k.span, scalar, refs))
    return tuple(out)
