"""param-value: a literal param outside its enum, range, length or pattern.

Validated with jsonschema against the model's ``request_schema`` (``enum``, ``minimum`` /
``maximum``, ``minLength`` / ``maxLength``, ``minItems`` / ``maxItems``, ``pattern``...),
each error on the offending value, with a did-you-mean for enums.

    steps:
      - id: upscale
        model: topaz-upscale-image
        with: {image_url: "{{gen.primary}}", scale: 3}   # param-value: "scale" must be
                                                         #   one of 2, 4; got 3
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flowdsl import codes
from flowdsl.diagnostics import Diagnostic, error
from flowdsl.check.models import literal_errors

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.PARAM_VALUE


def check(ctx: "Context") -> Iterator[Diagnostic]:
    for e in literal_errors(ctx):
        if e.rule == RULE:
            yield error(RULE, e.message, e.span, step=e.call.step_id, hint=e.hint)
