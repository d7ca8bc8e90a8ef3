"""JSON files are read by the C json module and one token scan (frontend/json_nodes.py), not
composed as YAML. Both readers must give the same nodes, spans and findings wherever YAML
1.1 reads a value as JSON does; everything the fast reader declines goes to the YAML path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowdsl.frontend import json_nodes
from flowdsl.frontend.load import MAX_DEPTH, Document, LineTable, YScalar, load_text

ROOT = Path(__file__).resolve().parents[2]
JSON_FILES = sorted(p for d in ("tests", "examples") for p in (ROOT / d).rglob("*.json")
                    if p.stat().st_size < 200_000 and "node_modules" not in p.parts)


def both(text: str) -> tuple[Document, Document]:
    fast = load_text(text, "x.json", json_like=True)
    mp = pytest.MonkeyPatch()
    try:
        mp.setattr(json_nodes, "read_json", lambda text, file, lines: None)
        slow = load_text(text, "x.json", json_like=True)
    finally:
        mp.undo()
    return fast, slow


def same(text: str) -> None:
    fast, slow = both(text)
    assert (fast.root, fast.diagnostics) == (slow.root, slow.diagnostics)
    assert fast.text == text  # (the YAML path keeps its tab-free copy when it rewrites escapes)


@pytest.mark.parametrize("path", JSON_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_json_file_reads_the_same_both_ways(path: Path) -> None:
    same(path.read_text(encoding="utf-8", errors="replace"))


def test_the_fast_reader_is_the_one_used_for_valid_json() -> None:
    text = '{"steps": [{"id": "a", "pass": 1}]}'
    assert json_nodes.read_json(text, "x.json", LineTable(text)) is not None


# Values YAML 1.1 reads as JSON does: floats with a dot and no exponent (YAML 1.1 reads
# `1e+16` as text), strings of BMP characters (surrogate pairs are rewritten for YAML,
# which moves columns).
_FLOATS = st.floats(allow_nan=False, allow_infinity=False).filter(
    lambda f: "e" not in repr(f) and "." in repr(f))
_TEXT = st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs",)), max_size=12)
_SCALARS = st.none() | st.booleans() | st.integers() | _FLOATS | _TEXT
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(_TEXT, inner, max_size=4), max_leaves=25)


@settings(max_examples=200, deadline=None)
@given(_VALUES, st.sampled_from([None, 0, 2, "\t"]), st.booleans())
def test_same_nodes_and_spans_as_the_yaml_path(value: Any, indent: Any, ascii_only: bool) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    if not ascii_only and any(not ch.isprintable() and ch not in "\n" for ch in text):
        return  # raw control characters: YAML refuses what JSON allows; covered below
    same(text)


def test_duplicate_keys_are_one_finding_at_the_second() -> None:
    text = '{\n  "steps": [],\n  "steps": []\n}\n'
    fast, slow = both(text)
    assert [(d.rule, d.span.line, d.span.column) for d in fast.diagnostics] == [("yaml-syntax", 3, 3)]
    assert fast.diagnostics == slow.diagnostics


def test_exponents_are_numbers_as_json_says() -> None:
    # YAML 1.1 reads 1e5 as the text "1e5"; a JSON file means the number.
    doc = load_text('{"a": 1e5, "b": -2E-3, "c": 10}', "x.json", json_like=True)
    values = [v.value for _, v in doc.root.items]  # type: ignore[union-attr]
    assert values == [100000.0, -0.002, 10]
    assert [type(v) for v in values] == [float, float, int]


@pytest.mark.parametrize("text", [
    '{"a": NaN}',  # not finite
    '{"a": 1e400}',  # not finite once read
    "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5),  # beyond the nesting limit
    "",  # empty
])
def test_what_the_fast_reader_declines_goes_to_the_yaml_path(text: str) -> None:
    fast, slow = both(text)
    assert (fast.root, fast.diagnostics) == (slow.root, slow.diagnostics)


def test_nesting_beyond_the_limit_is_the_yaml_paths_one_finding() -> None:
    text = '{"a": ' + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "}"
    doc = load_text(text, "x.json", json_like=True)
    assert doc.root is None
    assert [d.rule for d in doc.diagnostics] == ["limit"]


def test_positions_of_escaped_strings_cover_the_quotes() -> None:
    text = '{\n  "k": "a\\"b\\u00e9"\n}'
    doc = load_text(text, "x.json", json_like=True)
    key, value = doc.root.items[0]  # type: ignore[union-attr]
    assert isinstance(value, YScalar) and value.value == 'a"bé'
    assert (value.span.line, value.span.column, value.span.end_column) == (2, 8, 20)
    assert text[value.start:value.end] == '"a\\"b\\u00e9"'


def test_surrogate_pairs_keep_the_files_own_columns() -> None:
    # The YAML path rewrites the pair as one YAML escape (2 characters shorter); the fast
    # reader keeps the file's text, so the span ends where the string does.
    text = '{"a": "\\ud83d\\ude00", "b": 1}'
    doc = load_text(text, "x.json", json_like=True)
    assert doc.text == text
    (_, a), (_, b) = doc.root.items  # type: ignore[union-attr]
    assert a.value == "\U0001F600"
    assert (a.span.column, a.span.end_column, b.span.column) == (7, 21, 28)


def test_a_lone_surrogate_in_text_is_a_finding_not_an_exception() -> None:
    from flowdsl.check.run import Project, analyze

    found = analyze('{"steps": [{"id": "a", "pass": "\ud83d"}]}', Project.bundled(),
                    file="x.json").diagnostics
    assert [(d.rule, d.span.line) for d in found] == [("yaml-syntax", 1)]
    assert "not UTF-8" in found[0].message


@pytest.mark.parametrize(("text", "line", "column", "reason"), [
    ('{"steps": [\n  {"id": "a", "pass": 1},\n]}', 2, 25, "a trailing comma"),
    ('{\n  # a note\n  "steps": []\n}', 2, 3, "Expecting property name"),
    ("{'steps': []}", 1, 2, "Expecting property name"),
    ('{"steps": [], name: "x"}', 1, 15, "Expecting property name"),
])
def test_what_only_yaml_reads_is_one_finding_where_json_stops(text: str, line: int, column: int,
                                                              reason: str) -> None:
    fast, slow = both(text)
    assert fast.root == slow.root and fast.root is not None  # still read, and checked
    found = [(d.rule, d.span.line, d.span.column) for d in fast.diagnostics]
    assert found == [("yaml-syntax", line, column)]
    assert fast.diagnostics[0].message.startswith("not valid JSON: " + reason)


def test_text_neither_reads_is_the_yaml_finding_alone() -> None:
    fast, _ = both('{"steps": [{"id": "a" "pass": 1}]}')
    assert [d.message.startswith("not valid JSON") for d in fast.diagnostics] == [False]
