"""Code frames of the text reporter (flowdsl/report/text.py): long lines cut around the span,
the caret under the right terminal cell after wide characters, combining marks and tabs."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from flowdsl import report
from flowdsl.codes import SCHEMA, UNKNOWN_PARAM
from flowdsl.diagnostics import Diagnostic, error
from flowdsl.report.text import ELLIPSIS, MAX_CELLS, frame_lines
from flowdsl.spans import Span

GOLDEN = Path(__file__).parent / "golden"
FILE = "flows/frames.flow.yaml"
LONG_PROMPT = "a product photo of a red sneaker on white marble, soft studio light, " * 4

# One line per case; each diagnostic below points into its line.
LINES = [
    "  - {id: a, pass: 1, modle: 1}",                                          # 1 short line
    f'    with: {{prompt: "{LONG_PROMPT}", imgae: "{{{{inputs.image}}}}", negative: "{LONG_PROMPT}"}}',  # 2 long, middle
    f'    with: {{imgae: "{{{{inputs.image}}}}", prompt: "{LONG_PROMPT}"}}',    # 3 long, near start
    f'    with: {{prompt: "{LONG_PROMPT}", imgae: 1}}',                         # 4 long, at the end
    f'    with: {{prompt: "{LONG_PROMPT}"}}',                                   # 5 span longer than the window
    '  - {id: 日本語, pass: "語語", modle: 1}',                                 # 6 wide characters
    '  - {id: cafe\u0301, pass: "🎉🎉", modle: 1}',                              # 7 combining mark, emoji
    "  - {id: a,\tpass: 1,\t\tmodle: 1}",                                      # 8 tabs
    "  - {id: a, pass: \"\x1b[31m\", modle: 1}",                                # 9 a control character
    "  - {id: a, pass: 1",                                                     # 10 span past the end
    f'    with: {{prompt: "{"画像 " * 60}", imgae: 1}}',                        # 11 long line of wide chars
]
SOURCE = "\n".join(LINES) + "\n"


def _at(line: int, needle: str, length: int | None = None) -> Span:
    col = LINES[line - 1].index(needle) + 1
    return Span(FILE, line, col, line, col + (len(needle) if length is None else length))


def diags() -> list[Diagnostic]:
    prompt_start = LINES[4].index('"') + 1
    return [
        error(SCHEMA, "unknown key", _at(1, "modle")),
        error(UNKNOWN_PARAM, "no parameter imgae", _at(2, "imgae")),
        error(UNKNOWN_PARAM, "no parameter imgae", _at(3, "imgae")),
        error(UNKNOWN_PARAM, "no parameter imgae", _at(4, "imgae")),
        error(UNKNOWN_PARAM, "prompt too long", Span(FILE, 5, prompt_start, 5, prompt_start + 290)),
        error(SCHEMA, "unknown key", _at(6, "modle")),
        error(SCHEMA, "unknown key", _at(7, "modle")),
        error(SCHEMA, "unknown key", _at(8, "modle")),
        error(SCHEMA, "unknown key", _at(9, "modle")),
        error(SCHEMA, "unclosed flow mapping", Span(FILE, 10, len(LINES[9]) + 1, 10, len(LINES[9]) + 2)),
        error(UNKNOWN_PARAM, "no parameter imgae", _at(11, "imgae")),
        error(SCHEMA, "a span over two lines", Span(FILE, 1, 5, 2, 3)),
    ]


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("FLOWDSL_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_frames_golden() -> None:
    check_golden("frames.txt", report.render("text", diags(), {FILE: SOURCE}))


def cells(text: str) -> int:
    """Terminal cells of already-rendered frame text (no tabs or control characters left)."""
    total = 0
    for ch in text:
        if unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


def frame(line: int, d: Diagnostic) -> tuple[str, str]:
    out = report.render("text", [d], {FILE: SOURCE}).splitlines()
    prefix = f" {line} | "
    assert out[1].startswith(prefix) and out[2].startswith(" " * (len(prefix) - 2) + "| ")
    return out[1][len(prefix):], out[2][len(prefix):]


def test_a_long_line_is_cut_around_the_span() -> None:
    text, caret = frame(2, diags()[1])
    assert len(LINES[1]) > MAX_CELLS
    assert text.startswith(ELLIPSIS) and text.endswith(ELLIPSIS) and cells(text) <= MAX_CELLS
    start = caret.index("^")
    assert caret[start:] == "^" * 5 and text[start:start + 5] == "imgae"


def test_the_caret_follows_cells_after_wide_characters_and_tabs() -> None:
    for line, d in ((6, diags()[5]), (7, diags()[6]), (8, diags()[7])):
        text, caret = frame(line, d)
        start = caret.index("^")
        # the cells before the caret hold exactly the text before "modle"
        before = text[:text.index("modle")]
        assert cells(before) == start, (line, text, caret)
        assert "\t" not in text


def test_control_characters_are_not_printed() -> None:
    text, caret = frame(9, diags()[8])
    assert "\x1b" not in text and "?[31m" in text
    assert text[caret.index("^"):].startswith("modle")


@given(st.text(st.sampled_from(list("ab \t日語é\u0301🎉,:{}\x1b")), max_size=300), st.data())
def test_the_caret_is_under_the_span_start_and_the_line_fits(src: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(src) + 2), label="start")
    length = data.draw(st.integers(0, 120), label="length")
    text, caret = frame_lines(src, start, start + length)
    assert cells(text) <= MAX_CELLS
    col = caret.index("^")
    assert set(caret[col:]) == {"^"} and set(caret[:col]) <= {" "}
    if start >= len(src) or src[start] in " \t\x1b" or cells(src[start]) == 0:
        return
    # Walking the rendered text cell by cell, the span's first character starts at the caret.
    acc = 0
    for ch in text:
        if acc >= col and cells(ch) > 0:  # a combining mark shares the cell before it
            assert acc == col and ch == src[start], (src, start, text, caret)
            return
        acc += cells(ch)
    raise AssertionError(f"no character at cell {col}: {text!r}")
