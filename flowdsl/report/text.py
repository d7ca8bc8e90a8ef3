"""Human-readable findings with a code frame:

    flows/a.flow.yaml:12:18: error: model "kling-2-1-image-to-video" has no parameter "image" [unknown-param]
       12 |     with: {image: "{{portrait.primary}}"}
          |            ^^^^^
          = hint: did you mean "image_url"?

Colour (ANSI) only when the caller asks for it; the CLI asks only on a TTY without NO_COLOR.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from flowdsl.diagnostics import Diagnostic, Severity

_RESET = "\033[0m"
_COLORS = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[1;33m", Severity.NOTE: "\033[1;36m"}
_BOLD, _DIM, _BLUE = "\033[1m", "\033[2m", "\033[1;34m"


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color else text


def _frame(d: Diagnostic, lines: list[str], color: bool) -> list[str]:
    s = d.span
    if not 0 < s.line <= len(lines):
        return []
    src = lines[s.line - 1].rstrip("\n").replace("\t", " ")
    gutter = str(s.line)
    pad = " " * len(gutter)
    start = max(s.column - 1, 0)
    if s.end_line == s.line:
        width = max(s.end_column - s.column, 1)
    else:
        width = max(len(src) - start, 1)
    width = min(width, max(len(src) - start, 1))
    carets = " " * start + "^" * width
    bar = _paint("|", _BLUE, color)
    return [f" {_paint(gutter, _BLUE, color)} {bar} {src}",
            f" {pad} {bar} {_paint(carets, _COLORS[d.severity], color)}"]


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
