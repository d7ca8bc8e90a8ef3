"""Shared by the reference rules: every reference classified once against the symbol table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flowdsl import ir
from flowdsl.check.symbols import Order

if TYPE_CHECKING:
    from flowdsl.check.context import Context, RefUse

# The fields of a step's run-time record that a reference may name.
STEP_FIELDS = ("output", "primary", "status", "metadata", "error", "error_cause", "kind",
               "step_id", "selected")


@dataclass(frozen=True, slots=True)
class Resolved:
    use: "RefUse"
    order: Order  # UNDEFINED for unknown inputs too
    why: ir.Step | None  # the step explaining the order (choice/parallel/target)


def resolved(ctx: "Context") -> list[Resolved]:
    return ctx.resolved


def collect_resolved(ctx: "Context") -> list[Resolved]:
    """Every reference classified against the symbol table (once, by the context)."""
    cached: list[Resolved] = []
    for use in ctx.refs():
        ref = use.ref
        if ref.is_input:
            known = ref.input_name is not None and ctx.workflow.input(ref.input_name) is not None
            cached.append(Resolved(use, Order.CERTAIN if known else Order.UNDEFINED, None))
        else:
            order, why = ctx.symbols.order(use.reader, ref.root)
            cached.append(Resolved(use, order, why))
    return cached


def step_label(step: ir.Step | None) -> str:
    return f'"{step.common.id}"' if step is not None else "?"
