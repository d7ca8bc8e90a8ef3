"""Recognise a raw export of the older each::labs console where a workflow is expected.

Such a file (``{name, nodes_json, edges_json, inputs, steps: [{model_slug, params}]}``) is not
a definition: read as one it yields dozens of unrelated findings (unknown keys, unknown step
types, ``{{workflow.parameters.x}}`` references). One finding that names the converter helps
more; :mod:`flowdsl.frontend.legacy` does the conversion (``flowdsl import``).
"""

from __future__ import annotations

from pathlib import PurePath

from flowdsl import codes
from flowdsl.diagnostics import Diagnostic, error
from flowdsl.frontend.load import Document, YMap, YSeq
from flowdsl.spans import Span


def is_export(root: YMap, lenient: bool = False) -> bool:
    """A console export: it has ``nodes_json`` or ``edges_json`` (the console's graph, which
    no workflow has). ``lenient`` (for ``import``, where the user says what the file is) also
    takes a file whose steps all carry ``model_slug`` and ``params``; ``check`` does not, as a
    flow with a misspelt ``model:`` key is not an export."""
    if root.get("nodes_json") is not None or root.get("edges_json") is not None:
        return True
    steps = root.get("steps")
    return (lenient and root.get("definition") is None and isinstance(steps, YSeq) and bool(steps.items)
            and all(isinstance(s, YMap) and s.get("model_slug") is not None and s.get("params") is not None
                    for s in steps.items))


def legacy_export_finding(doc: Document) -> Diagnostic | None:
    """One ``legacy-export`` error when ``doc`` is a legacy console export, else None."""
    root = doc.root
    if not isinstance(root, YMap) or not is_export(root):
        return None
    name = PurePath(doc.file).name
    stem = name.removesuffix(".json") if name.endswith(".json") else name
    command = f"flowdsl import {name} -o {stem}.flow.yaml"
    return error(codes.LEGACY_EXPORT,
                 f"this is an export of the older each::labs console, not a workflow: run `{command}`",
                 # at the document's start: the nodes_json line is kilobytes of escaped JSON,
                 # and a code frame would print all of it
                 Span.point(doc.file, root.span.line, root.span.column),
                 hint="import converts {{workflow.parameters.x}} to {{inputs.x}}, types the params "
                      "from the export's nodes_json and writes a .flow.yaml that check and compile take")
