"""Hover: a model's params table, a reference's target and type, a finding's rule doc."""

from __future__ import annotations

import json
from typing import Any

from lsprotocol import types as lsp

from flowdsl import ir
from flowdsl.catalog.model import ModelSpec
from flowdsl.check.run import CheckedFile, Project
from flowdsl.lsp.navigation import refs_of
from flowdsl.lsp.positions import contains, to_range
from flowdsl.rules import REGISTRY
from flowdsl.spans import Span


def _cell(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False).replace("|", "\\|")


def _range_of(prop: dict[str, Any]) -> str:
    if "enum" in prop:
        return ", ".join(_cell(v) for v in prop["enum"])
    lo, hi = prop.get("minimum"), prop.get("maximum")
    if lo is not None or hi is not None:
        return f"{'' if lo is None else lo} … {'' if hi is None else hi}"
    return ""


def model_markdown(spec: ModelSpec) -> str:
    lines = [f"**{spec.slug}**" + (f" — {spec.title}" if spec.title else "")]
    if spec.description:
        lines += ["", spec.description]
    lines += ["", f"output: `{spec.output_type or 'unknown'}`"
              + (f", {spec.output_media}" if spec.output_media else "")]
    schema = spec.request_schema or {}
    props: dict[str, Any] = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    if props:
        lines += ["", "| param | type | required | enum / range | default |",
                  "|---|---|---|---|---|"]
        for name, prop in props.items():
            prop = prop if isinstance(prop, dict) else {}
            default = _cell(prop["default"]) if "default" in prop else ""
            lines.append(f"| `{name}` | {prop.get('type', '')} | {'yes' if name in required else ''}"
                         f" | {_range_of(prop)} | {default} |")
        if not spec.schema_complete:
            lines += ["", "_parameter list may be incomplete_"]
    elif spec.request_schema is None:
        lines += ["", "_parameters unknown_"]
    return "\n".join(lines)


def _model_at(wf: ir.Workflow, pos: lsp.Position) -> tuple[str, Span] | None:
    for step in wf.all_steps():
        if isinstance(step, ir.ModelStep):
            if contains(step.model_span, pos):
                return step.model, step.model_span
            if step.fallback is not None and contains(step.fallback.model_span, pos):
                return step.fallback.model, step.fallback.model_span
    return None


def step_type(step: ir.Step, project: Project) -> str:
    if isinstance(step, ir.ModelStep):
        spec = project.catalog.get(step.model) if project.catalog is not None else None
        if spec is None:
            return f"model `{step.model}` (not in the catalog)"
        media = f", {spec.output_media}" if spec.output_media else ""
        return f"model `{step.model}`: output `{spec.output_type or 'unknown'}`{media}"
    return {"http": "http response (`output` object: status, headers, body)",
            "python": "python result (`output`)",
            "parallel": "parallel step (`output`: the branches' results)",
            "choice": "choice step (`output` of the branch taken)",
            "pass": "pass value (`output`)"}.get(step.kind, step.kind)


def ref_markdown(checked: CheckedFile, ref: ir.Ref, project: Project) -> str:
    wf, table = checked.workflow, checked.symbols
    assert wf is not None and table is not None
    head = f"`{ref.text()}`"
    if ref.is_input:
        inp = wf.input(ref.input_name or "")
        if inp is None:
            return f"{head}: no such input"
        schema = json.dumps(inp.schema.to_python(), ensure_ascii=False)
        return (f"{head}: input **{inp.name}** ({inp.type or 'any'}"
                f"{', required' if inp.required else ''})\n\n`{schema}`")
    info = table.get(ref.root)
    if info is None:
        owner = table.branches.get(ref.root)
        if owner is None:
            return f"{head}: no such step"
        return f"{head}: branch `{ref.root}` of choice step **{owner.id}** (line {owner.step.span.line})"
    step = info.step
    name = f" ({step.common.name})" if step.common.name else ""
    return (f"{head}: step **{step.id}**{name}, line {step.span.line}\n\n"
            f"{step_type(step, project)}")


def hover(checked: CheckedFile, pos: lsp.Position, project: Project) -> lsp.Hover | None:
    parts: list[str] = []
    where: Span | None = None
    wf = checked.workflow
    if wf is not None:
        found = _model_at(wf, pos)
        if found is not None:
            slug, where = found
            spec = project.catalog.get(slug) if project.catalog is not None else None
            parts.append(model_markdown(spec) if spec else f"`{slug}`: not in the catalog")
        else:
            for ref in refs_of(wf):
                if contains(ref.span, pos):
                    where = ref.span
                    parts.append(ref_markdown(checked, ref, project))
                    break
    seen: set[str] = set()
    for diag in checked.diagnostics:
        if contains(diag.span, pos) and diag.rule not in seen:
            seen.add(diag.rule)
            rule = REGISTRY.get(diag.rule)
            doc = rule.doc if rule is not None else ""
            parts.append(f"**{diag.rule}**: {diag.message}\n\n```text\n{doc}\n```")
            where = where or diag.span
    if not parts:
        return None
    return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown,
                                                value="\n\n---\n\n".join(parts)),
                     range=to_range(where) if where is not None else None)
