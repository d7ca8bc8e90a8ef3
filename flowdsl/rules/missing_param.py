"""missing-param: a param the model requires is not given.

The model's ``request_schema`` lists its required params; a run without one fails after it
has been queued (or, for the fallback, only when the primary model has already failed).
When a param with a similar name is present, the hint says which one to rename; where the
model's whole parameter list is known, that misspelling is reported once, by unknown-param at
the key, and not here.

    steps:
      - id: upscale
        model: topaz-upscale-image      # missing-param: requires "image_url"
        with: {image: "{{gen.primary}}", scale: 2}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flowdsl import codes
from flowdsl.diagnostics import Diagnostic, error
from flowdsl.check.models import model_calls
from flowdsl.rules import unknown_param

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.MISSING_PARAM


def check(ctx: "Context") -> Iterator[Diagnostic]:
    for call in model_calls(ctx):
        schema = call.spec.request_schema if call.spec is not None else None
        if not isinstance(schema, dict):
            continue
        required = schema.get("required")
        if not isinstance(required, list):
            continue
        present = {k.name for k, _ in call.params.entries} if call.params is not None else set()
        missing = [name for name in required if isinstance(name, str) and name not in present]
        if not missing:
            continue  # the common case: nothing below is needed
        meant = {name: stray for stray, name in unknown_param.renames(call).items()}
        # Where unknown-param already reports the misspelt key, that is the one finding.
        said = unknown_param.reports(call)
        for name in missing:
            stray = meant.get(name)
            if stray is not None and said:
                continue
            hint = f'rename "{stray}" to "{name}"' if stray else None
            yield error(RULE, f'{call.where} requires parameter "{name}"', call.slug_span,
                        step=call.step_id, hint=hint)
