"""GitHub Actions workflow commands: one annotation per finding.

    ::error file=a.flow.yaml,line=3,col=5,endLine=3,endColumn=9,title=unknown-param::msg

Property values escape ``%``, CR, LF, ``:`` and ``,``; the message escapes ``%``, CR, LF.
Warnings become ``::warning``, notes ``::notice``.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from flowdsl.diagnostics import Diagnostic, Severity

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(diagnostics: Sequence[Diagnostic], sources: Mapping[str, str], color: bool) -> str:
    lines = []
    for d in diagnostics:
        s = d.span
        message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        lines.append(
            f"::{_COMMAND[d.severity]} file={_prop(s.file)},line={s.line},col={s.column},"
            f"endLine={s.end_line},endColumn={s.end_column},title={_prop(d.rule)}::{_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")
