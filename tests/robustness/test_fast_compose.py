"""libyaml's C composer (the fast path in frontend/load.py) gives the same document as our
event loop, and is not used where it could crash or where the event loop has a finding."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from flowdsl.frontend import load
from flowdsl.frontend.load import Document, LineTable, load_text

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(p for d in ("tests", "examples") for p in (ROOT / d).rglob("*")
               if p.is_file() and p.name.endswith((".yaml", ".yml", ".json")) and p.stat().st_size < 200_000
               and "node_modules" not in p.parts)  # (npm's packages, installed for the CI tests)


def both(text: str, file: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Document, Document]:
    fast = load_text(text, file, json_like=file.endswith(".json"))
    with monkeypatch.context() as m:
        m.setattr(load, "_compose_fast", lambda text, lines: None)
        slow = load_text(text, file, json_like=file.endswith(".json"))
    return fast, slow


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_same_document_both_ways(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    fast, slow = both(text, path.name, monkeypatch)
    assert (fast.root, fast.diagnostics) == (slow.root, slow.diagnostics)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="ab:- \n[]{},'\"#\t|>?!0.1yn~", max_size=60))
def test_same_document_for_odd_yaml(text: str) -> None:
    mp = pytest.MonkeyPatch()
    try:
        fast, slow = both(text, "x.yaml", mp)
    finally:
        mp.undo()
    assert (fast.root, fast.diagnostics) == (slow.root, slow.diagnostics)


def test_deep_or_aliased_text_is_left_to_the_event_loop() -> None:
    deep = "a: " + "[" * 3000 + "]" * 3000 + "\n"
    assert load._compose_fast(deep, LineTable(deep)) is None
    aliased = "a: &x [1]\nb: *x\n"
    assert load._compose_fast(aliased, LineTable(aliased)) is None
    ok = "a: [1, {b: c}]\n"
    assert load._compose_fast(ok, LineTable(ok)) is not None


@given(st.text(alphabet="ab\n\r ", max_size=40))
def test_line_starts_are_the_line_breaks_own(text: str) -> None:
    # LineTable splits in C when there is no \r; both ways must agree.
    expected = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    assert LineTable(text).starts == expected
    assert LineTable(text.replace("\r", "")).starts == \
        [0] + [m.end() for m in re.finditer(r"\n", text.replace("\r", ""))]


def by_table(text: str, file: str) -> Document:
    """The document with every position from our line table (libyaml's marks not trusted)."""
    mp = pytest.MonkeyPatch()
    try:
        mp.setattr(load, "_MARKS_DIFFER", re.compile(""))  # matches every text
        return load_text(text, file, json_like=file.endswith(".json"))
    finally:
        mp.undo()


@pytest.mark.parametrize("path", FILES[::7], ids=lambda p: str(p.relative_to(ROOT)))
def test_libyaml_marks_give_the_line_tables_positions(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    marks = load_text(text, path.name, json_like=path.name.endswith(".json"))
    assert (marks.root, marks.diagnostics) == (by_table(text, path.name).root,
                                               by_table(text, path.name).diagnostics)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab:- \n\r\t[]{},'\"#|>&*é😀\u2028\x85\ufeff", max_size=60))
@example("-")  # no final line break: libyaml ends the stream on a line of its own
@example("a: [1,\r 2]\r\nb: é\r")
def test_marks_and_line_table_agree_on_odd_text(text: str) -> None:
    # \r and \r\n are line breaks for both; U+2028, U+0085 and a BOM are not ours, so a
    # text holding one must fall back to the table (else a node after it moves a line).
    marks = load_text(text, "x.yaml")
    table = by_table(text, "x.yaml")
    assert (marks.root, marks.diagnostics) == (table.root, table.diagnostics)


def test_a_line_separator_does_not_move_later_nodes() -> None:
    doc = load_text("a: 'x\u2028y'\nb: 1\n", "x.yaml")
    assert doc.root is not None and doc.root.get("b").span[1:3] == (2, 4)  # type: ignore[union-attr]
