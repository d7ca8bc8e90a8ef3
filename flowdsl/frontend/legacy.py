"""Exports of the older each::labs console: ``{name, description, nodes_json, edges_json,
inputs: [{name, type, default_value}], steps: [{id, name, type, model_slug, model_version, params}]}``.

Every step there is a model call. Param values were stored as strings whatever their type;
``nodes_json`` carries each model's input spec, so values are converted back to the type the
spec declares (``"30"`` -> 30 for an integer input). ``{{workflow.parameters.x}}`` becomes
``{{inputs.x}}``. Input types ``image``/``video``/``audio`` are URL strings.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from flowdsl import codes
from flowdsl import ir
from flowdsl.diagnostics import Severity
from flowdsl.frontend.nodes import Reader
from flowdsl.frontend.load import YMap, YNode, YScalar, YSeq, load_bytes
from flowdsl.frontend.source import LoadResult

_PARAM = re.compile(r"\{\{\s*workflow\.parameters\.")
# Console input types that are media: the value is a URL string. "voice" is a recorded
# voice sample (an audio URL).
_MEDIA_INPUT = {"image": "image", "video": "video", "audio": "audio", "file": "file", "voice": "audio"}
# Console types that are JSON Schema types under another name.
_TYPE_NAMES = {"float": "number", "int": "integer", "bool": "boolean", "text": "string"}
_JSON_TYPES = {"string", "number", "integer", "boolean", "array", "object"}


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
    try:
        head = Path(path).read_bytes()[:200_000]
    except OSError:
        return False
    return b'"nodes_json"' in head or b'"model_slug"' in head


def _input_specs(nodes_json: str) -> dict[str, dict[str, dict[str, Any]]]:
    """step node id -> param name -> spec, from the console's node graph."""
    try:
        nodes = json.loads(nodes_json)
    except ValueError:
        return {}
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for n in nodes if isinstance(nodes, list) else []:
        model = (n.get("data") or {}).get("model") if isinstance(n, dict) else None
        if isinstance(model, dict) and isinstance(model.get("inputs"), dict):
            out[str(n.get("id"))] = model["inputs"]
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


def load_legacy(path: str | Path) -> LoadResult:
    name = str(path)
    doc = load_bytes(Path(path).read_bytes(), name)
    r = Reader(doc)
    root = doc.root
    if not isinstance(root, YMap):
        return LoadResult(name, None, doc.diagnostics + [], doc.text)

    def text_of(node: YNode | None) -> str | None:
        return node.value if isinstance(node, YScalar) and isinstance(node.value, str) else None

    specs = _input_specs(text_of(root.get("nodes_json")) or "[]")
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

    steps: list[ir.Step] = []
    step_seq = root.get("steps")
    for idx, item in enumerate(step_seq.items if isinstance(step_seq, YSeq) else ()):
        if not isinstance(item, YMap):
            continue
        id_node = item.get("id")
        sid = text_of(id_node)
        slug_node = item.get("model_slug")
        slug = text_of(slug_node)
        if not sid or not slug or id_node is None or slug_node is None:
            r.report(codes.SCHEMA, "legacy step without id or model_slug; skipped", item.span)
            continue
        node_specs = specs.get(str(idx + 1), {})
        params_node = item.get("params")
        entries_p: list[tuple[ir.Key, ir.Value]] = []
        if isinstance(params_node, YMap):
            for k, v in params_node.items:
                if isinstance(v, YScalar) and isinstance(v.value, str):
                    raw = _PARAM.sub("{{inputs.", v.value)
                    value = _convert(raw, node_specs.get(str(k.value)))
                    fixed = YScalar(value, v.span, v.style, v.start, v.end)
                    scalar = r.scalar(fixed, sid) if isinstance(value, str) else ir.Scalar(value, v.span)
                    entries_p.append((ir.Key(str(k.value), k.span), scalar))
                else:
                    entries_p.append((ir.Key(str(k.value), k.span), r.value(v, sid)))
        params = ir.MapValue(tuple(entries_p), params_node.span if params_node else item.span)
        version = text_of(item.get("model_version"))
        common = ir.StepCommon(sid, id_node.span, item.span, text_of(item.get("name")))
        steps.append(ir.ModelStep(common, slug, slug_node.span, params, version))
    wf = ir.Workflow(file=name, span=root.span, steps=tuple(steps),
                     name=text_of(root.get("name")), description=text_of(root.get("description")),
                     inputs=tuple(inputs), source_format="definition")
    diags = doc.diagnostics + [d for d in r.diagnostics if d.severity is not Severity.NOTE]
    return LoadResult(name, wf, diags, doc.text)
