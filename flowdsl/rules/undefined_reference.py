"""undefined-reference: a reference to a step or input that does not exist.

Checked in every template (``{{inputs.x}}``, ``{{step.primary}}``), every condition
(``$.step.output``) and every workflow output, with a did-you-mean from the step ids or the
declared inputs. A reference must also name a field of the step's record (``output``,
``primary``, ``status``, ``metadata``, ``error``...): ``{{gen}}`` alone, or
``{{gen.url}}``, is not one. The engine resolves references only at run time, so without
this check the mistake costs a failed (and paid) execution.

    inputs:
      prompt: {type: string}
    steps:
      - id: gen
        model: flux-2-pro
        with: {prompt: "{{inputs.promt}}"}   # undefined-reference: no input "promt"
                                             #   (did you mean "prompt"?)

A reference to a step that is written but failed to parse (a misspelt kind key such as
``paralel:``, a missing ``id``) is not reported again: the schema finding on that step says
why, and every reference to it, or to a step nested in it, would only repeat it.

A definition that declares no inputs at all (a fragment) only gets a warning for
``{{inputs.x}}``: its inputs are not validated by the engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flowdsl import codes
from flowdsl.diagnostics import Diagnostic, error, warning
from flowdsl.check.refs import STEP_FIELDS, questionable
from flowdsl.suggest import closest
from flowdsl.check.symbols import Order

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.UNDEFINED_REFERENCE


def check(ctx: "Context") -> Iterator[Diagnostic]:
    # Only these can be undefined or name no field; every other reference is a declared
    # input or a field of a step that ran.
    suspects = questionable(ctx)
    if not suspects:
        return
    inputs = [i.name for i in ctx.workflow.inputs]
    steps = ctx.symbols.names()
    for r in suspects:
        ref, use = r.use.ref, r.use
        if ref.is_input:
            if r.order is not Order.UNDEFINED:
                continue
            if ref.input_name is None:
                yield error(RULE, f"{ref.text()} names no input; write {{{{inputs.NAME}}}}",
                            ref.span, step=use.step)
                continue
            best = closest(ref.input_name, inputs)
            hint = f'did you mean "{best}"?' if best else None
            if not inputs:
                yield warning(RULE, f'{ref.text()}: the workflow declares no inputs, so '
                              f'"{ref.input_name}" is not checked', ref.span, step=use.step,
                              hint="declare it under inputs:")
            else:
                yield error(RULE, f'{ref.text()}: no input "{ref.input_name}" is declared',
                            ref.span, step=use.step,
                            hint=hint or "declared inputs: " + ", ".join(inputs))
            continue
        if r.order is Order.UNDEFINED:
            if ref.root in ctx.broken.ids:
                continue  # the step is there but failed to parse: that finding says why
            best = closest(ref.root, steps) or (closest(ref.root, ["inputs"], 0.7))
            hint = f'did you mean "{best}"?' if best else None
            yield error(RULE, f'{ref.text()}: no step "{ref.root}" in this workflow', ref.span,
                        step=use.step, hint=hint)
            continue
        if not ref.path:
            if ref.syntax == "template":
                fix = f"{{{{{ref.root}.primary}}}} or {{{{{ref.root}.output}}}}"
            else:
                fix = f"$.{ref.root}.primary or $.{ref.root}.output"
            yield error(RULE, f"{ref.text()} names a step, not a value", ref.span, step=use.step,
                        hint=f"write {fix}")
        elif ref.path[0] not in STEP_FIELDS:
            best = closest(ref.path[0], ["output", "primary"])
            hint = (f'did you mean "{ref.root}.{best}"?' if best
                    else f'a step\'s value is {ref.root}.output or {ref.root}.primary')
            yield error(RULE, f'{ref.text()}: a step has no field "{ref.path[0]}"', ref.span,
                        step=use.step, hint=hint)
