"""A choice condition from its YAML node: condition text, or the engine's JSON tree."""

from __future__ import annotations

import re

from flowdsl import codes
from flowdsl import ir
from flowdsl.lang.conditions import ConditionSyntaxError, parse_ref, parse_text
from flowdsl.frontend.nodes import Reader, kind_name
from flowdsl.frontend.load import YMap, YNode, YScalar, YSeq
from flowdsl.spans import Span
from flowdsl.suggest import did_you_mean


def read_condition(r: Reader, node: YNode, step: str) -> ir.Condition | None:
    if isinstance(node, YScalar):
        if isinstance(node.value, str) and node.value.strip():
            return _from_text(r, node, node.value, step)
        r.report(codes.CONDITION_SYNTAX, f"a condition must be text such as `$.x == 1` or an engine "
                 f"condition mapping, found {kind_name(node)}", node.span, step=step)
        return None
    if isinstance(node, YMap):
        return _from_tree(r, node, step)
    r.report(codes.CONDITION_SYNTAX, "a condition must be text or a mapping, found a list "
             "(use `and: [...]` to combine conditions)", node.span, step=step)
    return None


# `$.x in "video"`: a membership test against one value instead of a list.
_IN_SCALAR = re.compile(r"\s(?P<op>not\s+in|in)\s+(?P<rhs>\"[^\"]*\"|'[^']*'|[^\s\[\]\"']+)\s*$")
_TEMPLATE = re.compile(r"\{\{\s*([A-Za-z0-9_][A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]+)*)\s*\}\}")


# Condition text -> its IR placed at line 1, column 1 of no file (None: not cacheable). The
# IR depends on the text alone except for positions, and a flow repeats its conditions.
_PLACED: dict[str, ir.Condition | None] = {}
_PLACED_MAX = 2048


class _NotLinear(Exception):
    """A position the parser asks for that does not map column for column."""


def _from_text(r: Reader, node: YScalar, text: str, step: str) -> ir.Condition | None:
    # A condition written on one line exactly as its value: every position in it is the
    # node's column plus an offset, so the IR parsed once can be moved here.
    span = node.span
    shift = r.verbatim_shift(node) if span.line == span.end_line else -1
    if shift >= 0:
        placed = _placed(text)
        if placed is not None:
            return _move(placed, span.file, span.line, span.column + shift - 1)
    try:
        return parse_text(text, lambda offset, length: r.locate(node, offset, length))
    except ConditionSyntaxError as exc:
        # The inputs it names are read (the one finding here says what is wrong).
        r.broken.add(node)
        if not _explain(r, node, text, step):
            r.report(codes.CONDITION_SYNTAX, exc.message, r.locate(node, exc.offset, exc.length), step=step)
        return None


def _explain(r: Reader, node: YScalar, text: str, step: str) -> bool:
    """A finding that says the fix, for the mistakes people make most (True when made)."""
    m = _IN_SCALAR.search(text)
    if m is not None:
        rhs = m.group("rhs")
        quoted = rhs if rhs[0] in "\"'" else (rhs if is_number(rhs) else f'"{rhs}"')
        op = " ".join(m.group("op").split())
        r.report(codes.CONDITION_OPERATOR, f"`{op}` needs a list: {op} [{quoted}]",
                 r.locate(node, m.start("rhs"), len(rhs)), step=step,
                 hint=f"write {text[:m.start('rhs')]}[{quoted}], or use == for one value")
        return True
    t = _TEMPLATE.search(text)
    if t is not None:
        fixed = _TEMPLATE.sub(lambda x: "$." + x.group(1), text)
        r.report(codes.CONDITION_SYNTAX, f"conditions use $.{t.group(1)}, not {{{{{t.group(1)}}}}}",
                 r.locate(node, t.start(), len(t.group(0))), step=step, hint=f"write: {fixed}")
        return True
    return False


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_LOGIC = ("and", "or", "not")
_SIMPLE = ("expression", "operator", "value")


def _from_tree(r: Reader, node: YMap, step: str) -> ir.Condition | None:
    keys = node.keys()
    logic = [k for k in keys if k in _LOGIC]
    if logic:
        if len(keys) != 1:
            r.report(codes.CONDITION_SYNTAX, f'a logical condition has exactly one key ("{logic[0]}"), '
                     f"found {', '.join(keys)}", node.span, step=step)
            return None
        op = logic[0]
        child = node.get(op)
        assert child is not None
        if op == "not":
            inner = read_condition(r, child, step)
            return ir.Not(inner, node.span) if inner is not None else None
        if not isinstance(child, YSeq) or not child.items:
            r.report(codes.CONDITION_SYNTAX, f'"{op}" takes a non-empty list of conditions, found '
                     f"{kind_name(child)}", child.span, step=step)
            return None
        items = [read_condition(r, c, step) for c in child.items]
        if any(i is None for i in items):
            return None
        conds = tuple(i for i in items if i is not None)
        return ir.AllOf(conds, node.span) if op == "and" else ir.AnyOf(conds, node.span)
    for k, _ in node.items:
        if k.value not in _SIMPLE:
            r.report(codes.CONDITION_SYNTAX, f'unknown key "{k.value}" in condition'
                     f"{did_you_mean(str(k.value), _SIMPLE + _LOGIC)}", k.span, step=step)
            return None
    expr_node, op_node = node.get("expression"), node.get("operator")
    if expr_node is None or op_node is None:
        missing = "expression" if expr_node is None else "operator"
        r.report(codes.CONDITION_SYNTAX, f'condition is missing "{missing}"', node.span, step=step)
        return None
    expression = r.string(expr_node, "condition expression", step)
    operator = r.string(op_node, "condition operator", step)
    if expression is None or operator is None:
        return None
    if operator not in ir.OPERATORS:
        r.report(codes.CONDITION_SYNTAX, f'unknown operator "{operator}"{did_you_mean(operator, ir.OPERATORS)}',
                 op_node.span, step=step, hint="operators: " + ", ".join(ir.OPERATORS))
        return None
    assert isinstance(expr_node, YScalar)
    ref = parse_ref(expression.strip(), r.locate(expr_node, expression.find("$"), len(expression.strip())))
    if ref is None:
        hint = None
        if expression.startswith("{{"):
            hint = "conditions use $.step.field, not {{step.field}}"
        r.report(codes.CONDITION_SYNTAX, f'condition expression must be a `$.` reference such as '
                 f'$.step.primary, found "{expression}"', expr_node.span, step=step, hint=hint)
        return None
    value_node = node.get("value")
    value = r.value(value_node, step) if value_node is not None else None
    return ir.Compare(expression, ref, operator, value, node.span, op_node.span)


def _placed(text: str) -> ir.Condition | None:
    if text in _PLACED:
        return _PLACED[text]

    def relative(offset: int, length: int) -> Span:
        length = min(length, len(text) - offset)
        if length <= 0:
            raise _NotLinear()  # Reader.locate gives the whole node's span here
        return Span("", 1, offset + 1, 1, offset + length + 1)

    try:
        placed: ir.Condition | None = parse_text(text, relative)
    except (ConditionSyntaxError, _NotLinear):
        placed = None  # parsed (and reported) in place, every time
    if len(_PLACED) >= _PLACED_MAX:
        _PLACED.clear()
    _PLACED[text] = placed
    return placed


def _move(cond: ir.Condition, file: str, line: int, shift: int) -> ir.Condition:
    """``cond`` (placed at line 1 of no file) moved to ``line`` of ``file``, ``shift``
    columns to the right."""
    def at(s: Span) -> Span:
        return Span(file, line, s.column + shift, line, s.end_column + shift)

    def ref(x: ir.Ref | None) -> ir.Ref | None:
        return None if x is None else ir.Ref(x.root, x.path, at(x.span), x.syntax)

    def value(v: ir.Value | None) -> ir.Value | None:
        if v is None:
            return None
        if isinstance(v, ir.Scalar):  # (condition literals are never templates)
            return ir.Scalar(v.value, at(v.span))
        if isinstance(v, ir.ListValue):
            return ir.ListValue(tuple(value(i) for i in v.items), at(v.span))  # type: ignore[misc]
        return ir.MapValue(tuple((ir.Key(k.name, at(k.span)), value(i)) for k, i in v.entries),  # type: ignore[misc]
                           at(v.span))

    def move(c: ir.Condition) -> ir.Condition:
        if isinstance(c, ir.Compare):
            return ir.Compare(c.expression, ref(c.ref), c.operator, value(c.value), at(c.span),
                              at(c.operator_span))
        if isinstance(c, ir.Not):
            return ir.Not(move(c.item), at(c.span))
        if isinstance(c, ir.AllOf):
            return ir.AllOf(tuple(move(i) for i in c.items), at(c.span))
        return ir.AnyOf(tuple(move(i) for i in c.items), at(c.span))

    return move(cond)
