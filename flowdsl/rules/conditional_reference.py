"""conditional-reference: a reference to a step inside a choice branch.

After a choice step only one of its branches has run, so a step inside a branch may not
have run at all when a later step (or a workflow output) reads it: a warning, though the
engine fails the execution when the reference names a step that did not run (make it an
error with ``[tool.flowdsl.rules] conditional-reference = "error"``). Reading a
step of the *other* branch from inside a choice branch is an error: the two never both run.

    steps:
      - id: finish
        if: $.inputs.upscale == true
        then:
          - {id: upscale, model: topaz-upscale-image, with: {image_url: "{{inputs.image}}"}}
    outputs:
      image: "{{upscale.primary}}"     # conditional-reference: "upscale" may not have run

Use the value inside the branch that produced it, or move the step out of the choice. If
a missing value is acceptable, silence the warning on that line with
``# flowdsl: ignore[conditional-reference]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flowdsl import codes
from flowdsl.diagnostics import Diagnostic, error, warning
from flowdsl.check.refs import resolved, step_label
from flowdsl.check.symbols import Order

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.CONDITIONAL_REFERENCE


def check(ctx: "Context") -> Iterator[Diagnostic]:
    for r in resolved(ctx):
        ref = r.use.ref
        if r.order is Order.MAYBE:
            yield warning(RULE, f'{ref.text()}: step "{ref.root}" is inside a branch of choice '
                          f"{step_label(r.why)} and may not have run; when the other branch "
                          "ran, the engine fails the execution on this reference",
                          ref.span, step=r.use.step,
                          hint="read it inside that branch, move the step out of the choice, or "
                               "if the other branch never happens here, silence it with "
                               "# flowdsl: ignore[conditional-reference]")
        elif r.order is Order.EXCLUSIVE:
            yield error(RULE, f'{ref.text()}: step "{ref.root}" is in the other branch of '
                        f"choice {step_label(r.why)}: it never runs when this one does",
                        ref.span, step=r.use.step)
