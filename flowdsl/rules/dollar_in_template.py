"""dollar-in-template: ``$.x`` written in a value where ``{{x}}`` is meant.

``$.step.primary`` is the syntax of *conditions*. Inside params, bodies, headers, python
inputs and pass results the engine only substitutes ``{{...}}`` templates, so
``"$.inputs.prompt"`` reaches the model as those literal characters. Only ``$.`` followed
by ``inputs``, a step id of the workflow, or ``NAME.output`` / ``NAME.primary`` fires
(``"costs $.99"`` is text).

    steps:
      - id: step2
        model: kling-2-1-image-to-video
        with:
          image_url: "$.step1.primary"      # dollar-in-template: write "{{step1.primary}}"
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flowdsl import codes
from flowdsl.diagnostics import Diagnostic, error

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.DOLLAR_IN_TEMPLATE


def check(ctx: "Context") -> Iterator[Diagnostic]:
    for d in ctx.dollar_refs():
        fixed = "{{" + d.text[2:] + "}}"
        yield error(RULE, f'"{d.text}" is condition syntax; the engine does not substitute it '
                    f"in a value", d.span, step=d.step, hint=f"write {fixed}")
