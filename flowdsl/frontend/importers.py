"""Import sources into the IR: engine definitions (the ordinary loader) and legacy console
exports (``nodes_json`` with ``{{workflow.parameters.x}}`` templates), see
:mod:`flowdsl.frontend.legacy`.

An import also returns :class:`ImportNotes`: what it changed on the way, which the printer
writes as comments in the ``.flow.yaml`` so the team reading it knows why a reference or a
name differs from the source.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from flowdsl import ir
from flowdsl.frontend.source import LoadResult, load_workflow


@dataclass
class ImportNotes:
    """Comments for the printed flow, keyed by where they go."""

    head: list[str] = field(default_factory=list)  # after the modeline, before name:
    # (step id, param name) -> a comment on the line before that param
    params: dict[tuple[str, str], str] = field(default_factory=dict)
    # step id -> a comment at the end of the step's name: line
    names: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.head or self.params or self.names)


@dataclass
class ImportResult(LoadResult):
    notes: ImportNotes = field(default_factory=ImportNotes)


def import_file(path: str | Path) -> ImportResult:
    from flowdsl.frontend.legacy import is_legacy_export, load_legacy
    if is_legacy_export(path):
        return load_legacy(path)
    r = load_workflow(path)
    wf = order_by_catalog(r.workflow) if r.workflow is not None else None
    return ImportResult(r.file, wf, r.diagnostics, r.source)


def ordered_params(params: ir.MapValue, order: list[str], required: set[str]) -> ir.MapValue:
    """``params`` with the required ones first, then the rest, each group in ``order`` (the
    model schema's order); names the schema does not list keep their place after those."""
    rank = {name: i for i, name in enumerate(order)}
    entries = sorted(enumerate(params.entries), key=lambda e: (
        e[1][0].name not in required, rank.get(e[1][0].name, len(rank)), e[0]))
    return ir.MapValue(tuple(e for _, e in entries), params.span)


def order_by_catalog(wf: ir.Workflow) -> ir.Workflow:
    """Each model step's params in the bundled catalog's schema order (required first), so
    imports of one model read alike. Order does not change what the engine receives."""
    from flowdsl.catalog import bundled_catalog
    catalog = bundled_catalog()

    def step(s: ir.Step) -> ir.Step:
        if isinstance(s, ir.ModelStep) and s.params is not None:
            spec = catalog.get(s.model)
            schema = spec.request_schema if spec is not None else None
            props = schema.get("properties") if isinstance(schema, dict) else None
            if isinstance(props, dict):
                req = schema.get("required") if isinstance(schema, dict) else None
                return replace(s, params=ordered_params(s.params, list(props),
                                                        set(req) if isinstance(req, list) else set()))
            return s
        if isinstance(s, ir.ParallelStep):
            return replace(s, branches=tuple(replace(b, steps=tuple(step(x) for x in b.steps))
                                             for b in s.branches))
        if isinstance(s, ir.ChoiceStep):
            other = s.otherwise
            return replace(s, then=replace(s.then, steps=tuple(step(x) for x in s.then.steps)),
                           otherwise=replace(other, steps=tuple(step(x) for x in other.steps))
                           if other is not None else None)
        return s

    return replace(wf, steps=tuple(step(s) for s in wf.steps))
