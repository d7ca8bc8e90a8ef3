"""Document symbols: the steps as an outline, nested by parallel and choice branch."""

from __future__ import annotations

from lsprotocol import types as lsp

from flowdsl import ir
from flowdsl.check.run import CheckedFile
from flowdsl.lsp.positions import to_range

KIND: dict[str, lsp.SymbolKind] = {
    "model": lsp.SymbolKind.Function,
    "http": lsp.SymbolKind.Interface,
    "python": lsp.SymbolKind.Method,
    "parallel": lsp.SymbolKind.Struct,
    "choice": lsp.SymbolKind.Enum,
    "pass": lsp.SymbolKind.Constant,
}


def _detail(step: ir.Step) -> str:
    if isinstance(step, ir.ModelStep):
        return f"model {step.model}"
    if isinstance(step, ir.HttpStep):
        return f"http {step.method}"
    return step.kind


def _selection(step: ir.Step) -> lsp.Range:
    whole, sel = to_range(step.common.span), to_range(step.common.id_span)
    inside = ((whole.start.line, whole.start.character) <= (sel.start.line, sel.start.character)
              and (sel.end.line, sel.end.character) <= (whole.end.line, whole.end.character))
    return sel if inside else whole


def _branch_name(step: ir.Step, index: int, branch: ir.Branch) -> str:
    if isinstance(step, ir.ChoiceStep):
        label = "then" if index == 0 else "else"
        return f"{label}: {branch.name}" if branch.name else label
    return branch.name or f"branch {index + 1}"


def _step_symbol(step: ir.Step) -> lsp.DocumentSymbol:
    children: list[lsp.DocumentSymbol] = []
    for index, branch in enumerate(ir.child_branches(step)):
        inner = [_step_symbol(s) for s in branch.steps]
        rng = to_range(branch.span)
        children.append(lsp.DocumentSymbol(
            name=_branch_name(step, index, branch), kind=lsp.SymbolKind.Namespace,
            range=rng, selection_range=lsp.Range(start=rng.start, end=rng.start),
            detail=branch.step_id or None, children=inner))
    return lsp.DocumentSymbol(name=step.common.id or "(no id)",
                              kind=KIND.get(step.kind, lsp.SymbolKind.Object),
                              range=to_range(step.common.span), selection_range=_selection(step),
                              detail=_detail(step), children=children)


def document_symbols(checked: CheckedFile | None) -> list[lsp.DocumentSymbol]:
    if checked is None or checked.workflow is None:
        return []
    wf = checked.workflow
    out: list[lsp.DocumentSymbol] = []
    for inp in wf.inputs:
        out.append(lsp.DocumentSymbol(name=f"inputs.{inp.name}", kind=lsp.SymbolKind.Variable,
                                      range=to_range(inp.span),
                                      selection_range=to_range(inp.name_span),
                                      detail=inp.type or ""))
    out.extend(_step_symbol(s) for s in wf.steps)
    for o in wf.outputs:
        rng = to_range(o.name_span)
        out.append(lsp.DocumentSymbol(name=f"outputs.{o.name}", kind=lsp.SymbolKind.Property,
                                      range=rng, selection_range=rng))
    return out
