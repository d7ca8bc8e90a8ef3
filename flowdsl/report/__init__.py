"""Reporters, looked up by name: ``render(fmt, diagnostics, sources, color)``.

Each reporter is a module with ``render(diagnostics, sources, color) -> str``; ``sources``
maps a file name (as in the spans) to its text, for code frames. Imported lazily so that
``flowdsl --version`` never pays for them.
"""

from __future__ import annotations

import importlib
from typing import Mapping, Sequence

from flowdsl.diagnostics import Diagnostic

# format name -> module under flowdsl.report
FORMATS: dict[str, str] = {
    "text": "text",
    "json": "jsonfmt",
    "sarif": "sarif",
    "github": "github",
}


def render(fmt: str, diagnostics: Sequence[Diagnostic], sources: Mapping[str, str],
           color: bool = False) -> str:
    """The report text for ``diagnostics`` in format ``fmt`` (ValueError if unknown)."""
    module = FORMATS.get(fmt)
    if module is None:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    reporter = importlib.import_module(f"flowdsl.report.{module}")
    out: str = reporter.render(list(diagnostics), sources, color)
    return out
