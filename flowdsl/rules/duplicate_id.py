"""duplicate-id: two steps, or a step and a choice branch, share an id.

Step ids are unique across the whole workflow, nested steps included: the engine keys
every step's output by its id, so a second step with the same id overwrites the first one's
output (and a reference to it reads whichever ran last). A choice branch's engine
``step_id`` lives in the same namespace, and so do the ids the compiler gives branches
that have none (``<id>_condition_met`` / ``<id>_default``):

    steps:
      - id: pick
        if: $.inputs.hd == true
        then: [{id: a, model: flux-2-pro, with: {prompt: x}}]
      - id: pick_condition_met   # duplicate-id: the implicit branch id of "pick"
        pass: {}

    steps:
      - id: gen
        model: flux-2-pro
        with: {prompt: a cat}
      - id: gen                  # duplicate-id: "gen" is already the id of the step on line 2
        model: flux-2-max
        with: {prompt: a dog}

Rename one of them (and the references meant for it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flowdsl import codes
from flowdsl.diagnostics import Diagnostic, error

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.DUPLICATE_ID


def check(ctx: "Context") -> Iterator[Diagnostic]:
    for name, symbols in ctx.symbols.duplicates().items():
        first = symbols[0]
        what = "step" if first.kind == "step" else (
            f'{"implicit " if first.implicit else ""}branch of choice "{first.info.id}"')
        for sym in symbols[1:]:
            kind = "a step" if sym.kind == "step" else (
                f'the {"implicit " if sym.implicit else ""}branch step_id of choice "{sym.info.id}"')
            implicit = first.implicit or sym.implicit
            yield error(RULE, f'"{name}" ({kind}) is already the id of the {what} on line '
                        f"{first.span.line}", sym.span, step=sym.info.id,
                        hint=("a choice's branches are named <id>_condition_met and <id>_default "
                              "unless given an id: rename the step, or give the branch an id"
                              if implicit else
                              "ids must be unique in the whole workflow, nested steps and "
                              "choice branches included"))
