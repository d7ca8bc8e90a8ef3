"""Columns on the wire: LSP counts characters in the negotiated position encoding (UTF-16
unless the client offers another), flowdsl counts code points.

The conversion happens once at the boundary (positions coming in, every range going out)
so the feature modules work in code points throughout. A document whose text has nothing
that counts differently (no character outside the BMP for UTF-16, only ASCII for UTF-8)
passes through untouched, which is nearly every flow.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

import attrs
from lsprotocol import types as lsp
from pygls.workspace.position_codec import PositionCodec

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class Columns:
    """Converts between code-point columns and the client's units for one document text."""

    def __init__(self, codec: PositionCodec, text: str) -> None:
        self.codec = codec
        encoding = str(codec.encoding)
        if encoding == lsp.PositionEncodingKind.Utf32.value:
            self.identity = True
        elif encoding == lsp.PositionEncodingKind.Utf8.value:
            self.identity = text.isascii()
        else:
            self.identity = _ASTRAL.search(text) is None
        self.lines: Sequence[str] = () if self.identity else text.split("\n")

    # ------------------------------------------------------------ inbound

    def position_in(self, pos: lsp.Position) -> lsp.Position:
        if self.identity or pos.line >= len(self.lines):
            return pos
        line = self.lines[pos.line].rstrip("\r")
        units = 0
        for index, char in enumerate(line):
            if units >= pos.character:
                return lsp.Position(line=pos.line, character=index)
            units += self.codec.client_num_units(char)
        return lsp.Position(line=pos.line, character=len(line))

    def range_in(self, rng: lsp.Range) -> lsp.Range:
        if self.identity:
            return rng
        return lsp.Range(start=self.position_in(rng.start), end=self.position_in(rng.end))

    # ------------------------------------------------------------ outbound

    def position_out(self, pos: lsp.Position) -> lsp.Position:
        if self.identity or pos.line >= len(self.lines):
            return pos
        prefix = self.lines[pos.line].rstrip("\r")[:pos.character]
        return lsp.Position(line=pos.line,
                            character=self.codec.client_num_units(prefix)
                            + max(pos.character - len(prefix), 0))

    def out(self, value: Any) -> Any:
        """``value`` (any lsprotocol result: diagnostics, locations, edits, symbols,
        completion lists...) with every position in it converted to client units."""
        if self.identity or value is None:
            return value
        return self._walk(value)

    def _walk(self, value: Any) -> Any:
        if isinstance(value, lsp.Position):
            return self.position_out(value)
        if isinstance(value, list):
            return [self._walk(v) for v in value]
        if isinstance(value, dict):
            return {k: self._walk(v) for k, v in value.items()}
        if attrs.has(type(value)):
            changes = {}
            for field in attrs.fields(type(value)):
                old = getattr(value, field.name)
                new = self._walk(old)
                if new is not old:
                    changes[field.name] = new
            return attrs.evolve(value, **changes) if changes else value
        return value
