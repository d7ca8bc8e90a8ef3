"""flowdsl findings -> LSP diagnostics: same ranges, ``code`` = rule id, hint kept."""

from __future__ import annotations

from lsprotocol import types as lsp

from flowdsl.diagnostics import Diagnostic, Severity
from flowdsl.lsp.positions import to_range

SOURCE = "flowdsl"

SEVERITY: dict[Severity, lsp.DiagnosticSeverity] = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.NOTE: lsp.DiagnosticSeverity.Information,
}


def message_of(diag: Diagnostic) -> str:
    parts = [diag.message]
    if diag.hint:
        parts.append(f"hint: {diag.hint}")
    parts.extend(diag.notes)
    return "\n".join(parts)


def to_lsp(diag: Diagnostic) -> lsp.Diagnostic:
    return lsp.Diagnostic(
        range=to_range(diag.span),
        message=message_of(diag),
        severity=SEVERITY.get(diag.severity, lsp.DiagnosticSeverity.Warning),
        code=str(diag.rule),
        source=SOURCE,
        data={"hint": diag.hint} if diag.hint else None,
    )


def convert(diags: list[Diagnostic]) -> list[lsp.Diagnostic]:
    return [to_lsp(d) for d in diags]
