"""Human-readable findings with a code frame:

    flows/a.flow.yaml:12:18: error: model "kling-2-1-image-to-video" has no parameter "image" [unknown-param]
       12 |     with: {image: "{{portrait.primary}}"}
          |            ^^^^^
          = hint: did you mean "image_url"?

Colour (ANSI) only when the caller asks for it; the CLI asks only on a TTY without NO_COLOR.
A long source line is cut around the span (``...`` marks each cut) and the caret is placed
by terminal cells, so it stays under the span after wide characters and tabs.
"""

from __future__ import annotations

import bisect
import functools
import unicodedata
from typing import Mapping, Sequence

from flowdsl.diagnostics import Diagnostic, Severity

_RESET = "\033[0m"
_COLORS = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[1;33m", Severity.NOTE: "\033[1;36m"}
_BOLD, _DIM, _BLUE = "\033[1m", "\033[2m", "\033[1;34m"


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color else text


# A frame shows at most this many terminal cells of the source line; a longer line is cut
# around the span, each cut marked with an ellipsis.
MAX_CELLS = 100
CONTEXT_CELLS = 24  # cells kept before the span when a long line is cut
ELLIPSIS = "..."  # ASCII: the frame must print on any stdout encoding
TAB_STOP = 4


def _cell(ch: str, at: int) -> tuple[str, int]:
    """How ``ch`` is shown at cell ``at`` of the frame, and how many cells it takes.

    Columns in spans count characters, but a terminal gives an East Asian wide character two
    cells, a combining mark none, and a tab up to the next stop: the caret must follow the cells.
    Control characters are shown as ``?`` (printed raw they would drive the terminal)."""
    if ch == "\t":
        n = TAB_STOP - at % TAB_STOP
        return " " * n, n
    category = unicodedata.category(ch)
    if category == "Cc" or category in ("Zl", "Zp"):
        return "?", 1
    if category in ("Mn", "Me", "Cf"):
        return ch, 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return ch, 2
    return ch, 1


@functools.lru_cache(maxsize=32)
def _layout(src: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """How each character of ``src`` is shown, and the cell where each starts (plus the end).
    Cached: many findings on one long line share it."""
    if src.isascii() and src.isprintable():  # the common case: one cell per character
        return tuple(src), tuple(range(len(src) + 1))
    shown: list[str] = []
    at: list[int] = []
    cells = 0
    for ch in src:
        text, width = _cell(ch, cells)
        shown.append(text)
        at.append(cells)
        cells += width
    at.append(cells)
    return tuple(shown), tuple(at)


def frame_lines(src: str, start: int, end: int) -> tuple[str, str]:
    """The source text and the caret line (uncoloured) for characters ``start``..``end``
    (0-based, end exclusive) of the line ``src``; long lines are cut around the span."""
    shown, at = _layout(src)
    n = len(src)
    cells = at[n]
    start = min(max(start, 0), n)
    end = min(max(end, start), n)
    span_lo, span_hi = at[start], max(at[end], at[start] + 1)
    first, last = 0, n  # the characters shown
    if cells > MAX_CELLS:
        budget = MAX_CELLS - 2 * len(ELLIPSIS)
        lo = max(0, span_lo - CONTEXT_CELLS)
        hi = min(cells, lo + budget)
        lo = max(0, min(lo, hi - budget))
        first = bisect.bisect_left(at, lo)  # the first character starting inside the window
        last = min(bisect.bisect_right(at, hi) - 1, n)  # ... and the first one ending past it
    head = ELLIPSIS if first > 0 else ""
    tail = ELLIPSIS if last < n else ""
    text = head + "".join(shown[first:last]) + tail
    offset = len(head) - at[first]  # cell of the frame text where character index 0 would sit
    caret_lo = span_lo + offset
    caret_hi = min(span_hi, at[last] if tail else span_hi) + offset
    caret = " " * caret_lo + "^" * max(caret_hi - caret_lo, 1)
    return text.rstrip(), caret


def _frame(d: Diagnostic, lines: list[str], color: bool) -> list[str]:
    s = d.span
    if not 0 < s.line <= len(lines):
        return []
    src = lines[s.line - 1].rstrip("\n")
    end = s.end_column - 1 if s.end_line == s.line else len(src)
    text, carets = frame_lines(src, s.column - 1, end)
    gutter = str(s.line)
    pad = " " * len(gutter)
    bar = _paint("|", _BLUE, color)
    lead = len(carets) - len(carets.lstrip(" "))
    return [f" {_paint(gutter, _BLUE, color)} {bar} {text}",
            f" {pad} {bar} {carets[:lead]}{_paint(carets[lead:], _COLORS[d.severity], color)}"]


def render(diagnostics: Sequence[Diagnostic], sources: Mapping[str, str], color: bool) -> str:
    out: list[str] = []
    split: dict[str, list[str]] = {}
    counts = {s: 0 for s in Severity}
    for d in diagnostics:
        counts[d.severity] += 1
        s = d.span
        sev = _paint(d.severity.value, _COLORS[d.severity], color)
        where = _paint(f"{s.file}:{s.line}:{s.column}:", _BOLD, color)
        out.append(f"{where} {sev}: {d.message} {_paint('[' + d.rule + ']', _DIM, color)}")
        if s.file not in split and s.file in sources:
            split[s.file] = sources[s.file].splitlines()
        out.extend(_frame(d, split.get(s.file, []), color))
        pad = " " * (len(str(s.line)) + 1)
        if d.hint:
            out.append(f"{pad} = {_paint('hint', _BOLD, color)}: {d.hint}")
        for n in d.notes:
            out.append(f"{pad} = note: {n}")
    if diagnostics:
        parts = []
        for sev, word in ((Severity.ERROR, "error"), (Severity.WARNING, "warning"),
                          (Severity.NOTE, "note")):
            if counts[sev]:
                parts.append(f"{counts[sev]} {word}{'s' if counts[sev] != 1 else ''}")
        files = len({d.span.file for d in diagnostics})
        out.append("")
        out.append(f"{', '.join(parts)} in {files} file{'s' if files != 1 else ''}")
    return "\n".join(out) + ("\n" if out else "")
