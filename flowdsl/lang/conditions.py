"""The condition language: text -> IR (via ``grammars/condition.lark``), IR -> text, IR -> JSON.

The text form is what people write in ``if:``; the JSON form is the engine's tree. Both map
onto the same IR (:class:`flowdsl.ir.Compare`, ``AllOf``, ``AnyOf``, ``Not``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, List

from lark import Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from flowdsl import ir
from flowdsl.lang.grammar_loader import grammar
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


class _Build(Transformer):  # type: ignore[type-arg]
    """Grammar rule names -> IR nodes. Spans come from token offsets via ``locate``."""

    def __init__(self, locate: Locate) -> None:
        super().__init__()
        self.locate = locate

    def _tok_span(self, tok: Token) -> Span:
        return self.locate(tok.start_pos or 0, len(tok))

    def _ref(self, tok: Token) -> ir.Ref:
        ref = parse_ref(str(tok), self._tok_span(tok))
        assert ref is not None  # the REF terminal guarantees the shape
        return ref

    def _span_of(self, first: Any, last: Any) -> Span:
        a = first if isinstance(first, Span) else getattr(first, "span", None)
        b = last if isinstance(last, Span) else getattr(last, "span", None)
        if a is None or b is None:
            return a or b  # type: ignore[return-value]
        return Span(a.file, a.line, a.column, b.end_line, b.end_column)

    # values ------------------------------------------------------------------
    @v_args(inline=True)
    def string(self, tok: Token) -> ir.Scalar:
        return ir.Scalar(_string_literal(str(tok)), self._tok_span(tok))

    @v_args(inline=True)
    def number(self, tok: Token) -> ir.Scalar:
        text = str(tok)
        value: int | float = float(text) if any(c in text for c in ".eE") else int(text)
        return ir.Scalar(value, self._tok_span(tok))

    @v_args(meta=True)
    def true(self, meta: Any, _: List[Any]) -> ir.Scalar:
        return ir.Scalar(True, self.locate(meta.start_pos, meta.end_pos - meta.start_pos))

    @v_args(meta=True)
    def false(self, meta: Any, _: List[Any]) -> ir.Scalar:
        return ir.Scalar(False, self.locate(meta.start_pos, meta.end_pos - meta.start_pos))

    @v_args(meta=True)
    def null(self, meta: Any, _: List[Any]) -> ir.Scalar:
        return ir.Scalar(None, self.locate(meta.start_pos, meta.end_pos - meta.start_pos))

    @v_args(meta=True)
    def list(self, meta: Any, items: List[Any]) -> ir.ListValue:
        return ir.ListValue(tuple(i for i in items if i is not None),
                            self.locate(meta.start_pos, meta.end_pos - meta.start_pos))

    # comparisons -----------------------------------------------------------
    def _cmp(self, ref_tok: Token, op: str, op_span: Span, value: ir.Value | None) -> ir.Compare:
        ref = self._ref(ref_tok)
        end = value.span if value is not None else op_span
        return ir.Compare(str(ref_tok), ref, op, value, self._span_of(ref.span, end), op_span)

    def binary(self, c: List[Any]) -> ir.Compare:
        ref_tok, op_tok, value = c
        op = BINARY_TEXT.get(str(op_tok), str(op_tok))
        return self._cmp(ref_tok, op, self._tok_span(op_tok), value)

    def _op_span_after(self, ref_tok: Token, last: Any) -> Span:
        ref_span = self._tok_span(ref_tok)
        end = last.span if hasattr(last, "span") else self._tok_span(last) if isinstance(last, Token) else ref_span
        return Span(ref_span.file, ref_span.line, ref_span.end_column + 1, end.end_line, end.end_column)

    def in_list(self, c: List[Any]) -> ir.Compare:
        return self._cmp(c[0], "in", self._op_span_after(c[0], c[0]), c[-1])

    def not_in_list(self, c: List[Any]) -> ir.Compare:
        return self._cmp(c[0], "not_in", self._op_span_after(c[0], c[0]), c[-1])

    def list_named(self, c: List[Any]) -> ir.Compare:
        return self._cmp(c[0], "not_in", self._tok_span(c[1]), c[-1])

    def _unary(self, c: List[Any], op: str) -> ir.Compare:
        last = c[-1] if len(c) > 1 else c[0]
        op_span = self._tok_span(last) if isinstance(last, Token) and last is not c[0] else self._tok_span(c[0])
        return self._cmp(c[0], op, op_span, None)

    def exists(self, c: List[Any]) -> ir.Compare:
        return self._unary(c, "exists")

    def not_exists(self, c: List[Any]) -> ir.Compare:
        return self._unary(c, "not_exists")

    def is_null(self, c: List[Any]) -> ir.Compare:
        return self._unary(c, "is_null")

    def is_not_null(self, c: List[Any]) -> ir.Compare:
        return self._unary(c, "is_not_null")

    def unary_named(self, c: List[Any]) -> ir.Compare:
        return self._cmp(c[0], str(c[1]), self._tok_span(c[1]), None)

    # logic -----------------------------------------------------------------
    def any_of(self, items: List[Any]) -> ir.Condition:
        return ir.AnyOf(tuple(items), self._span_of(items[0], items[-1])) if len(items) > 1 else items[0]

    def all_of(self, items: List[Any]) -> ir.Condition:
        return ir.AllOf(tuple(items), self._span_of(items[0], items[-1])) if len(items) > 1 else items[0]

    @v_args(meta=True)
    def negate(self, meta: Any, items: List[Any]) -> ir.Not:
        return ir.Not(items[0], self.locate(meta.start_pos, meta.end_pos - meta.start_pos))


@lru_cache(maxsize=4096)
def _tree(text: str) -> Tree:
    # Position-independent, so shared by every occurrence of the same condition text.
    return grammar("condition").parse(text)


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


def parse_text(text: str, locate: Locate) -> ir.Condition:
    """Parse condition text. Raises :class:`ConditionSyntaxError` with an offset."""
    too_deep = nesting_problem(text)
    if too_deep is not None:
        raise too_deep
    try:
        tree = _tree(text)
        result = _Build(locate).transform(tree)
    except UnexpectedInput as exc:
        raise _explain(text, exc) from None
    except VisitError as exc:
        raise ConditionSyntaxError(f"invalid value: {exc.orig_exc}", 0, len(text)) from None
    assert isinstance(result, (ir.Compare, ir.AllOf, ir.AnyOf, ir.Not))
    return result


_EXPECTS = ("a comparison such as `$.step.primary matches \".mp4\"`, `$.inputs.n >= 3` "
            "or `$.x exists`")


def _explain(text: str, exc: UnexpectedInput) -> ConditionSyntaxError:
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        if text.count("(") > text.count(")"):
            return ConditionSyntaxError("'(' is never closed", text.rfind("("), 1)
        return ConditionSyntaxError(f"the condition ends too early: expected {_EXPECTS}",
                                    max(len(text.rstrip()) - 1, 0), 1)
    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        at = tok.start_pos or 0
        if tok.type in ("BINOP", "_IN", "_EXISTS", "_IS", "NOT_IN", "IS_NULL") and not text[:at].strip():
            return ConditionSyntaxError(
                "a comparison must start with a `$.` reference such as $.inputs.x", at, len(tok))
        expected = sorted(exc.expected)
        if "REF" in expected and len(expected) <= 3:
            return ConditionSyntaxError(f"expected a `$.` reference, found {str(tok)!r}", at, len(tok))
        if "BINOP" in expected:
            return ConditionSyntaxError(
                f"expected an operator after the reference (== != > < >= <= eq matches in "
                f"not in exists is null ...), found {str(tok)!r}", at, len(tok))
        return ConditionSyntaxError(f"unexpected {str(tok)!r}: expected {_EXPECTS}", at, len(tok))
    if isinstance(exc, UnexpectedCharacters):
        at = exc.pos_in_stream or 0
        ch = text[at] if at < len(text) else ""
        if ch == "$" or text[at:at + 1].isalpha() and text[max(at - 2, 0):at] == "$.":
            return ConditionSyntaxError("a reference is `$.` then dot-separated names, like $.step.primary",
                                        at, 1)
        if ch.isalpha() or ch == "_":
            word = ""
            for c in text[at:]:
                if not (c.isalnum() or c in "_-"):
                    break
                word += c
            if text[:at].rstrip().endswith(("==", "!=", ">", "<", "=", "eq", "matches", "[", ",")):
                return ConditionSyntaxError(
                    f"unexpected word {word!r}: string values need quotes (\"{word}\"), or use "
                    "true, false, null or a number", at, len(word))
            if not text[:at].strip() or text[:at].rstrip().endswith(("(", "and", "or", "not")):
                return ConditionSyntaxError(
                    f"unexpected word {word!r}: a reference starts with `$.` (e.g. $.{word})",
                    at, len(word))
            return ConditionSyntaxError(f"unknown word {word!r} in condition", at, len(word))
        if ch == "=":
            return ConditionSyntaxError("'=' is not an operator: use '==' to compare", at, 1)
        return ConditionSyntaxError(f"unexpected character {ch!r} in condition", at, 1)
    return ConditionSyntaxError("invalid condition", 0, len(text))


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
