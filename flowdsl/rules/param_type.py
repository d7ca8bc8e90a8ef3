"""param-type: a literal param of the wrong JSON type.

Each literal param (and each literal inside a list or object param) is validated with
jsonschema against the model's ``request_schema``; a type error is reported on the value
itself. Values holding a template are skipped (their type is checked by reference-type).

    steps:
      - id: video
        model: veo-3
        with: {prompt: a wave, duration: "8"}   # param-type: "duration" must be integer,
                                                #   got string "8"
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flowdsl import codes
from flowdsl.diagnostics import Diagnostic, error
from flowdsl.check.models import literal_errors

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.PARAM_TYPE


def check(ctx: "Context") -> Iterator[Diagnostic]:
    for e in literal_errors(ctx):
        if e.rule == RULE:
            yield error(RULE, e.message, e.span, step=e.call.step_id, hint=e.hint)
