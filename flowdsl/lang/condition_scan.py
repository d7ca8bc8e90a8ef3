"""A hand-written parser for well-formed conditions, giving the IR the lark grammar gives
(``grammars/condition.lark`` through :mod:`flowdsl.lang.condition_grammar`), spans included.

It answers only when the whole text is tokens it knows, in an order the grammar accepts;
anything else (every error included) returns None and lark decides, with its messages. So a
flow whose conditions are well formed never imports lark (~25 ms).
tests/core/test_condition_scan.py checks that both give the same IR wherever this answers.

How the grammar lexes, and how this scanner matches it:
- whitespace is `` \\t\\f\\r\\n``; any other character outside a string that starts none of
  the tokens below (every non-ASCII one included) is left to lark, so the grammar's
  Unicode-aware ``\\b`` and ``\\d`` always end a token where the ASCII patterns here do;
- a word is a maximal ``[A-Za-z0-9_]`` run, and must be a keyword or a named operator;
- ``not-in``, ``not-exists``, ``is-null``, ``is-not-null`` are tokens of their own;
- the reference, string and number patterns are the grammar's (numbers ASCII-only).
"""

from __future__ import annotations

import re
from functools import lru_cache

from flowdsl import ir
from flowdsl.lang.conditions import (BINARY_TEXT, Locate, _string_literal, op_span_after, parse_ref,
                                     span_between)
from flowdsl.spans import Span

_WS = " \t\f\r\n"
_REF = re.compile(r"\$(\.[A-Za-z0-9_][A-Za-z0-9_\-]*)+")
_STRING = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")
_NUMBER = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_WORD = re.compile(r"[A-Za-z0-9_]+")
_HYPHENATED = (("is-not-null", "IS_NOT_NULL"), ("not-exists", "NOT_EXISTS"), ("not-in", "NOT_IN"),
               ("is-null", "IS_NULL"))
_SYMBOLS = ("==", "!=", ">=", "<=", ">", "<")
_NAMED_BINOPS = frozenset(("eq", "matches", "equals", "not_equals", "greater_than_or_equal",
                           "less_than_or_equal", "greater_than", "less_than", "string_equals",
                           "string_matches"))
_KEYWORDS = {"and": "AND", "or": "OR", "not": "NOT", "in": "IN", "exists": "EXISTS", "is": "IS",
             "null": "NULL", "true": "TRUE", "false": "FALSE", "not_in": "LIST_NAME",
             "is_not_null": "UNARY_NAME", "is_null": "UNARY_NAME", "not_exists": "UNARY_NAME"}

Token = tuple[str, int, str]  # kind, offset, text


class _Unsure(Exception):
    """Not a shape this scanner answers for: lark decides."""


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[Token, ...] | None:
    out: list[Token] = []
    pos, n = 0, len(text)
    while pos < n:
        ch = text[pos]
        if ch in _WS:
            pos += 1
            continue
        if ch in "()[],":
            out.append((ch, pos, ch))
            pos += 1
            continue
        m: re.Match[str] | None
        if ch == "$":
            m = _REF.match(text, pos)
            kind = "REF"
        elif ch in "\"'":
            m = _STRING.match(text, pos)
            kind = "STRING"
        elif ch == "-" or ch == "." or "0" <= ch <= "9":
            m = _NUMBER.match(text, pos)
            kind = "NUMBER"
        elif ch in "=!<>":
            sym = next((s for s in _SYMBOLS if text.startswith(s, pos)), None)
            if sym is None:
                return None
            out.append(("BINOP", pos, sym))
            pos += len(sym)
            continue
        elif "a" <= ch <= "z" or "A" <= ch <= "Z" or ch == "_":
            hyphen = next((h for h in _HYPHENATED if text.startswith(h[0], pos)), None)
            if hyphen is not None:
                out.append((hyphen[1], pos, hyphen[0]))
                pos += len(hyphen[0])
                continue
            m = _WORD.match(text, pos)
            assert m is not None
            word = m.group(0)
            kind = "BINOP" if word in _NAMED_BINOPS else _KEYWORDS.get(word, "")
            if not kind:
                return None
        else:
            return None
        if m is None:
            return None
        out.append((kind, pos, m.group(0)))
        pos = m.end()
    return tuple(out)


class _Parser:
    """Recursive descent over the grammar's rules, building what its transformer builds."""

    def __init__(self, tokens: tuple[Token, ...], locate: Locate) -> None:
        self.toks = tokens
        self.i = 0
        self.locate = locate

    def peek(self) -> str:
        return self.toks[self.i][0] if self.i < len(self.toks) else "$END"

    def take(self, kind: str) -> Token:
        if self.peek() != kind:
            raise _Unsure
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def tok_span(self, tok: Token) -> Span:
        return self.locate(tok[1], len(tok[2]))

    def last_end(self) -> int:
        tok = self.toks[self.i - 1]
        return tok[1] + len(tok[2])

    # ?or_expr: and_expr (_OR and_expr)* -> any_of
    def or_expr(self) -> ir.Condition:
        items = [self.and_expr()]
        while self.peek() == "OR":
            self.i += 1
            items.append(self.and_expr())
        return ir.AnyOf(tuple(items), span_between(items[0], items[-1])) if len(items) > 1 else items[0]

    def and_expr(self) -> ir.Condition:
        items = [self.not_expr()]
        while self.peek() == "AND":
            self.i += 1
            items.append(self.not_expr())
        return ir.AllOf(tuple(items), span_between(items[0], items[-1])) if len(items) > 1 else items[0]

    # ?not_expr: _NOT not_expr -> negate | atom; the span runs to the operand's last token
    # (its closing parenthesis included), as lark's propagated positions do.
    def not_expr(self) -> ir.Condition:
        if self.peek() == "NOT":
            start = self.take("NOT")[1]
            item = self.not_expr()
            return ir.Not(item, self.locate(start, self.last_end() - start))
        if self.peek() == "(":
            self.i += 1
            inner = self.or_expr()
            self.take(")")
            return inner
        return self.comparison()

    def comparison(self) -> ir.Compare:
        ref_tok = self.take("REF")
        ref_span = self.tok_span(ref_tok)
        ref = parse_ref(ref_tok[2], ref_span)
        if ref is None:
            raise _Unsure
        kind = self.peek()
        op_tok = self.toks[self.i] if kind != "$END" else None
        op: str
        value: ir.Value | None = None
        if kind == "BINOP":
            self.i += 1
            assert op_tok is not None
            op, op_span, value = BINARY_TEXT.get(op_tok[2], op_tok[2]), self.tok_span(op_tok), self.value()
        elif kind == "IN" or kind == "NOT_IN":
            self.i += 1
            op, op_span, value = ("in" if kind == "IN" else "not_in"), op_span_after(ref_span, ref_span), self.list()
        elif kind == "LIST_NAME":
            self.i += 1
            assert op_tok is not None
            op, op_span, value = "not_in", self.tok_span(op_tok), self.list()
        elif kind == "NOT":
            self.i += 1
            if self.peek() == "IN":
                self.i += 1
                op, op_span, value = "not_in", op_span_after(ref_span, ref_span), self.list()
            else:
                self.take("EXISTS")
                op, op_span = "not_exists", ref_span
        elif kind == "EXISTS":
            self.i += 1
            op, op_span = "exists", ref_span
        elif kind == "IS":
            self.i += 1
            op = "is_null"
            if self.peek() == "NOT":
                self.i += 1
                op = "is_not_null"
            self.take("NULL")
            op_span = ref_span
        elif kind in ("NOT_EXISTS", "IS_NULL", "IS_NOT_NULL"):
            self.i += 1
            assert op_tok is not None
            op, op_span = kind.lower(), self.tok_span(op_tok)
        elif kind == "UNARY_NAME":
            self.i += 1
            assert op_tok is not None
            op, op_span = op_tok[2], self.tok_span(op_tok)
        else:
            raise _Unsure
        end = value.span if value is not None else op_span
        return ir.Compare(ref_tok[2], ref, op, value, span_between(ref.span, end), op_span)

    def value(self) -> ir.Value:
        kind = self.peek()
        if kind == "[":
            return self.list()
        tok = self.take(kind) if kind in ("STRING", "NUMBER", "TRUE", "FALSE", "NULL") else None
        if tok is None:
            raise _Unsure
        span = self.tok_span(tok)
        if kind == "STRING":
            try:
                return ir.Scalar(_string_literal(tok[2]), span)
            except Exception:  # lark reports the bad escape  # noqa: BLE001
                raise _Unsure from None
        if kind == "NUMBER":
            text = tok[2]
            return ir.Scalar(float(text) if any(c in text for c in ".eE") else int(text), span)
        return ir.Scalar({"TRUE": True, "FALSE": False, "NULL": None}[kind], span)

    def list(self) -> ir.ListValue:
        start = self.take("[")[1]
        items: list[ir.Value] = []
        if self.peek() != "]":
            items.append(self.value())
            while self.peek() == ",":
                self.i += 1
                items.append(self.value())
        self.take("]")
        return ir.ListValue(tuple(items), self.locate(start, self.last_end() - start))


def quick_parse(text: str, locate: Locate) -> ir.Condition | None:
    """The grammar's IR for ``text``, or None when lark must parse it (or explain it)."""
    tokens = _tokens(text)
    if not tokens:
        return None
    parser = _Parser(tokens, locate)
    try:
        result = parser.or_expr()
    except (_Unsure, RecursionError):
        return None
    return result if parser.i == len(tokens) else None
