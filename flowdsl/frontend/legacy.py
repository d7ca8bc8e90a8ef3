"""Exports of the older each::labs console: ``{name, description, nodes_json, edges_json,
inputs: [{name, type, default_value}], steps: [{id, name, type, model_slug, model_version, params}]}``.

Every step there is a model call. ``nodes_json`` carries, for each model node, the input spec
the console used (type, select options, range, required) and how the console passed the
model's output on (``output_type``, ``flow_output_type``, ``output_object_key``). The import:

- converts param values stored as text back to the type the spec declares (``"30"`` -> 30);
- checks the literal params against that spec (unknown, missing required, wrong type, not
  one of the select options, out of range), with findings placed in the export;
- turns ``{{workflow.parameters.x}}`` into ``{{inputs.x}}``;
- rewrites ``{{stepN.output}}`` to what the console actually passed: the first file of an
  array output whose ``flow_output_type`` is a single file (``{{stepN.primary}}``), or the
  field ``output_object_key`` names (``{{stepN.output.key}}``), and notes each rewrite;
- maps console input types to JSON Schema (media types to URL strings);
- cleans step names the console repeated (``Face Analyzer by Each AI by Each AI``);
- orders each step's params as the spec does, required first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowdsl import codes
from flowdsl import ir
from flowdsl.diagnostics import Severity
from flowdsl.frontend.importers import ImportNotes, ImportResult, ordered_params
from flowdsl.frontend.nodes import Reader
from flowdsl.frontend.load import YMap, YNode, YScalar, YSeq, load_bytes
from flowdsl.spans import Span
from flowdsl.suggest import closest

_PARAM = re.compile(r"\{\{\s*workflow\.parameters\.")
_OUTPUT_REF = re.compile(r"\{\{\s*([A-Za-z0-9_-]+)\.output\s*\}\}")
# Console input types that are media: the value is a URL string. "voice" is a recorded
# voice sample (an audio URL).
_MEDIA_INPUT = {"image": "image", "video": "video", "audio": "audio", "file": "file", "voice": "audio"}
# Console types that are JSON Schema types under another name.
_TYPE_NAMES = {"float": "number", "int": "integer", "bool": "boolean", "text": "string"}
_JSON_TYPES = {"string", "number", "integer", "boolean", "array", "object"}
_SPEC_TYPES = {"string": "string", "integer": "integer", "number": "number", "float": "number",
               "boolean": "boolean"}


def _input_default(text: Any, itype: str) -> Any:
    """The console stored every default as text; give numbers and booleans back their type."""
    if not isinstance(text, str):
        return text
    try:
        if itype == "integer":
            return int(text)
        if itype == "number":
            return int(text) if text.strip().lstrip("-").isdigit() else float(text)
    except ValueError:
        return text
    if itype == "boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def is_legacy_export(path: str | Path) -> bool:
    """Whether the file is a console export, by its structure (not by a word in a prompt)."""
    from flowdsl.frontend.legacy_detect import is_export
    from flowdsl.frontend.source import read_regular
    try:
        data = read_regular(path)
    except OSError:
        return False
    if b"nodes_json" not in data and b"model_slug" not in data:
        return False  # the common case, without parsing twice
    root = load_bytes(data, str(path)).root
    return isinstance(root, YMap) and is_export(root, lenient=True)


@dataclass(frozen=True)
class NodeModel:
    """One model node of ``nodes_json``: the console's spec of the model."""

    slug: str
    inputs: dict[str, dict[str, Any]]
    output_type: Any
    flow_output_type: Any
    output_object_key: str | None

    def order(self) -> list[str]:
        def rank(item: tuple[str, dict[str, Any]]) -> Any:
            o = item[1].get("order")
            return o if isinstance(o, (int, float)) and not isinstance(o, bool) else 1_000_000
        return [k for k, _ in sorted(self.inputs.items(), key=rank)]

    def required(self) -> set[str]:
        return {k for k, v in self.inputs.items() if v.get("required") is True}


def node_models(nodes_json: str) -> dict[str, NodeModel]:
    """node id -> its model, from the console's node graph (nothing for broken JSON)."""
    try:
        nodes = json.loads(nodes_json)
    except (ValueError, RecursionError):  # broken or absurdly nested: no spec to use
        return {}
    out: dict[str, NodeModel] = {}
    for n in nodes if isinstance(nodes, list) else []:
        data = n.get("data") if isinstance(n, dict) else None
        model = data.get("model") if isinstance(data, dict) else None
        if not isinstance(model, dict) or not isinstance(model.get("inputs"), dict):
            continue
        inputs = {str(k): v for k, v in model["inputs"].items() if isinstance(v, dict)}
        key = model.get("output_object_key")
        out[str(n.get("id"))] = NodeModel(str(model.get("slug") or ""), inputs, model.get("output_type"),
                                          model.get("flow_output_type"),
                                          key if isinstance(key, str) and key else None)
    return out


def _convert(text: str, spec: dict[str, Any] | None) -> str | int | float | bool:
    if spec is None or "{{" in text:
        return text
    kind = spec.get("type")
    try:
        if kind == "integer":
            return int(text)
        if kind in ("number", "float"):
            return float(text) if not text.lstrip("-").isdigit() else int(text)
        if kind == "boolean" and text.lower() in ("true", "false"):
            return text.lower() == "true"
    except ValueError:
        pass
    return text


def clean_name(name: str) -> str:
    """A step name with runs of a repeated phrase of two or more words collapsed
    (``Photomaker - Photomaker - Image Generation`` -> ``Photomaker - Image Generation``);
    a single repeated word (``Go Go``) is left alone: it may be meant."""
    words = name.split(" ")
    if len(words) > 60:
        return name  # not a console title; the search below is cubic in the word count
    changed = True
    while changed:
        changed = False
        for size in range(2, len(words) // 2 + 1):
            for i in range(len(words) - 2 * size + 1):
                if words[i:i + size] == words[i + size:i + 2 * size]:
                    del words[i + size:i + 2 * size]
                    changed = True
                    break
            if changed:
                break
    return " ".join(words)


def _enum(spec: dict[str, Any]) -> list[str] | None:
    """A select component's options, when the spec is coherent enough to trust them (its
    default, if any, is one of them): an enum we are unsure of would report good values."""
    opts = spec.get("options")
    if spec.get("component") != "select" or not isinstance(opts, str) or not opts.strip():
        return None
    values = opts.split(",")
    default = spec.get("default")
    if isinstance(default, str) and default and default not in values:
        return None
    return values


def _range(spec: dict[str, Any]) -> tuple[float, float] | None:
    lo, hi = spec.get("minimum"), spec.get("maximum")
    if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and not isinstance(lo, bool) \
            and not isinstance(hi, bool) and hi > lo:  # 0/0 is the console's "no range"
        return float(lo), float(hi)
    return None


class _SpecCheck:
    """Literal params of one step against the export's own spec of its model."""

    def __init__(self, r: Reader, sid: str, model: NodeModel, where: Span) -> None:
        self.r, self.sid, self.model, self.where = r, sid, model, where

    def report(self, code: codes.Code, message: str, span: Span, hint: str | None = None) -> None:
        self.r.report(code, f'model "{self.model.slug}" (the export\'s spec): {message}', span,
                      step=self.sid, hint=hint)

    def unknown(self, name: str, span: Span) -> None:
        names = self.model.order()
        best = closest(name, names)
        hint = f'did you mean "{best}"?' if best else "parameters: " + ", ".join(names)
        self.report(codes.UNKNOWN_PARAM, f'no parameter "{name}"', span, hint)

    def missing(self, present: set[str]) -> None:
        for name in self.model.order():
            if name in self.model.required() and name not in present:
                self.report(codes.MISSING_PARAM, f'the required parameter "{name}" is not set',
                            self.where, f"add {name} under params")

    def value(self, name: str, value: Any, span: Span) -> None:
        spec = self.model.inputs[name]
        if isinstance(value, str) and "{{" in value:
            return  # a reference: its type is the referenced value's
        want = _SPEC_TYPES.get(str(spec.get("type")))
        got = ("boolean" if isinstance(value, bool) else "integer" if isinstance(value, int)
               else "number" if isinstance(value, float) else "string" if isinstance(value, str) else None)
        fits = want is None or got is None or got == want or (want == "number" and got == "integer")
        if not fits:
            hint = ("true or false" if want == "boolean" else f"{'an' if want == 'integer' else 'a'} {want} such as {spec.get('default') or 1}"
                    if want in ("integer", "number") and got == "string" else None)
            self.report(codes.PARAM_TYPE, f'"{name}" takes {want}, got {got} {json.dumps(value)}', span,
                        f"write {hint}" if hint else None)
            return
        enum = _enum(spec)
        if enum is not None and isinstance(value, str) and value not in enum:
            best = closest(value, enum)
            self.report(codes.PARAM_VALUE, f'"{name}" is one of {", ".join(enum[:8])}'
                        f'{", ..." if len(enum) > 8 else ""}; got {json.dumps(value)}', span,
                        f'did you mean "{best}"?' if best else None)
        bounds = _range(spec)
        if bounds is not None and isinstance(value, (int, float)) and not isinstance(value, bool) \
                and not bounds[0] <= value <= bounds[1]:
            lo, hi = (int(b) if b.is_integer() else b for b in bounds)
            self.report(codes.PARAM_VALUE, f'"{name}" takes {lo}..{hi}, got {value}', span)


def _output_ref(ref_id: str, model: NodeModel | None, catalog_type: str | None) -> tuple[str, str] | None:
    """(new template, why) for ``{{ref_id.output}}`` where the console passed something other
    than the whole output (the template may stay, with a reason); None when ``.output`` is
    what it passed."""
    if model is None:
        return None
    if model.output_object_key is not None:
        key = model.output_object_key
        if catalog_type in ("string", "array"):  # the catalog types the output as that value
            return (f"{{{{{ref_id}.output}}}}", f'the console passed the "{key}" field of '
                    f"{model.slug}'s result, which the catalog types as the whole output ({catalog_type})")
        return (f"{{{{{ref_id}.output.{key}}}}}",
                f'the console passed the "{key}" field of {model.slug}\'s result')
    if model.output_type == "array" and model.flow_output_type not in (None, False, "array"):
        return (f"{{{{{ref_id}.primary}}}}",
                f"{model.slug} returns a list; the console passed its first {model.flow_output_type}")
    return None


def load_legacy(path: str | Path) -> ImportResult:
    from flowdsl.catalog import bundled_catalog

    catalog = bundled_catalog()
    name = str(path)
    doc = load_bytes(Path(path).read_bytes(), name)
    r = Reader(doc)
    notes = ImportNotes()
    root = doc.root
    if not isinstance(root, YMap):
        return ImportResult(name, None, doc.diagnostics + [], doc.text, notes)

    def text_of(node: YNode | None) -> str | None:
        return node.value if isinstance(node, YScalar) and isinstance(node.value, str) else None

    models = node_models(text_of(root.get("nodes_json")) or "[]")
    inputs: list[ir.Input] = []
    seq = root.get("inputs")
    for item in seq.items if isinstance(seq, YSeq) else ():
        if not isinstance(item, YMap):
            continue
        iname = text_of(item.get("name"))
        if not iname:
            continue
        raw_type = text_of(item.get("type")) or "string"
        itype = _TYPE_NAMES.get(raw_type, raw_type)
        media = _MEDIA_INPUT.get(raw_type)
        if media is not None or itype not in _JSON_TYPES:
            itype = "string"  # media URLs, and console types JSON Schema has no name for
        entries: list[tuple[ir.Key, ir.Value]] = [(ir.Key("type", item.span), ir.Scalar(itype, item.span))]
        if media is not None:
            entries.append((ir.Key("format", item.span), ir.Scalar("uri", item.span)))
            entries.append((ir.Key("description", item.span),
                            ir.Scalar(f"{media} URL" + (f" (console type {raw_type})" if raw_type != media else ""),
                                      item.span)))
        elif raw_type != itype:
            entries.append((ir.Key("description", item.span), ir.Scalar(f"console type {raw_type}", item.span)))
        default = item.get("default_value")
        if isinstance(default, YScalar) and default.value not in (None, ""):
            entries.append((ir.Key("default", default.span),
                            ir.Scalar(_input_default(default.value, itype), default.span)))
        key = item.get("name")
        assert key is not None
        inputs.append(ir.Input(iname, key.span, ir.MapValue(tuple(entries), item.span), False, item.span))

    steps_node = root.get("steps")
    step_items: list[YNode] = list(steps_node.items) if isinstance(steps_node, YSeq) else []
    # step -> its node: the console numbers model nodes 1, 2, ... in step order; a node whose
    # slug differs is not trusted (then the first unused node of that slug, if any)
    by_step: dict[str, NodeModel] = {}
    used: set[str] = set()
    for idx, item in enumerate(step_items):
        if not isinstance(item, YMap):
            continue
        sid, slug = text_of(item.get("id")), text_of(item.get("model_slug"))
        if not sid or not slug:
            continue
        node_id = str(idx + 1)
        if node_id not in models or models[node_id].slug != slug or node_id in used:
            node_id = next((k for k, m in models.items() if m.slug == slug and k not in used), "")
        if node_id:
            used.add(node_id)
            by_step[sid] = models[node_id]

    def rewrite_outputs(sid: str, pname: str, text: str) -> str:
        def sub(m: re.Match[str]) -> str:
            ref_id = m.group(1)
            model = by_step.get(ref_id)
            spec = catalog.get(model.slug) if model is not None else None
            change = _output_ref(ref_id, model, spec.output_type if spec is not None else None)
            if change is None:
                return m.group(0)
            new, why = change
            note = f"import: {m.group(0)} -> {new}: {why}" if new != m.group(0) else f"import: kept {new}: {why}"
            old = notes.params.get((sid, pname))
            notes.params[(sid, pname)] = note if old is None or old == note else f"{old}; {note}"
            return new
        return _OUTPUT_REF.sub(sub, text)

    steps: list[ir.Step] = []
    for item in step_items:
        if not isinstance(item, YMap):
            continue
        id_node = item.get("id")
        sid = text_of(id_node)
        slug_node = item.get("model_slug")
        slug = text_of(slug_node)
        if not sid or not slug or id_node is None or slug_node is None:
            r.report(codes.SCHEMA, "legacy step without id or model_slug; skipped", item.span)
            continue
        model = by_step.get(sid)
        node_specs = model.inputs if model is not None else {}
        checker = _SpecCheck(r, sid, model, slug_node.span) if model is not None else None
        params_node = item.get("params")
        entries_p: list[tuple[ir.Key, ir.Value]] = []
        value: str | int | float | bool | None
        if isinstance(params_node, YMap):
            for k, v in params_node.items:
                pname = str(k.value)
                if checker is not None and pname not in node_specs:
                    checker.unknown(pname, k.span)
                if isinstance(v, YScalar) and isinstance(v.value, str):
                    raw = rewrite_outputs(sid, pname, _PARAM.sub("{{inputs.", v.value))
                    value = _convert(raw, node_specs.get(pname))
                    fixed = YScalar(value, v.span, v.style, v.start, v.end)
                    scalar = r.scalar(fixed, sid) if isinstance(value, str) else ir.Scalar(value, v.span)
                    entries_p.append((ir.Key(pname, k.span), scalar))
                else:
                    value = v.value if isinstance(v, YScalar) else None
                    entries_p.append((ir.Key(pname, k.span), r.value(v, sid)))
                if checker is not None and pname in node_specs and value is not None:
                    checker.value(pname, value, v.span)
        if checker is not None:
            checker.missing({str(k.value) for k, _ in params_node.items} if isinstance(params_node, YMap) else set())
        params = ir.MapValue(tuple(entries_p), params_node.span if params_node else item.span)
        if model is not None:
            params = ordered_params(params, model.order(), model.required())
        version_node = item.get("model_version")
        version = (str(version_node.value) if isinstance(version_node, YScalar)
                   and isinstance(version_node.value, (str, int, float))
                   and not isinstance(version_node.value, bool) else None)
        step_name = text_of(item.get("name"))
        if step_name is not None and clean_name(step_name) != step_name:
            notes.names[sid] = f'import: was "{step_name}"'
            step_name = clean_name(step_name)
        common = ir.StepCommon(sid, id_node.span, item.span, step_name)
        steps.append(ir.ModelStep(common, slug, slug_node.span, params, version))
    notes.head.append(f"flowdsl import of the each::labs console export {Path(name).name}")
    if notes.params or notes.names:
        notes.head.append("Comments starting with 'import:' say what the import changed.")
    wf = ir.Workflow(file=name, span=root.span, steps=tuple(steps),
                     name=text_of(root.get("name")), description=text_of(root.get("description")),
                     inputs=tuple(inputs), source_format="definition")
    diags = doc.diagnostics + [d for d in r.diagnostics if d.severity is not Severity.NOTE]
    return ImportResult(name, wf, diags, doc.text, notes)
