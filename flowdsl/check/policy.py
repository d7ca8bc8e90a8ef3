"""Policy: what the project's configuration and the file's inline ignores make of findings.

Applied once per file, to every finding (the loader's and parser's as well as the rules'),
by :func:`flowdsl.check.run.analyze`.
"""

from __future__ import annotations

from typing import Any, Iterable

from flowdsl import ir
from flowdsl.check.config import Config
from flowdsl.check.suppress import Ignores, parse_ignores
from flowdsl.diagnostics import Diagnostic


def step_first_lines(workflow: ir.Workflow) -> dict[str, int]:
    """Step id -> the line its step starts on (for ignores written on the step)."""
    lines: dict[str, int] = {}
    for step in workflow.all_steps():
        lines.setdefault(step.common.id, step.common.span.line)
    return lines


def apply_policy(diagnostics: Iterable[Diagnostic], config: Config | None, source: str | None,
                 step_lines: dict[str, int] | None = None) -> list[Diagnostic]:
    """Drop disabled rules and ignored findings, apply severity overrides, de-duplicate and
    sort. Safe to call on the parser's diagnostics (and twice on the same list)."""
    config = config or Config()
    ignores: Ignores = parse_ignores(source) if source else Ignores({})
    step_lines = step_lines or {}
    seen: set[tuple[Any, ...]] = set()
    kept: list[Diagnostic] = []
    for d in diagnostics:
        if not config.enabled(d.rule):
            continue
        if ignores.covers(d.rule, d.span.line):
            continue
        if d.step is not None and d.step in step_lines and ignores.covers(d.rule, step_lines[d.step]):
            continue
        override = config.severity_for(d.rule)
        if override is not None and override != d.severity:
            d = d.with_severity(override)
        key = (d.rule, d.span, d.message)
        if key in seen:
            continue
        seen.add(key)
        kept.append(d)
    kept.sort(key=Diagnostic.sort_key)
    return kept
