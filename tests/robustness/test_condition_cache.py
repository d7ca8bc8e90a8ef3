"""A condition parsed once is moved to every place its text occurs (frontend/condition_node.py):
the moved IR, spans included, and the findings are those of parsing it in place."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowdsl import ir
from flowdsl.frontend import condition_node
from flowdsl.frontend.condition_node import read_condition
from flowdsl.frontend.load import YMap, YScalar, load_text
from flowdsl.frontend.nodes import Reader
from tests.core.test_condition_scan import condition


def read(text: str, cached: bool) -> tuple[ir.Condition | None, list[tuple[str, int, int]]]:
    doc = load_text(text, "c.flow.yaml")
    assert isinstance(doc.root, YMap)
    node = doc.root.get("if")
    assert isinstance(node, YScalar)
    r = Reader(doc)
    mp = pytest.MonkeyPatch()
    try:
        if not cached:
            mp.setattr(condition_node, "_placed", lambda text: None)
        cond = read_condition(r, node, "s")
    finally:
        mp.undo()
    return cond, [(d.rule, d.span.line, d.span.column) for d in r.diagnostics]


# The same condition at several places and in each quoting where YAML keeps it verbatim.
def placements(cond: str) -> list[str]:
    out = [f'x: 1\nif: "{cond}"\n', f"if:    '{cond}'\n", f"\n\nif: {cond}\n"]
    return out


@settings(max_examples=300, deadline=None)
@given(condition(), st.integers(0, 2))
def test_moved_condition_is_the_one_parsed_in_place(cond: str, which: int) -> None:
    if any(c in cond for c in "\n\r\\\"'#:") or cond != cond.strip():
        return  # not verbatim in every placement (the cache is not used there anyway)
    text = placements(cond)[which]
    doc = load_text(text, "c.flow.yaml")
    if doc.root is None or not isinstance(doc.root, YMap) or not isinstance(doc.root.get("if"), YScalar):
        return
    for _ in range(2):  # the second read comes from the cache
        assert read(text, cached=True) == read(text, cached=False), text


def test_the_cache_is_used_for_a_repeated_condition() -> None:
    text = 'if: "$.a.b == 1 and not $.c.d exists"\n'
    first, _ = read(text, cached=True)
    assert "$.a.b == 1 and not $.c.d exists" in condition_node._PLACED
    moved, _ = read("\n   \n" + text, cached=True)
    assert isinstance(first, ir.AllOf) and isinstance(moved, ir.AllOf)
    assert moved.span.line == first.span.line + 2
    assert (moved.span.column, moved.span.end_column) == (first.span.column, first.span.end_column)


def test_a_broken_condition_is_reported_in_place_every_time() -> None:
    for prefix in ("", "\n"):
        cond, found = read(prefix + 'if: "$.a.b == "\n', cached=True)
        assert cond is None and found and found[0][0] == "condition-syntax"
        assert found[0][1] == 1 + len(prefix)
