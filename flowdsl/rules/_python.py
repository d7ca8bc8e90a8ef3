"""Shared by the python rules: positions of python code mapped into the flow file."""

from __future__ import annotations

from flowdsl import ir
from flowdsl.spans import Span


def code_span(code: ir.CodeBlock, line: int, col: int, length: int = 1) -> Span:
    """The file span of ``length`` characters at 1-based ``line`` / 0-based ``col`` of the
    code (Python's own convention for node positions)."""
    f_line, f_col = code.position(line, col)
    return Span.point(code.span.file, f_line, f_col, length)


def first_line_span(code: ir.CodeBlock) -> Span:
    first = code.text.splitlines()[0] if code.text.strip() else ""
    return code_span(code, 1, 0, max(len(first), 1))
