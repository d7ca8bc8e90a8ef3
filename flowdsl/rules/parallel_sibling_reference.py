"""parallel-sibling-reference: a reference to a step in a sibling parallel branch.

The branches of a parallel step start together and run independently, so a step in one
branch cannot read a step of another: its output may not exist yet. Read it after the
parallel step instead (every branch step is finished then).

    steps:
      - id: both
        parallel:
          - steps:
              - {id: image, model: flux-2-pro, with: {prompt: a cat}}
          - steps:
              - id: video
                model: kling-2-1-image-to-video
                with: {image_url: "{{image.primary}}"}   # parallel-sibling-reference
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flowdsl import codes
from flowdsl.diagnostics import Diagnostic, error
from flowdsl.check.refs import uncertain, step_label
from flowdsl.check.symbols import Order

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.PARALLEL_SIBLING_REFERENCE


def check(ctx: "Context") -> Iterator[Diagnostic]:
    for r in uncertain(ctx):  # a CERTAIN reference is never reported here
        if r.order is not Order.CONCURRENT:
            continue
        ref = r.use.ref
        yield error(RULE, f'{ref.text()}: step "{ref.root}" runs concurrently, in another '
                    f"branch of parallel step {step_label(r.why)}", ref.span, step=r.use.step,
                    hint="move the step that reads it after the parallel step")
