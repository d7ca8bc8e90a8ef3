"""Import sources into the IR: engine definitions (the ordinary loader) and legacy console
exports (``nodes_json`` with ``{{workflow.parameters.x}}`` templates), see
:mod:`flowdsl.frontend.legacy`."""

from __future__ import annotations

from pathlib import Path

from flowdsl.frontend.source import LoadResult, load_workflow


def import_file(path: str | Path) -> LoadResult:
    from flowdsl.frontend.legacy import is_legacy_export, load_legacy
    if is_legacy_export(path):
        return load_legacy(path)
    return load_workflow(path)
