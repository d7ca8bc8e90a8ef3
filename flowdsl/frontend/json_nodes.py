"""A valid JSON file straight into the loader's nodes, without YAML.

Every JSON file is also YAML, and the YAML path (libyaml's composer, then the converter)
reads it correctly, but at YAML's price: a Python node and two marks per value, a resolver
call per scalar, then a second pass. Here the C ``json`` module first decides that the text
is valid JSON (and otherwise the YAML path runs, which places every finding); one regular
expression then finds each token with its offset, and a single loop builds the nodes. For
valid JSON the colons and commas carry no information beyond the order of the tokens, so
only strings, brackets and bare words (numbers, ``true``, ``false``, ``null``) are matched.

Values follow JSON, not YAML 1.1: ``1e5`` is the number 100000.0 (YAML 1.1 would read the
text "1e5", as its float needs a dot and a signed exponent). Anything the YAML path would
report (nesting beyond :data:`MAX_DEPTH`, numbers that are not finite) is left to it.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from typing import NamedTuple, Union

from flowdsl.diagnostics import Diagnostic
from flowdsl.spans import Span
from flowdsl.frontend.load import (MAX_DEPTH, LineTable, YMap, YNode, YScalar, YSeq,
                                   duplicate_key)

# Blanks, colons and commas, then the token (group 1): a string (escapes included), a
# bracket, or a bare word. Nothing else can follow them in valid JSON. (Consuming the
# separators and the string's plain runs in one class each is 2.5x faster than letting the
# search skip them.)
_TOKEN = re.compile(r'[\s,:]*("[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]|[^\s,:\[\]{}"]+)')
_LITERALS: dict[str, Union[bool, None]] = {"true": True, "false": False, "null": None}
_BRACKETS = frozenset("[]{}")
_new = tuple.__new__
_bisect = bisect.bisect_right


class _Open:
    """A list or an object being read."""

    __slots__ = ("start", "items", "index", "key")

    def __init__(self, start: int, is_map: bool) -> None:
        self.start = start
        self.items: list = []  # nodes, or (key, value) pairs of an object
        self.index: dict[str, YNode] | None = {} if is_map else None
        self.key: YScalar | None = None  # an object's key waiting for its value


class NotJson(NamedTuple):
    """Where and why the C json module stops reading the text."""

    reason: str
    offset: int


def read_json(text: str, file: str,
              lines: LineTable) -> tuple[YNode, list[Diagnostic]] | NotJson | None:
    """The node tree of ``text`` and its duplicate-key findings; :class:`NotJson` when the
    text is not JSON, None when it holds something only the YAML path reports (in both
    cases the caller runs the YAML path)."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        before = text[:exc.pos].rstrip()
        if before.endswith(",") and text[exc.pos:exc.pos + 1] in ("]", "}"):
            # (Python 3.11 says only "Expecting value" there)
            return NotJson("a trailing comma (remove it)", len(before) - 1)
        return NotJson(exc.msg, exc.pos)
    except (ValueError, RecursionError):  # a number too long for int(), nesting too deep
        return None
    # The hot loop of reading JSON (every token of every file), so: positions computed
    # inline (a valid JSON string or number never spans lines: one bisect gives its line),
    # nodes built with tuple.__new__, the common tokens (strings) tested first.
    starts = lines.starts
    bisect = _bisect
    stack: list[_Open] = []
    diags: list[Diagnostic] = []
    root: YNode | None = None
    frame: _Open | None = None
    node: YNode
    for m in _TOKEN.finditer(text):
        tok = m.group(1)
        start, end = m.span(1)
        first = tok[0]
        if first == '"' or first not in _BRACKETS:
            row = bisect(starts, start)
            base = starts[row - 1] - 1
            if first == '"':
                node = _new(YScalar, (tok[1:-1] if "\\" not in tok else json.loads(tok),
                                      _new(Span, (file, row, start - base, row, end - base)),
                                      '"', start, end))
                if frame is not None and frame.key is None and frame.index is not None:
                    frame.key = node  # an object's key (in valid JSON, always a string)
                    continue
            else:
                if tok in _LITERALS:
                    value: object = _LITERALS[tok]
                elif "." in tok or "e" in tok or "E" in tok or tok[-1] not in "0123456789":
                    value = float(tok)  # NaN and Infinity (which json accepts) included
                    if not math.isfinite(value):
                        return None  # the YAML path reports it
                else:
                    value = int(tok)
                node = _new(YScalar, (value, _new(Span, (file, row, start - base, row, end - base)),
                                      None, start, end))
        elif first == "{" or first == "[":
            if len(stack) >= MAX_DEPTH - 1:
                return None  # the YAML path places the nesting limit's finding
            frame = _Open(start, first == "{")
            stack.append(frame)
            continue
        else:
            done = stack.pop()
            frame = stack[-1] if stack else None
            where = lines.span(file, done.start, end)
            if done.index is not None:
                node = _new(YMap, (tuple(done.items), where, done.index))
            else:
                node = _new(YSeq, (tuple(done.items), where))
        if frame is None:
            root = node
            continue
        index = frame.index
        if index is None:
            frame.items.append(node)
            continue
        key = frame.key
        assert key is not None
        frame.key = None
        name = key.value
        assert isinstance(name, str)
        if name in index:
            diags.append(duplicate_key(frame.items, key))
        else:
            index[name] = node
        frame.items.append((key, node))
    if root is None:
        return None
    return root, diags
