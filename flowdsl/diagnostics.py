"""The one finding type. Checks yield these; they never print and never raise for user mistakes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import TYPE_CHECKING, Any

from flowdsl.spans import Span

if TYPE_CHECKING:
    from flowdsl.codes import Code


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "note": 1}[self.value]


@dataclass(frozen=True)
class Diagnostic:
    rule: str  # a flowdsl.codes.Code (itself the id string)
    severity: Severity
    message: str
    span: Span
    step: str | None = None
    hint: str | None = None
    notes: tuple[str, ...] = field(default=())

    def with_severity(self, severity: Severity) -> "Diagnostic":
        return replace(self, severity=severity)

    def sort_key(self) -> tuple[Any, ...]:
        s = self.span
        return (s.file, s.line, s.column, self.rule, self.message)

    def to_json(self) -> dict[str, Any]:
        """The finding shape documented in the README (1-based positions)."""
        s = self.span
        return {
            "file": s.file,
            "line": s.line,
            "column": s.column,
            "end_line": s.end_line,
            "end_column": s.end_column,
            "severity": self.severity.value,
            "rule": self.rule,
            "message": self.message,
            "step": self.step,
            "hint": self.hint,
        }


def error(rule: Code, message: str, span: Span, *, step: str | None = None,
          hint: str | None = None) -> Diagnostic:
    return Diagnostic(rule, Severity.ERROR, message, span, step, hint)


def warning(rule: Code, message: str, span: Span, *, step: str | None = None,
            hint: str | None = None) -> Diagnostic:
    return Diagnostic(rule, Severity.WARNING, message, span, step, hint)


def note(rule: Code, message: str, span: Span, *, step: str | None = None,
         hint: str | None = None) -> Diagnostic:
    return Diagnostic(rule, Severity.NOTE, message, span, step, hint)
