"""The condition language: text -> IR (via ``grammars/condition.lark``), IR -> text, IR -> JSON.

The text form is what people write in ``if:``; the JSON form is the engine's tree. Both map
onto the same IR (:class:`flowdsl.ir.Compare`, ``AllOf``, ``AnyOf``, ``Not``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from flowdsl import ir
from flowdsl.spans import Span

# text operator -> engine operator
BINARY_TEXT: dict[str, str] = {
    "==": "equals", "!=": "not_equals", ">": "greater_than", "<": "less_than",
    ">=": "greater_than_or_equal", "<=": "less_than_or_equal", "eq": "string_equals",
    "matches": "string_matches",
}
# engine operator -> canonical text operator
TEXT_OF: dict[str, str] = {v: k for k, v in BINARY_TEXT.items()} | {
    "in": "in", "not_in": "not in", "exists": "exists", "not_exists": "not exists",
    "is_null": "is null", "is_not_null": "is not null",
}

Locate = Callable[[int, int], Span]

# Nesting of a condition (parentheses, list brackets and chained `not`s). Checked by a linear
# scan before lark builds a tree that every later stage walks recursively.
MAX_CONDITION_DEPTH = 128

_WORD_OR_STRING = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|[A-Za-z_$][A-Za-z0-9_.$\-]*")


class ConditionSyntaxError(Exception):
    def __init__(self, message: str, offset: int, length: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.length = length


def parse_ref(text: str, span: Span) -> ir.Ref | None:
    """``$.a.b`` -> Ref, or None when ``text`` is not a ``$.`` reference."""
    if not text.startswith("$.") or len(text) < 3:
        return None
    parts = text[2:].split(".")
    if not all(p and all(c.isalnum() or c in "_-" for c in p) for p in parts):
        return None
    return ir.Ref(parts[0], tuple(parts[1:]), span, "condition")


def _string_literal(raw: str) -> str:
    if raw.startswith("'"):
        body = raw[1:-1].replace("\\'", "'").replace('"', '\\"')
        raw = '"' + body + '"'
    value = json.loads(raw)
    assert isinstance(value, str)
    return value


def nesting_problem(text: str) -> ConditionSyntaxError | None:
    """The place where ``text`` nests deeper than :data:`MAX_CONDITION_DEPTH`, found without
    recursion: open brackets plus the ``not``s that wait for their operand."""
    depth, nots, pos = 0, 0, 0
    n = len(text)
    while pos < n:
        ch = text[pos]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(depth - 1, 0)
        elif ch in "\"'$" or ch.isalpha() or ch == "_":
            m = _WORD_OR_STRING.match(text, pos)
            if m is not None:
                if m.group(0) == "not":
                    nots += 1
                elif ch == "$":
                    nots = 0  # a comparison: the pending `not`s have their operand
                pos = m.end()
                if depth + nots > MAX_CONDITION_DEPTH:
                    return ConditionSyntaxError(
                        f"the condition nests more than {MAX_CONDITION_DEPTH} levels deep "
                        "(parentheses, lists and `not`s)", m.start(), m.end() - m.start())
                continue
        if depth + nots > MAX_CONDITION_DEPTH:
            return ConditionSyntaxError(f"the condition nests more than {MAX_CONDITION_DEPTH} levels "
                                        "deep (parentheses, lists and `not`s)", pos, 1)
        pos += 1
    return None


def span_between(first: Any, last: Any) -> Span:
    """From the start of ``first`` to the end of ``last`` (spans, or nodes with a span)."""
    a = first if isinstance(first, Span) else getattr(first, "span", None)
    b = last if isinstance(last, Span) else getattr(last, "span", None)
    if a is None or b is None:
        return a or b  # type: ignore[return-value]
    return Span(a.file, a.line, a.column, b.end_line, b.end_column)


def op_span_after(ref_span: Span, end: Span) -> Span:
    """The operator span of `in`/`not in`: just past the reference, up to ``end``."""
    return Span(ref_span.file, ref_span.line, ref_span.end_column + 1, end.end_line, end.end_column)


def parse_text(text: str, locate: Locate) -> ir.Condition:
    """Parse condition text. Raises :class:`ConditionSyntaxError` with an offset.

    The common well-formed shapes are parsed by a hand scanner that gives the grammar's IR
    (tests/core/test_condition_scan.py compares the two); lark parses everything else and
    explains every error."""
    too_deep = nesting_problem(text)
    if too_deep is not None:
        raise too_deep
    from flowdsl.lang.condition_scan import quick_parse

    quick = quick_parse(text, locate)
    if quick is not None:
        return quick
    from flowdsl.lang.condition_grammar import parse_with_grammar

    return parse_with_grammar(text, locate)


# ------------------------------------------------------------------------ output


def value_to_text(value: ir.Value) -> str:
    return json.dumps(value.to_python(), ensure_ascii=False)


def _has_map(value: ir.Value | None) -> bool:
    if isinstance(value, ir.MapValue):
        return True
    if isinstance(value, ir.ListValue):
        return any(_has_map(v) for v in value.items)
    return False


def expressible_as_text(cond: ir.Condition) -> bool:
    """Whether the text form can say this condition exactly (else the JSON tree is printed)."""
    if isinstance(cond, ir.Compare):
        if cond.ref is None or cond.operator not in TEXT_OF or _has_map(cond.value):
            return False
        if cond.operator in ir.UNARY_OPERATORS:
            return cond.value is None
        if cond.value is None:
            return False
        if cond.operator in ir.LIST_OPERATORS:
            return isinstance(cond.value, ir.ListValue)
        return True
    if isinstance(cond, ir.Not):
        return expressible_as_text(cond.item)
    return bool(cond.items) and all(expressible_as_text(c) for c in cond.items)


def to_text(cond: ir.Condition) -> str:
    if isinstance(cond, ir.Compare):
        op = TEXT_OF[cond.operator]
        head = f"$.{cond.ref.dotted()}" if cond.ref is not None else cond.expression
        return f"{head} {op}" if cond.value is None else f"{head} {op} {value_to_text(cond.value)}"
    if isinstance(cond, ir.Not):
        inner = to_text(cond.item)
        return f"not {inner}" if isinstance(cond.item, (ir.Compare, ir.Not)) else f"not ({inner})"
    joiner = " and " if isinstance(cond, ir.AllOf) else " or "
    parts = []
    for c in cond.items:
        t = to_text(c)
        # `and` binds tighter than `or`; nested groups of the same kind keep their parens
        # so that the tree shape survives text -> tree -> text.
        if isinstance(c, (ir.AllOf, ir.AnyOf)):
            t = f"({t})"
        parts.append(t)
    return joiner.join(parts)


def to_json(cond: ir.Condition) -> dict[str, Any]:
    if isinstance(cond, ir.Compare):
        out: dict[str, Any] = {"expression": cond.expression, "operator": cond.operator}
        if cond.value is not None:
            out["value"] = cond.value.to_python()
        return out
    if isinstance(cond, ir.Not):
        return {"not": to_json(cond.item)}
    key = "and" if isinstance(cond, ir.AllOf) else "or"
    return {key: [to_json(c) for c in cond.items]}


def shape(cond: ir.Condition) -> Any:
    """The condition without positions: for equality in tests and round trips."""
    return to_json(cond)
