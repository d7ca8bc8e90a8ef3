"""flowdsl: write each::workflows pipelines as text; check, compile, deploy and simulate them.

A small facade for scripts (the command line is one client of the same functions)::

    import flowdsl
    checked = flowdsl.analyze("flows/portrait.flow.yaml")    # a path, or text with file=
    for d in checked.diagnostics:
        print(d.span.line, d.rule, d.message)
    if not checked.has_errors:
        definition = flowdsl.compile(checked.workflow)        # the engine JSON (a dict)
        trace = flowdsl.dry_run(checked.workflow, {"description": "a cat"})

Every function here imports what it needs when called, so ``import flowdsl`` stays cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flowdsl.check.run import CheckedFile, Project
    from flowdsl.frontend.source import LoadResult
    from flowdsl.ir import Workflow

__version__ = "0.1.0"
__all__ = ["__version__", "analyze", "compile", "dry_run", "load"]


def load(source: str | Path, *, file: str | None = None) -> "LoadResult":
    """Read a flow into the IR without running the rules: a path (``str`` or ``Path``) is
    read from disk; pass ``file=`` to give text instead of a path."""
    from flowdsl.frontend.source import load_source, load_workflow
    if file is not None:
        return load_source(str(source), file)
    return load_workflow(source)


def analyze(source: str | Path, project: "Project | None" = None, *,
            file: str | None = None) -> "CheckedFile":
    """Load and check a flow: the IR and every finding, config and inline ignores applied.
    ``project`` defaults to the configuration and catalog found from the file's directory
    (for text: the bundled catalog)."""
    from flowdsl.check.run import Project, analyze as run
    if file is not None:
        return run(str(source), project or Project.bundled(), file=file)
    path = Path(source)
    return run(path, project or Project.for_paths([path]))


def compile(workflow: "Workflow", *, request: str | None = None, version_id: str = "v1",
            step_key: str = "step_id") -> dict[str, Any]:
    """The engine definition JSON of a workflow, or the ``create``/``version`` request body."""
    from flowdsl.emit.compiler import compile_definition, create_request, version_request
    if request == "create":
        return create_request(workflow, step_key)
    if request == "version":
        return version_request(workflow, version_id, step_key)
    return compile_definition(workflow, step_key)


def dry_run(workflow: "Workflow", inputs: dict[str, Any] | None = None, *, seed: int | None = None,
             project: "Project | None" = None) -> dict[str, Any]:
    """A dry run in virtual time (what ``flowdsl simulate`` does; the name ``simulate`` is
    the subpackage's, which importing it would overwrite); returns the JSON trace (status, output, steps...). Inputs
    are validated and defaulted from the flow's input schema (``ValueError`` when invalid)."""
    from flowdsl.check.run import Project
    from flowdsl.simulate import Simulator
    from flowdsl.simulate.inputs import InputError, prepare
    project = project or Project.bundled()
    try:
        values = prepare(workflow, dict(inputs or {}))
    except InputError as exc:
        raise ValueError(str(exc)) from None
    return Simulator(workflow, project.catalog, None).run(values, seed=seed).trace()
