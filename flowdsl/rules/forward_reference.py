"""forward-reference: a reference to a step that has not run yet.

Steps run in order; a step may only read steps that finished before it starts. Fires for a
reference to a later step, to the step itself, to a step nested inside the reader (a
choice's condition reading a step of its own branch), and to a step that encloses the
reader (a parallel or choice step's output is not ready until the whole step ends).

    steps:
      - id: animate
        model: kling-2-1-image-to-video
        with: {image_url: "{{portrait.primary}}"}   # forward-reference: "portrait" runs later
      - id: portrait
        model: flux-2-pro
        with: {prompt: a face}

Move the referenced step before the one that reads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flowdsl import codes
from flowdsl.diagnostics import Diagnostic, error
from flowdsl.check.refs import uncertain
from flowdsl.check.symbols import Order

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.FORWARD_REFERENCE

_WHY = {
    Order.FORWARD: 'step "{t}" runs after this one',
    Order.SELF: 'step "{t}" reads its own output',
    Order.NESTED: 'step "{t}" is inside this step and runs after it starts',
    Order.ENCLOSING: 'step "{t}" contains this step: its output is not ready until it ends',
}


def check(ctx: "Context") -> Iterator[Diagnostic]:
    for r in uncertain(ctx):  # a CERTAIN reference is never reported here
        why = _WHY.get(r.order)
        if why is None:
            continue
        ref = r.use.ref
        hint = ("move the referenced step before this one" if r.order is Order.FORWARD else None)
        yield error(RULE, f"{ref.text()}: " + why.format(t=ref.root), ref.span,
                    step=r.use.step, hint=hint)
