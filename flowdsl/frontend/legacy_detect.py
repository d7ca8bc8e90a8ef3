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


def is_export(root: YMap) -> bool:
    """A console export: ``nodes_json``, or only steps that carry ``model_slug``."""
    if root.get("nodes_json") is not None:
        return True
    steps = root.get("steps")
    # steps of the console carry model_slug (engine steps have type/model); no definition key
    return (root.get("definition") is None and isinstance(steps, YSeq) and bool(steps.items)
            and all(isinstance(s, YMap) and s.get("model_slug") is not None for s in steps.items))


def legacy_export_finding(doc: Document) -> Diagnostic | None:
    """One ``legacy-export`` error when ``doc`` is a legacy console export, else None."""
    root = doc.root
    if not isinstance(root, YMap) or not is_export(root):
        return None
    key = "nodes_json" if root.get("nodes_json") is not None else "steps"
    name = PurePath(doc.file).name
    stem = name.removesuffix(".json") if name.endswith(".json") else name
    command = f"flowdsl import {name} -o {stem}.flow.yaml"
    return error(codes.LEGACY_EXPORT,
                 f"this is an export of the older each::labs console, not a workflow: run `{command}`",
                 root.key_span(key),
                 hint="import converts {{workflow.parameters.x}} to {{inputs.x}}, types the params "
                      "from the export's nodes_json and writes a .flow.yaml that check and compile take")
