"""unused-input: a declared input that nothing reads.

An input no template, condition or output refers to is usually a leftover or a typo on the
reading side (``{{inputs.promt}}`` fires undefined-reference; the declared ``prompt`` then
fires here). Callers still have to pass it when it is required.

    inputs:
      prompt: {type: string, required: true}
      style: {type: string}      # unused-input: "style" is never referenced
    steps:
      - id: gen
        model: flux-2-pro
        with: {prompt: "{{inputs.prompt}}"}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flowdsl import codes
from flowdsl.diagnostics import Diagnostic, warning

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.UNUSED_INPUT


def check(ctx: "Context") -> Iterator[Diagnostic]:
    if not ctx.workflow.inputs:
        return
    used = set(ctx.reads.inputs)
    # "$.inputs.x" in a value is already dollar-in-template; do not pile on.
    used |= {d.path[0] for d in ctx.dollar_refs() if d.root == "inputs" and d.path}
    used |= ctx.broken.inputs  # read by a step that failed to parse (reported already)
    for declared in ctx.workflow.inputs:
        if declared.name not in used:
            yield warning(RULE, f'input "{declared.name}" is never used', declared.name_span,
                          hint="remove it, or reference it as {{inputs." + declared.name + "}}")
