"""The lark side of the condition language: the grammar's tree -> IR, and the messages for
text the grammar rejects. Imported only for conditions the fast path
(:mod:`flowdsl.lang.condition_scan`) leaves: lark costs ~25 ms to import."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, List

from lark import Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from flowdsl import ir
from flowdsl.lang.conditions import (BINARY_TEXT, ConditionSyntaxError, Locate, _string_literal,
                                     op_span_after, parse_ref, span_between)
from flowdsl.lang.grammar_loader import grammar
from flowdsl.spans import Span


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
        return span_between(first, last)

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
        return op_span_after(ref_span, end)

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


def parse_with_grammar(text: str, locate: Locate) -> ir.Condition:
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
