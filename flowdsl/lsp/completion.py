"""Completion, decided from the text before the cursor (a half-typed line never parses):

* after ``{{`` or ``$.``: ``inputs`` and the steps that certainly or possibly ran before the
  cursor's step (never later or sibling-parallel ones), then their fields;
* after ``model:``: the catalog's slugs, with title and media kind;
* inside ``with:`` of a model step: the params not yet used, and an enum param's values;
* after a ``$.reference`` in a condition: the operators;
* a bare word on a step's line: step keys and kinds.

Which steps are visible comes from the last analysis that read the file as a workflow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lsprotocol import types as lsp

from flowdsl import ir
from flowdsl.check.run import CheckedFile, Project
from flowdsl.check.symbols import StepInfo
from flowdsl.lsp.hover import model_markdown, step_type

_SLUG_PREFIX = re.compile(r"\bmodel:\s*[\"']?([\w.\-/]*)$")
_COND_REF = re.compile(r"\$\.([\w.\-]*)$")
_AFTER_REF = re.compile(r"\$\.[\w.\-]+\s+([\w-]*)$")
_KEY_LINE = re.compile(r"^(\s*)(?:-\s+)?([\w-]*)$")
_VALUE_LINE = re.compile(r"^\s*(?:-\s+)?([\w-]+):\s*[\"']?([^\"',{}\[\]]*)$")
_WITH_LINE = re.compile(r"^(\s*)(-\s+)?with:\s*(#.*)?$")
_TEMPLATE = re.compile(r"\{\{.*?\}\}")
_MODEL_KEY = re.compile(r"^\s*(?:-\s+)?model:\s*[\"']?([\w.\-/]+)")

STEP_KEYS: tuple[tuple[str, str], ...] = (
    ("id", "the step's id (referenced as {{id.primary}})"),
    ("name", "a display name"),
    ("model", "run a model from the catalog"),
    ("with", "parameters of the model, or a python step's inputs"),
    ("fallback", "a model to run when this one fails"),
    ("version", "the model version"),
    ("http", "call a URL (METHOD url)"),
    ("headers", "HTTP headers"), ("query", "HTTP query parameters"), ("body", "HTTP body"),
    ("auth", "HTTP auth"),
    ("python", "run python code"),
    ("parallel", "run branches at the same time"),
    ("if", "a condition ($.ref op value)"), ("then", "steps when true"),
    ("else", "steps when false"),
    ("pass", "a literal result"), ("result_path", "where a pass result goes"),
    ("timeout", "e.g. 30s, 5m"), ("retry", "{attempts, backoff, delay, on}"),
    ("continue_on_error", "keep going when this step fails"),
)
KIND_KEYS = ("model", "http", "python", "parallel", "if", "pass")

CONDITION_OPERATORS: tuple[tuple[str, str], ...] = (
    ("==", "equals"), ("!=", "not equals"), (">", "greater than"), ("<", "less than"),
    (">=", "greater than or equal"), ("<=", "less than or equal"),
    ("eq", "string equals"), ("matches", "regular expression match"),
    ("in", "value in a list"), ("not-in", "value not in a list"),
    ("exists", "the field exists"), ("not-exists", "the field does not exist"),
    ("is null", "the value is null"), ("is not null", "the value is not null"),
) + tuple((op, f"engine operator {op}") for op in ir.OPERATORS)

HTTP_FIELDS = ("status", "headers", "body")


@dataclass(frozen=True)
class Ctx:
    text: str
    lines: list[str]
    pos: lsp.Position
    line: str
    before: str
    checked: CheckedFile | None
    project: Project


def _replace(ctx: Ctx, typed: str) -> lsp.Range:
    start = lsp.Position(line=ctx.pos.line, character=max(ctx.pos.character - len(typed), 0))
    return lsp.Range(start=start, end=ctx.pos)


def _item(ctx: Ctx, label: str, typed: str, kind: lsp.CompletionItemKind, detail: str = "",
          doc: str | None = None, sort: str | None = None, insert: str | None = None) -> lsp.CompletionItem:
    return lsp.CompletionItem(
        label=label, kind=kind, detail=detail or None, sort_text=sort,
        documentation=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=doc) if doc else None,
        text_edit=lsp.TextEdit(range=_replace(ctx, typed), new_text=insert or label))


# ---------------------------------------------------------------- references


def reader_at(checked: CheckedFile, line: int) -> StepInfo | None:
    """The innermost step whose span holds the (0-based) ``line``; None outside steps."""
    table = checked.symbols
    if table is None:
        return None
    best: StepInfo | None = None
    for step in table.all_steps:
        span = step.common.span
        if span.line - 1 <= line <= span.end_line - 1 and (span.end_line > span.line or span.line - 1 == line):
            info = table.info(step)
            if best is None or len(info.path) >= len(best.path):
                best = info
    return best


def _visible(checked: CheckedFile, reader: StepInfo | None) -> list[tuple[str, bool]]:
    table = checked.symbols
    assert table is not None
    certain = table.certainly_run(reader)
    maybe = [s for s in table.may_have_run(reader) if s not in certain]
    return [(s, True) for s in certain] + [(s, False) for s in maybe]


def _fields(step: ir.Step) -> list[str]:
    if isinstance(step, ir.PassStep) and isinstance(step.result, ir.MapValue):
        return step.result.names()
    if isinstance(step, ir.HttpStep):
        return list(HTTP_FIELDS)
    return []


def complete_ref(ctx: Ctx, path: str) -> list[lsp.CompletionItem]:
    checked = ctx.checked
    parts = path.split(".")
    typed = parts[-1]
    items: list[lsp.CompletionItem] = []
    wf = checked.workflow if checked is not None else None
    if checked is None or wf is None or checked.symbols is None:
        if len(parts) == 1:
            items.append(_item(ctx, "inputs", typed, lsp.CompletionItemKind.Module, "workflow inputs"))
        return items
    table = checked.symbols
    if len(parts) == 1:
        reader = reader_at(checked, ctx.pos.line)
        items.append(_item(ctx, "inputs", typed, lsp.CompletionItemKind.Module,
                           "workflow inputs", sort="0"))
        for n, (sid, certain) in enumerate(_visible(checked, reader)):
            info = table.get(sid)
            detail = step_type(info.step, ctx.project) if info is not None else "branch"
            if not certain:
                detail += " (may not have run: inside a choice branch)"
            items.append(_item(ctx, sid, typed, lsp.CompletionItemKind.Variable, detail,
                               sort=f"{1 if certain else 2}{n:05d}"))
        return items
    root = parts[0]
    if root == "inputs":
        if len(parts) == 2:
            for inp in wf.inputs:
                items.append(_item(ctx, inp.name, typed, lsp.CompletionItemKind.Field,
                                   (inp.type or "any") + (", required" if inp.required else "")))
        return items
    info = table.get(root)
    if info is None:
        if root in table.branches and len(parts) == 2:
            items.append(_item(ctx, "output", typed, lsp.CompletionItemKind.Field, "the branch's result"))
        return items
    if len(parts) == 2:
        items.append(_item(ctx, "primary", typed, lsp.CompletionItemKind.Field,
                           "the primary output (first media URL or value)", sort="0"))
        items.append(_item(ctx, "output", typed, lsp.CompletionItemKind.Field,
                           step_type(info.step, ctx.project), sort="1"))
    elif len(parts) == 3 and parts[1] == "output":
        for name in _fields(info.step):
            items.append(_item(ctx, name, typed, lsp.CompletionItemKind.Field, f"{root}.output.{name}"))
    return items


# ---------------------------------------------------------------- models and params


def complete_slug(ctx: Ctx, typed: str) -> list[lsp.CompletionItem]:
    catalog = ctx.project.catalog
    if catalog is None:
        return []
    items = []
    for slug in catalog.slugs():
        spec = catalog.get(slug)
        detail = ""
        if spec is not None:
            detail = " · ".join(x for x in (spec.title, spec.output_media or "") if x)
        items.append(_item(ctx, slug, typed, lsp.CompletionItemKind.Module, detail))
    return items


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _key_col(line: str) -> int:
    """Column of a line's mapping key (after any ``- `` list markers)."""
    stripped = line.lstrip(" ")
    col = len(line) - len(stripped)
    while stripped.startswith("- "):
        stripped = stripped[2:]
        col += 2 + len(stripped) - len(stripped.lstrip(" "))
        stripped = stripped.lstrip(" ")
    return col


def _model_near(lines: list[str], with_index: int) -> str | None:
    """The ``model:`` of the step that holds the ``with:`` on line ``with_index``."""
    col = _key_col(lines[with_index])
    for i in range(with_index, -1, -1):  # upwards, to the step's "- " line
        line = lines[i]
        if line.strip() and _indent(line) < col and _key_col(line) != col:
            break
        if _key_col(line) == col:
            m = _MODEL_KEY.match(line)
            if m:
                return m.group(1)
            if line[:col].rstrip().endswith("-"):
                break
    for i in range(with_index + 1, len(lines)):  # downwards, to the end of the step
        line = lines[i]
        if not line.strip():
            continue
        if _key_col(line) < col or (_key_col(line) == col and line[:col].rstrip().endswith("-")):
            break
        if _key_col(line) == col:
            m = _MODEL_KEY.match(line)
            if m:
                return m.group(1)
    return None


def _block_with(ctx: Ctx) -> tuple[int, set[str]] | None:
    """When the cursor is inside a block ``with:`` mapping: its line and the keys used."""
    lines, row = ctx.lines, ctx.pos.line
    col = _indent(ctx.line) if ctx.line.strip() else ctx.pos.character
    for i in range(row - 1, -1, -1):
        line = lines[i]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if _key_col(line) < col:
            if not _WITH_LINE.match(line):
                return None
            used: set[str] = set()
            wcol = _key_col(line)
            for j in range(i + 1, len(lines)):
                other = lines[j]
                if not other.strip():
                    continue
                if _key_col(other) <= wcol:
                    break
                if j != row and _indent(other) == col:
                    key = other.strip().split(":", 1)[0].strip()
                    if key:
                        used.add(key)
            return i, used
    return None


def _props(ctx: Ctx, slug: str) -> tuple[dict[str, Any], set[str]]:
    catalog = ctx.project.catalog
    spec = catalog.get(slug) if catalog is not None else None
    if spec is None or not spec.request_schema:
        return {}, set()
    schema = spec.request_schema
    return dict(schema.get("properties") or {}), set(schema.get("required") or [])


def param_items(ctx: Ctx, slug: str, used: set[str], typed: str) -> list[lsp.CompletionItem]:
    props, required = _props(ctx, slug)
    items = []
    for n, (name, prop) in enumerate(props.items()):
        if name in used:
            continue
        prop = prop if isinstance(prop, dict) else {}
        bits = [str(prop.get("type", "any"))]
        if name in required:
            bits.append("required")
        if "default" in prop:
            bits.append(f"default {prop['default']!r}")
        doc = prop.get("description") or None
        if "enum" in prop:
            doc = (doc or "") + "\n\none of: " + ", ".join(f"`{v}`" for v in prop["enum"])
        items.append(_item(ctx, name, typed, lsp.CompletionItemKind.Property, ", ".join(bits),
                           doc=doc, sort=f"{0 if name in required else 1}{n:04d}",
                           insert=name + ": "))
    return items


def value_items(ctx: Ctx, slug: str, param: str, typed: str) -> list[lsp.CompletionItem]:
    props, _ = _props(ctx, slug)
    prop = props.get(param)
    if not isinstance(prop, dict):
        return []
    values = list(prop.get("enum") or [])
    if prop.get("type") == "boolean":
        values = [True, False]
    items = []
    for n, value in enumerate(values):
        if isinstance(value, str):
            label, insert = value, value
            quoted = ctx.before[:len(ctx.before) - len(typed)].endswith(("'", '"'))
            if not quoted and re.fullmatch(r"[-+0-9.:_eE]+|yes|no|on|off|true|false|null|~", value, re.I):
                insert = f'"{value}"'  # e.g. 16:9 would read as a number
        else:
            label = insert = "true" if value is True else "false" if value is False else str(value)
        items.append(_item(ctx, label, typed, lsp.CompletionItemKind.EnumMember,
                           f"{param} value", sort=f"{n:04d}", insert=insert))
    return items


def complete_with(ctx: Ctx) -> list[lsp.CompletionItem] | None:
    before = _TEMPLATE.sub(lambda m: "x" * len(m.group(0)), ctx.before)
    flow = re.search(r"\bwith:\s*\{([^{}]*)$", before)
    if flow is not None:
        slug = _model_near(ctx.lines, ctx.pos.line)
        if slug is None:
            return None
        body = flow.group(1)
        used = {seg.split(":", 1)[0].strip() for seg in body.split(",") if ":" in seg}
        last = re.split(r"[,{]", body)[-1]
        if ":" in last:
            key, _, value = last.partition(":")
            return value_items(ctx, slug, key.strip(), value.strip().strip("\"'"))
        return param_items(ctx, slug, used, last.strip())
    found = _block_with(ctx)
    if found is None:
        return None
    with_index, used = found
    slug = _model_near(ctx.lines, with_index)
    if slug is None:
        return []
    m = _VALUE_LINE.match(before)
    if m is not None:
        return value_items(ctx, slug, m.group(1), m.group(2))
    k = _KEY_LINE.match(before)
    if k is not None:
        return param_items(ctx, slug, used, k.group(2))
    return []


# ---------------------------------------------------------------- entry point


def complete(text: str, pos: lsp.Position, checked: CheckedFile | None,
             project: Project) -> lsp.CompletionList | None:
    lines = text.split("\n")
    line = lines[pos.line].rstrip("\r") if pos.line < len(lines) else ""
    before = line[:pos.character]
    ctx = Ctx(text, lines, pos, line, before, checked, project)
    items: list[lsp.CompletionItem] | None = None
    opened = before.rfind("{{")
    if opened >= 0 and "}}" not in before[opened:]:
        items = complete_ref(ctx, before[opened + 2:].strip())
    elif (m := _COND_REF.search(before)) is not None:
        items = complete_ref(ctx, m.group(1))
    elif (m := _AFTER_REF.search(before)) is not None:
        items = [_item(ctx, op, m.group(1), lsp.CompletionItemKind.Operator, doc, sort=f"{n:03d}")
                 for n, (op, doc) in enumerate(CONDITION_OPERATORS)]
    elif (m := _SLUG_PREFIX.search(before)) is not None:
        items = complete_slug(ctx, m.group(1))
    else:
        items = complete_with(ctx)
        if items is None and (k := _KEY_LINE.match(before)) is not None and _in_steps(lines, pos.line):
            typed = k.group(2)
            items = [_item(ctx, key, typed, lsp.CompletionItemKind.Keyword, doc,
                           sort=("0" if key in KIND_KEYS else "1") + key, insert=key + ": ")
                     for key, doc in STEP_KEYS]
    if items is None:
        return None
    return lsp.CompletionList(is_incomplete=False, items=items)


def _in_steps(lines: list[str], row: int) -> bool:
    """Whether line ``row`` is below the top-level ``steps:`` (and above the next top key)."""
    for i in range(min(row, len(lines) - 1), -1, -1):
        line = lines[i]
        if line[:1].isalpha():
            return i != row and line.startswith("steps:")
    return False


def compact(result: lsp.CompletionList) -> lsp.CompletionList:
    """Move the edit range all items share into ``itemDefaults`` (LSP 3.17): a thousand
    steps' worth of items then costs half as much to send."""
    ranges = {(e.range.start.line, e.range.start.character, e.range.end.character)
              for i in result.items if isinstance(e := i.text_edit, lsp.TextEdit)}
    if len(ranges) != 1 or any(not isinstance(i.text_edit, lsp.TextEdit) for i in result.items):
        return result
    first = result.items[0].text_edit
    assert isinstance(first, lsp.TextEdit)
    for item in result.items:
        assert isinstance(item.text_edit, lsp.TextEdit)
        item.text_edit_text, item.text_edit = item.text_edit.new_text, None
    result.item_defaults = lsp.CompletionItemDefaults(edit_range=first.range)
    return result
