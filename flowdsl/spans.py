"""Source positions. Every IR node and every finding carries one."""

from __future__ import annotations

from typing import NamedTuple


class Span(NamedTuple):
    """A region of a source file. Lines and columns are 1-based; the end is exclusive
    (``end_column`` is the column just past the last character), as in SARIF.

    A named tuple, not a frozen dataclass: the loader makes one for every node of every
    file (about 350 per 20-step flow), and building a tuple costs a fifth of a frozen
    dataclass's ``__init__`` (issue 16). Immutable either way; the loops that make one per
    node call ``tuple.__new__(Span, fields)``, skipping the keyword-aware ``__new__``."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    @staticmethod
    def point(file: str, line: int, column: int, length: int = 1) -> "Span":
        return Span(file, line, column, line, column + max(length, 1))

    def sub(self, offset: int, length: int) -> "Span":
        """A span inside this single-line span, ``offset`` characters from its start."""
        col = self.column + offset
        return Span(self.file, self.line, col, self.line, col + max(length, 1))


UNKNOWN = Span("<unknown>", 1, 1, 1, 2)
