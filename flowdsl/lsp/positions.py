"""Conversions between flowdsl spans (1-based, end exclusive) and LSP ranges (0-based)."""

from __future__ import annotations

from lsprotocol import types as lsp

from flowdsl.spans import Span


def to_range(span: Span) -> lsp.Range:
    start = lsp.Position(line=max(span.line - 1, 0), character=max(span.column - 1, 0))
    end = lsp.Position(line=max(span.end_line - 1, 0), character=max(span.end_column - 1, 0))
    if (end.line, end.character) < (start.line, start.character):
        end = start
    return lsp.Range(start=start, end=end)


def contains(span: Span, pos: lsp.Position) -> bool:
    """Whether the 0-based ``pos`` lies inside ``span`` (its end included, so a cursor
    just after a word still counts as on it)."""
    line, col = pos.line + 1, pos.character + 1
    if (line, col) < (span.line, span.column):
        return False
    return (line, col) <= (span.end_line, span.end_column)


def span_size(span: Span) -> tuple[int, int]:
    return (span.end_line - span.line, span.end_column - span.column)


def line_at(text: str, line: int) -> str:
    lines = text.split("\n")
    return lines[line].rstrip("\r") if 0 <= line < len(lines) else ""


def span_text(text: str, span: Span) -> str:
    """The source text of a single-line span ('' when it spans lines)."""
    if span.line != span.end_line:
        return ""
    return line_at(text, span.line - 1)[span.column - 1:span.end_column - 1]
