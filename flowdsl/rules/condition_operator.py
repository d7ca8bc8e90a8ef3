"""condition-operator: an operator and a value (or reference) that cannot work together.

* numeric operators (``>``, ``<``, ``>=``, ``<=``) with a value that is not a number, or on
  a reference whose type is known not to be a number;
* ``in`` / ``not in`` without a list;
* ``exists``, ``not exists``, ``is null``, ``is not null`` with a value (they take none),
  and every other operator without one;
* ``eq`` (string_equals) and ``matches`` (string_matches) with a value that is not a string;
* a comparison that can never hold: the referenced input declares an ``enum`` and the
  value (or, for ``in``, every listed value) is not in it.

    inputs:
      style: {type: string, enum: [photo, anime]}
    steps:
      - id: pick
        if: $.inputs.style == "potho"      # condition-operator: "potho" is not one of
        then: [...]                        #   the input's values (did you mean "photo"?)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

from flowdsl import codes
from flowdsl.lang.numbers import is_numeric_text
from flowdsl import ir
from flowdsl.diagnostics import Diagnostic, error
from flowdsl.suggest import closest

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.CONDITION_OPERATOR

_NON_NUMERIC = frozenset({"string", "boolean", "array", "object", "null"})


def _compares(cond: ir.Condition | None, out: list[ir.Compare]) -> list[ir.Compare]:
    """Every comparison of a condition appended to ``out``, in source order."""
    if cond is None:
        return out
    if isinstance(cond, ir.Compare):
        out.append(cond)
    elif isinstance(cond, ir.Not):
        _compares(cond.item, out)
    else:
        for c in cond.items:
            _compares(c, out)
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check(ctx: "Context") -> Iterator[Diagnostic]:
    for step in ctx.steps():
        if isinstance(step, ir.ChoiceStep):
            for cmp in _compares(step.condition, []):
                yield from _check(ctx, cmp, step.common.id)


def _check(ctx: "Context", cmp: ir.Compare, step: str) -> Iterator[Diagnostic]:
    op, value = cmp.operator, cmp.value
    if op not in ir.OPERATORS:
        return  # an unknown operator is condition-syntax's finding
    if op in ir.UNARY_OPERATORS:
        if value is not None and not (isinstance(value, ir.Scalar) and value.value is None):
            yield error(RULE, f"{op} takes no value", value.span, step=step,
                        hint=f"drop the value: {op} only tests the reference")
        return
    if value is None:
        yield error(RULE, f"{op} needs a value to compare with", cmp.operator_span, step=step)
        return
    ty = ctx.type_of(cmp.ref) if cmp.ref is not None else None
    literal = value.to_python()
    templated = (value.template is not None if isinstance(value, ir.Scalar)
                 else any(True for _ in ir.iter_templates(value)))
    if op in ir.NUMERIC_OPERATORS:
        if not templated and not _is_number(literal) and not _numeric_text(literal):
            yield error(RULE, f"{op} compares numbers, but the value is {_kind(literal)}",
                        value.span, step=step)
        elif ty is not None and ty.json in _NON_NUMERIC:
            yield error(RULE, f"{op} compares numbers, but {cmp.ref.text() if cmp.ref else ''} "
                        f"is {ty.describe()}", cmp.ref.span if cmp.ref else cmp.span, step=step)
        return
    if op in ir.LIST_OPERATORS:
        if not isinstance(value, ir.ListValue):
            yield error(RULE, f"{op} needs a list of values, got {_kind(literal)}", value.span,
                        step=step, hint=f"write [{_show(literal)}]")
            return
        if ty is not None and ty.enum and not templated:
            if literal and not any(v in ty.enum for v in literal):
                yield error(RULE, f"none of {_show(literal)} is a value "
                            f"{cmp.ref.text() if cmp.ref else ''} can take "
                            f"({_show(list(ty.enum))})", value.span, step=step)
        return
    if op in ("string_equals", "string_matches") and not templated and not isinstance(literal, str):
        yield error(RULE, f"{op} compares text, but the value is {_kind(literal)}", value.span,
                    step=step, hint=f'write "{_show(literal)}" or use == for other types')
        return
    if op in ("equals", "not_equals", "string_equals") and ty is not None and ty.enum \
            and not templated and literal not in ty.enum:
        best = closest(str(literal), [str(v) for v in ty.enum]) if isinstance(literal, str) else None
        yield error(RULE, f"{_show(literal)} is not a value {cmp.ref.text() if cmp.ref else ''} "
                    f"can take ({_show(list(ty.enum))}): the comparison never "
                    f"{'holds' if op != 'not_equals' else 'fails'}", value.span, step=step,
                    hint=f'did you mean "{best}"?' if best and best != literal else None)


def _numeric_text(value: Any) -> bool:
    # The engine detects types; a quoted number is not our business to reject.
    return is_numeric_text(value)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return f'the string "{value}"'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"the number {value}"


def _show(value: Any) -> str:
    import json

    if isinstance(value, list):
        return ", ".join(json.dumps(v, ensure_ascii=False) for v in value)
    return json.dumps(value, ensure_ascii=False)
