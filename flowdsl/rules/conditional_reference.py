"""conditional-reference: a reference to a step inside a choice branch.

After a choice step only one of its branches has run. When a later step (or a workflow
output) reads a step of the branch that did not run, the engine fails the whole execution
on that reference; so such a reference is an error. Reading a step of the *other* branch
from inside a choice branch is an error too: the two never both run.

    steps:
      - id: finish
        if: $.inputs.upscale == true
        then:
          - {id: upscale, model: topaz-upscale-image, with: {image_url: "{{inputs.image}}"}}
    outputs:
      image: "{{upscale.primary}}"     # conditional-reference: "upscale" may not have run

Use the value inside the branch that produced it, or move the step out of the choice.

Opting out, when the other branch cannot happen for the inputs this flow gets: silence one
reference with ``# flowdsl: ignore[conditional-reference]`` at the end of its line, or make
the rule a warning for the project (this also downgrades the other-branch case)::

    [tool.flowdsl.rules]
    conditional-reference = "warning"
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flowdsl import codes
from flowdsl.diagnostics import Diagnostic, error
from flowdsl.check.refs import uncertain, step_label
from flowdsl.check.symbols import Order

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.CONDITIONAL_REFERENCE


def check(ctx: "Context") -> Iterator[Diagnostic]:
    for r in uncertain(ctx):  # a CERTAIN reference is never reported here
        ref = r.use.ref
        if r.order is Order.MAYBE:
            yield error(RULE, f'{ref.text()}: step "{ref.root}" is inside a branch of choice '
                        f"{step_label(r.why)} and may not have run; when the other branch "
                        "ran, the engine fails the execution on this reference",
                        ref.span, step=r.use.step,
                        hint="read it inside that branch or move the step out of the choice; if "
                             "the other branch never happens here, add "
                             "# flowdsl: ignore[conditional-reference] to this line (or set "
                             'conditional-reference = "warning" under [tool.flowdsl.rules])')
        elif r.order is Order.EXCLUSIVE:
            yield error(RULE, f'{ref.text()}: step "{ref.root}" is in the other branch of '
                        f"choice {step_label(r.why)}: it never runs when this one does",
                        ref.span, step=r.use.step)
