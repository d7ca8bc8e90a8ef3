"""Go to definition, find references and rename, for step ids and input names.

An occurrence is a declaration (a step's ``id``, a choice branch's ``id``, an input's key)
or a use (the root of a reference in a template, a condition, ``outputs:`` or a python
step's ``with:``). Uses are located inside their reference's span by reading the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Literal

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams

from flowdsl import ir
from flowdsl.check.run import CheckedFile
from flowdsl.lsp.positions import contains, span_text, to_range
from flowdsl.spans import Span

Kind = Literal["step", "input"]
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Occurrence:
    kind: Kind
    name: str
    span: Span
    declaration: bool


def refs_of(wf: ir.Workflow) -> Iterator[ir.Ref]:
    """Every reference of a workflow: templates in step values, conditions, outputs."""
    for step in wf.all_steps():
        for value in ir.step_values(step):
            for template in ir.iter_templates(value):
                yield from template.refs
        if isinstance(step, ir.ChoiceStep):
            yield from ir.iter_condition_refs(step.condition)
    for out in wf.outputs:
        yield from out.refs


def _use(ref: ir.Ref, source: str) -> Occurrence | None:
    text = span_text(source, ref.span)
    if not text:
        return None
    start = text.find("$.") + 2 if ref.syntax == "condition" else text.find("{{") + 2
    if start < 2:
        start = 0
    at = text.find(ref.root, start)
    if at < 0:
        return None
    if not ref.is_input:
        return Occurrence("step", ref.root, ref.span.sub(at, len(ref.root)), False)
    name = ref.input_name
    if name is None:
        return None
    at = text.find(name, at + len(ref.root))
    if at < 0:
        return None
    return Occurrence("input", name, ref.span.sub(at, len(name)), False)


def occurrences(checked: CheckedFile) -> list[Occurrence]:
    wf, table = checked.workflow, checked.symbols
    if wf is None or table is None:
        return []
    found = [Occurrence("step", s.name, s.span, True) for s in table.declarations]
    found += [Occurrence("input", i.name, i.name_span, True) for i in wf.inputs]
    for ref in refs_of(wf):
        use = _use(ref, checked.source)
        if use is not None:
            found.append(use)
    return found


def at(checked: CheckedFile | None, pos: lsp.Position) -> tuple[Occurrence | None, list[Occurrence]]:
    if checked is None:
        return None, []
    every = occurrences(checked)
    for occ in every:
        if contains(occ.span, pos):
            return occ, every
    return None, every


def definition(checked: CheckedFile | None, pos: lsp.Position, uri: str) -> list[lsp.Location] | None:
    occ, every = at(checked, pos)
    if occ is None:
        return None
    return [lsp.Location(uri=uri, range=to_range(o.span)) for o in every
            if o.declaration and o.kind == occ.kind and o.name == occ.name] or None


def references(checked: CheckedFile | None, pos: lsp.Position, uri: str,
               include_declaration: bool = True) -> list[lsp.Location] | None:
    occ, every = at(checked, pos)
    if occ is None:
        return None
    return [lsp.Location(uri=uri, range=to_range(o.span)) for o in every
            if o.kind == occ.kind and o.name == occ.name
            and (include_declaration or not o.declaration)]


def prepare_rename(checked: CheckedFile | None, pos: lsp.Position) -> lsp.Range | None:
    occ, _ = at(checked, pos)
    return to_range(occ.span) if occ is not None else None


def taken(checked: CheckedFile, kind: Kind, name: str) -> bool:
    wf, table = checked.workflow, checked.symbols
    if wf is None or table is None:
        return False
    if kind == "input":
        return wf.input(name) is not None
    return name == "inputs" or name in table.steps or name in table.branches


def rename(checked: CheckedFile | None, pos: lsp.Position, uri: str,
           new_name: str) -> lsp.WorkspaceEdit | None:
    occ, every = at(checked, pos)
    if occ is None or checked is None:
        return None
    if new_name == occ.name:
        return lsp.WorkspaceEdit(changes={uri: []})
    if not _NAME.match(new_name):
        raise JsonRpcInvalidParams(f'"{new_name}" is not a valid {occ.kind} name')
    if taken(checked, occ.kind, new_name):
        what = "an input" if occ.kind == "input" else "a step"
        raise JsonRpcInvalidParams(f'{what} named "{new_name}" already exists')
    edits = [lsp.TextEdit(range=to_range(o.span), new_text=new_name) for o in every
             if o.kind == occ.kind and o.name == occ.name]
    return lsp.WorkspaceEdit(changes={uri: edits})
