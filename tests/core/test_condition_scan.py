"""The fast paths of the condition and template languages give lark's answer wherever they
answer: the hand parser (lang/condition_scan.py) builds the same IR, spans included, as the
grammar's transformer (lang/condition_grammar.py); the template regex (lang/templates.py)
splits text as the template grammar does."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from flowdsl import ir
from flowdsl.lang.condition_grammar import parse_with_grammar
from flowdsl.lang.condition_scan import quick_parse
from flowdsl.lang.conditions import ConditionSyntaxError
from flowdsl.lang.templates import _scan_with_grammar, scan
from flowdsl.spans import Span


def locate(offset: int, length: int) -> Span:
    # Every offset gives a different span, so a span built from the wrong token shows.
    return Span("c", 1, offset + 1, 1, offset + 1 + max(length, 1))


def grammar_result(text: str) -> ir.Condition | None:
    try:
        return parse_with_grammar(text, locate)
    except ConditionSyntaxError:
        return None


WS = st.sampled_from(["", " ", "  ", "\t", "\n", " \r\n "])
NAME = st.text("abcXYZ019_-", min_size=1, max_size=4).filter(lambda s: s[0] != "-")
REF = st.builds(lambda parts: "$." + ".".join(parts), st.lists(NAME, min_size=1, max_size=3))
NUMBER = st.one_of(st.integers(-10**20, 10**20).map(str), st.sampled_from(
    ["0", "-0", "1.", ".5", "-.5", "1e3", "1E-2", "2.5e+10", "007", "1e999", "1.2.3", "1e", "-", "."]))
STRING = st.one_of(st.text(max_size=4).map(lambda s: '"' + s.replace("\\", "").replace('"', "") + '"'),
                   st.text(max_size=4).map(lambda s: "'" + s.replace("\\", "").replace("'", "") + "'"),
                   st.sampled_from(['"a\\"b"', "'it\\'s'", '"\\n"', '"\\q"', '"\\u00e9"', '"tab\there"',
                                    "'say \"hi\"'", '"unclosed', '""']))
SCALAR = st.one_of(NUMBER, STRING, st.sampled_from(["true", "false", "null", "True", "nul", "truex"]))


@st.composite
def value(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 4)) == 0:
        return draw(list_text())
    return draw(SCALAR)


@st.composite
def list_text(draw: st.DrawFn) -> str:
    items = draw(st.lists(SCALAR, max_size=3))
    sep = draw(st.sampled_from([",", ", ", " ,", ",,"]))
    return "[" + draw(WS) + sep.join(items) + draw(st.sampled_from(["", ",", " "])) + "]"


BINOPS = ["==", "!=", ">=", "<=", ">", "<", "eq", "matches", "equals", "not_equals", "greater_than",
          "greater_than_or_equal", "less_than", "less_than_or_equal", "string_equals", "string_matches",
          "=", "=>", "===", "Eq"]
UNARY = ["exists", "not exists", "not-exists", "not_exists", "is null", "is not null", "is-null",
         "is-not-null", "is_null", "is_not_null", "is  not\tnull", "exist", "isnull"]
LISTOPS = ["in", "not in", "not-in", "not_in", "notin"]


@st.composite
def comparison(draw: st.DrawFn) -> str:
    ref = draw(REF)
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return ref + draw(WS) + draw(st.sampled_from(BINOPS)) + draw(WS) + draw(value())
    if kind == 1:
        return ref + draw(st.sampled_from([" ", "  ", "\n"])) + draw(st.sampled_from(UNARY))
    return ref + " " + draw(st.sampled_from(LISTOPS)) + draw(WS) + draw(list_text())


def condition() -> st.SearchStrategy[str]:
    return st.recursive(comparison(), lambda inner: st.one_of(
        st.builds(lambda a, op, b: f"{a}{op}{b}", inner, st.sampled_from([" and ", " or ", " AND ", "and ", " or("]), inner),
        st.builds(lambda a, w: f"({w}{a}{w})", inner, WS),
        st.builds(lambda a, w: f"not{w}{a}", inner, st.sampled_from([" ", "  ", "", "\t"])),
    ), max_leaves=6)


def _agree(text: str) -> None:
    quick = quick_parse(text, locate)
    if quick is not None:
        assert quick == grammar_result(text), text


@settings(max_examples=500)
@given(condition())
def test_condition_fast_path_builds_the_grammars_ir(text: str) -> None:
    _agree(text)


@settings(max_examples=300)
@given(condition(), st.lists(st.tuples(st.integers(0, 200), st.sampled_from(
    list("$.()[],\"' \t-=!<>0a_é٣\x0b") + ["not", "in", "and", "or", "is", "null", "exists"])), max_size=3))
def test_condition_fast_path_agrees_on_mutated_text(text: str, edits: list[tuple[int, str]]) -> None:
    for at, piece in edits:
        at %= len(text) + 1
        text = text[:at] + piece + text[at:]
    _agree(text)


@settings(max_examples=300)
@given(st.lists(st.sampled_from(list("$.ab1()[],\"'\\ -=!<>_") + ["not ", " in ", " and ", "exists", "null"]),
                max_size=30).map("".join))
def test_condition_fast_path_agrees_on_random_text(text: str) -> None:
    _agree(text)


def test_condition_fast_path_answers_the_common_shapes() -> None:
    """Well-formed conditions of every operator are answered here (else lark is imported)."""
    for text in ['$.a.b == 3', '$.x matches ".mp4"', "$.n >= -1.5e3 and not ($.c exists or $.d is null)",
                 '$.k in ["a", \'b\', 1, true, null]', "$.k not in []", "$.k not-exists", "$.v is not null",
                 "$.v is_not_null", "$.k not_in [1]", "not not $.a exists", "(($.a != false))"]:
        got = quick_parse(text, locate)
        assert got is not None, text
        assert got == grammar_result(text), text


# ---------------------------------------------------------------- templates

TEMPLATE_TEXT = st.lists(st.sampled_from(list("{} .ab1_-\t\né") + ["{{", "}}", "{{ a.b }}", "{{x}}"]),
                         max_size=40).map("".join)


@settings(max_examples=400)
@given(TEMPLATE_TEXT)
def test_template_regex_splits_as_the_grammar_does(text: str) -> None:
    parts, error = scan(text)
    if error is None:  # the regex answered: the grammar accepts the text and splits it the same
        assert _scan_with_grammar(text) == (parts, None), text
