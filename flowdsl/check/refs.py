"""Shared by the reference rules: every reference classified once against the symbol table."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from flowdsl import ir
from flowdsl.check.symbols import Order

if TYPE_CHECKING:
    from flowdsl.check.context import Context, RefUse

# The fields of a step's run-time record that a reference may name.
STEP_FIELDS = ("output", "primary", "status", "metadata", "error", "error_cause", "kind",
               "step_id", "selected")


class Resolved(NamedTuple):
    """One reference and how its target relates to its reader (an immutable tuple: one per
    reference of the flow, built at a third of a frozen dataclass's cost)."""

    use: "RefUse"
    order: Order  # UNDEFINED for unknown inputs too
    why: ir.Step | None  # the step explaining the order (choice/parallel/target)


_new = tuple.__new__  # NamedTuple's constructor, without its Python-level call


def resolved(ctx: "Context") -> list[Resolved]:
    return ctx.resolved


def uncertain(ctx: "Context") -> list[Resolved]:
    """The references whose target is not certainly finished when they are read (every
    order but CERTAIN), in document order: the few the ordering rules look at."""
    return ctx.uncertain


def questionable(ctx: "Context") -> list[Resolved]:
    """The references that may be undefined or name no field: the uncertain ones and the
    certain ones to a step that name no field of its record (``{{gen}}``, ``{{gen.url}}``),
    in document order. Every other reference is a declared input or a step's field."""
    return ctx.questionable


_FIELDS = frozenset(STEP_FIELDS)


class Resolution(NamedTuple):
    every: list[Resolved] | None  # all references (None unless asked for)
    uncertain: list[Resolved]
    questionable: list[Resolved]


def collect_resolved(ctx: "Context", every: bool = False) -> Resolution:
    """Every reference classified against the symbol table (once, by the context), kept in
    the lists that rules read. A reference to a declared input, or to a field of a step that
    certainly ran, is in none but ``every``: most are, so ``every`` is only built on request."""
    everything: list[Resolved] | None = [] if every else None
    unsure: list[Resolved] = []
    odd: list[Resolved] = []
    declared = {i.name for i in ctx.workflow.inputs}
    order = ctx.symbols.order
    certain, undefined = Order.CERTAIN, Order.UNDEFINED
    # A reader reads the same few steps many times: relate each (reader, target) once. The
    # references of one reader come together, so one reader's answers are kept at a time.
    reader: object = ctx  # no reader yet (None is the workflow's outputs)
    orders: dict[str, tuple[Order, ir.Step | None]] = {}
    for use in ctx.refs():
        ref = use.ref
        root = ref.root
        if root == "inputs":  # Ref.is_input
            path = ref.path  # its first name is Ref.input_name
            if path and path[0] in declared:
                if everything is not None:
                    everything.append(_new(Resolved, (use, certain, None)))
                continue
            r = _new(Resolved, (use, undefined, None))
        else:
            if use.reader is not reader:
                reader, orders = use.reader, {}
            hit = orders.get(root)
            if hit is None:
                hit = orders[root] = order(use.reader, root)
            if hit[0] is certain:
                path = ref.path
                if path and path[0] in _FIELDS:  # the usual case: nothing to say
                    if everything is not None:
                        everything.append(_new(Resolved, (use, certain, hit[1])))
                    continue
                r = _new(Resolved, (use, certain, hit[1]))
                if everything is not None:
                    everything.append(r)
                odd.append(r)
                continue
            r = _new(Resolved, (use, hit[0], hit[1]))
        if everything is not None:
            everything.append(r)
        unsure.append(r)
        odd.append(r)
    return Resolution(everything, unsure, odd)


def step_label(step: ir.Step | None) -> str:
    return f'"{step.common.id}"' if step is not None else "?"
