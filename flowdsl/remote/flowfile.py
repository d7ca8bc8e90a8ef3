"""A local flow as the remote commands see it: name, metadata and the compiled definition.

Loading goes through the one front door (``flowdsl.frontend.source.load_workflow``) and the
compiler, so ``.flow.yaml`` files and JSON definitions (``{name, description, definition}``)
are both accepted and checked exactly as ``flowdsl check`` does; a flow with error findings
is refused before any request is made.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from flowdsl.remote.errors import FlowError, FlowFileError


@dataclass(frozen=True)
class LocalFlow:
    path: Path
    name: str
    description: str
    categories: tuple[str, ...]
    definition: dict[str, Any]  # as compiled; its `version` is replaced at deploy time
    warnings: tuple[str, ...] = field(default=())

    def create_body(self, *, locked: bool = False, production: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name, "description": self.description,
                                "categories": list(self.categories),
                                "definition": copy.deepcopy(self.definition)}
        if locked:
            body["locked"] = True
        if production:
            body["production"] = True
        return body

    def version_body(self, version_id: str, *, locked: bool = False,
                     production: bool = False) -> dict[str, Any]:
        definition = copy.deepcopy(self.definition)
        definition["version"] = version_id  # the spec: should match version_id
        body: dict[str, Any] = {"version_id": version_id, "definition": definition}
        if locked:
            body["locked"] = True
        if production:
            body["production"] = True
        return body


# (path) -> (create request {name, description, categories, definition}, diagnostics)
Backend = Callable[[Path], tuple[dict[str, Any] | None, list[Any]]]


def _pipeline_backend(path: Path) -> tuple[dict[str, Any] | None, list[Any]]:
    # The same load + rules + config + catalog as `flowdsl check`, so deploy refuses
    # exactly what check reports as an error.
    from flowdsl.check.run import ConfigError, Project, analyze
    from flowdsl.emit.compiler import create_request

    try:
        project = Project.for_paths([path])
    except ConfigError as exc:
        raise FlowError(f"bad configuration: {exc}") from None
    analysis = analyze(path, project)
    wf = analysis.workflow
    if wf is None or _errors(analysis.diagnostics):
        return None, list(analysis.diagnostics)
    return create_request(wf), list(analysis.diagnostics)


backend: Backend = _pipeline_backend


def _severity(d: Any) -> str:
    sev = getattr(d, "severity", "error")
    return str(getattr(sev, "value", sev))


def _errors(diagnostics: list[Any]) -> list[Any]:
    return [d for d in diagnostics if _severity(d) == "error"]


def _fmt(d: Any) -> str:
    span = getattr(d, "span", None)
    where = f"{span.file}:{span.line}:{span.column}" if span is not None else "?"
    return f"{where}: {_severity(d)}: {getattr(d, 'message', d)} [{getattr(d, 'rule', '?')}]"


def load_flow(path: str | Path) -> LocalFlow:
    """The flow at ``path``, compiled. A FlowError's message does not repeat the path: the
    caller puts it in front (``FILE: message``), once."""
    p = Path(path)
    if not p.is_file():
        raise FlowFileError("no such file" if not p.exists() else
                        "not a regular file (only regular files are read)")
    request, diagnostics = backend(p)
    errors = _errors(diagnostics)
    if errors or request is None:
        first = _fmt(errors[0]) if errors else "it cannot be compiled"
        more = f" (and {len(errors) - 1} more error(s); run `flowdsl check {p}`)" if len(errors) > 1 else ""
        raise FlowError(f"refusing it: {first}{more}")
    name = request.get("name")
    if not isinstance(name, str) or not name.strip():
        raise FlowError("refusing it: the flow has no `name` (the workflow's identity on the server)")
    definition = request.get("definition")
    if not isinstance(definition, dict):
        raise FlowError("refusing it: no definition")
    cats = request.get("categories") or ()
    return LocalFlow(path=p, name=name, description=str(request.get("description") or ""),
                     categories=tuple(str(c) for c in cats), definition=definition,
                     warnings=tuple(_fmt(d) for d in diagnostics if _severity(d) == "warning"))


def comparable(definition: dict[str, Any] | None) -> dict[str, Any]:
    """What "unchanged" means: the definition without its ``version`` label, which deploy
    rewrites to the version id."""
    if not isinstance(definition, dict):
        return {}
    return {k: v for k, v in definition.items() if k != "version"}
