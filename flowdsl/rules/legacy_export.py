"""legacy-export: a raw export of the older each::labs console where a workflow is expected.

Such an export (``nodes_json``, ``edges_json``, steps with ``model_slug`` and
``{{workflow.parameters.x}}`` templates) is not a definition the engine takes. ``check``,
``compile`` and the other commands report it once, with the
command that converts it (at the start of the file), instead of a finding for every
console-only key and step:

    {"name": "Anime Generator", "nodes_json": "[...]", "steps": [{"model_slug": ...}]}
    # legacy-export: run `flowdsl import anime.json -o anime.flow.yaml`

``flowdsl import`` writes a ``.flow.yaml``: templates become ``{{inputs.x}}``, params take
the types of the export's own model spec, and ``{{stepN.output}}`` becomes
``{{stepN.primary}}`` where the console passed the first file of a list.
"""
