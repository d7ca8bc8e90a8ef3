"""JSON findings: a list of ``{file, line, column, end_line, end_column, severity, rule,
message, step, hint}`` (1-based positions, ``step`` and ``hint`` may be null)."""

from __future__ import annotations

import json
from typing import Mapping, Sequence

from flowdsl.diagnostics import Diagnostic


def render(diagnostics: Sequence[Diagnostic], sources: Mapping[str, str], color: bool) -> str:
    return json.dumps([d.to_json() for d in diagnostics], indent=2, ensure_ascii=False) + "\n"
