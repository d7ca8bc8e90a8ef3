"""The engine's 14 condition operators and ``and``/``or``/``not``, on actual values.

Semantics (the engine documents names, not every corner, so these are the simulator's
reading, kept in one place and listed in the README):

* ``equals``/``not_equals`` detect the type: numbers compare as numbers (a numeric string
  equals the number it spells), booleans also match the strings "true"/"false", anything
  else compares as JSON values. A missing value equals nothing.
* the four numeric operators compare numbers (numeric strings are converted); a value that
  is not a number makes the comparison false, and the evaluation notes why.
* ``string_equals`` compares text exactly; ``string_matches`` is "contains".
* ``in``/``not_in`` use ``equals`` against each item of the value list.
* ``exists`` is true when the value is present (even if null); ``is_null`` is true for null
  and for a missing value; ``not_exists``/``is_not_null`` are their negations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from flowdsl import ir
from flowdsl.lang.numbers import as_number
from flowdsl.simulate.values import MISSING, Scope, lookup, plain


def _number(v: Any) -> float | None:
    return None if v is MISSING else as_number(v)


def loose_equals(a: Any, b: Any) -> bool:
    if a is MISSING or b is MISSING:
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        if isinstance(a, bool) and isinstance(b, bool):
            return a == b
        other, flag = (b, a) if isinstance(a, bool) else (a, b)
        return isinstance(other, str) and other.strip().lower() == ("true" if flag else "false")
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None and (not isinstance(a, str) or not isinstance(b, str)):
        return na == nb
    return bool(a == b)


def _numeric(op: Callable[[float, float], bool]) -> Callable[[Any, Any], bool]:
    def compare(a: Any, b: Any) -> bool:
        na, nb = _number(a), _number(b)
        if na is None or nb is None:
            return False
        return op(na, nb)
    return compare


def _text(v: Any) -> str | None:
    if isinstance(v, str):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(v)
    return None


def _string_equals(a: Any, b: Any) -> bool:
    ta, tb = _text(a), _text(b)
    return ta is not None and tb is not None and ta == tb


def _string_matches(a: Any, b: Any) -> bool:
    ta, tb = _text(a), _text(b)
    return ta is not None and tb is not None and tb in ta


def _in(a: Any, b: Any) -> bool:
    if a is MISSING or not isinstance(b, list):
        return False
    return any(loose_equals(a, item) for item in b)


def _not_in(a: Any, b: Any) -> bool:
    if not isinstance(b, list):
        return False
    return a is MISSING or not any(loose_equals(a, item) for item in b)


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "equals": loose_equals,
    "not_equals": lambda a, b: not loose_equals(a, b),
    "greater_than": _numeric(lambda x, y: x > y),
    "less_than": _numeric(lambda x, y: x < y),
    "greater_than_or_equal": _numeric(lambda x, y: x >= y),
    "less_than_or_equal": _numeric(lambda x, y: x <= y),
    "string_equals": _string_equals,
    "string_matches": _string_matches,
    "in": _in,
    "not_in": _not_in,
    "exists": lambda a, b: a is not MISSING,
    "not_exists": lambda a, b: a is MISSING,
    "is_null": lambda a, b: a is None or a is MISSING,
    "is_not_null": lambda a, b: a is not None and a is not MISSING,
}
assert set(OPERATORS) == set(ir.OPERATORS)


def apply(operator: str, actual: Any, expected: Any) -> bool:
    fn = OPERATORS.get(operator)
    if fn is None:
        raise ValueError(f"unknown operator {operator!r}")
    return fn(actual, expected)


@dataclass
class Evaluation:
    """How a condition came out: the result and each comparison on its actual value."""

    result: bool
    checks: list[dict[str, Any]] = field(default_factory=list)


def _note(op: str, actual: Any, expected: Any) -> str | None:
    if op in ir.NUMERIC_OPERATORS and (_number(actual) is None or _number(expected) is None):
        return "not a number: the comparison is false"
    if op in ("string_equals", "string_matches") and (_text(actual) is None or _text(expected) is None):
        return "not a string: the comparison is false"
    if op in ir.LIST_OPERATORS and not isinstance(expected, list):
        return "the value is not a list: the comparison is false"
    return None


def evaluate(cond: ir.Condition | None, scope: Scope) -> Evaluation:
    ev = Evaluation(False)
    ev.result = _eval(cond, scope, ev.checks)
    return ev


def _eval(cond: ir.Condition | None, scope: Scope, checks: list[dict[str, Any]]) -> bool:
    if cond is None:
        return False
    if isinstance(cond, ir.AllOf):
        return all(_eval(c, scope, checks) for c in cond.items)
    if isinstance(cond, ir.AnyOf):
        return any(_eval(c, scope, checks) for c in cond.items)
    if isinstance(cond, ir.Not):
        return not _eval(cond.item, scope, checks)
    if cond.ref is None:
        actual = MISSING
    else:
        actual = lookup(scope, cond.ref.root, cond.ref.path, False)
    expected = cond.value.to_python() if cond.value is not None else None
    result = apply(cond.operator, actual, expected)
    check: dict[str, Any] = {"expression": cond.expression, "operator": cond.operator,
                             "actual": plain(actual), "result": result}
    if actual is MISSING:
        check["missing"] = True
    if cond.operator not in ir.UNARY_OPERATORS:
        check["value"] = expected
    note = _note(cond.operator, actual, expected)
    if note is not None:
        check["note"] = note
    checks.append(check)
    return result
