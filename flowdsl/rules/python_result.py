"""python-result: python code never assigns ``result``.

The engine takes a python step's output from the variable ``result``; code that never
binds it produces no output, and every step reading ``{{step.output}}`` gets nothing.
Any binding counts: assignment, augmented or annotated assignment, ``for result in``,
``with ... as result``, ``global result``, ``import ... as result``, at the top level of
the code: ``result`` assigned only inside a function or class body is a local there and
does not count.

    steps:
      - id: shout
        python: "text = inputs['text'].upper()"   # python-result: never assigns result
        with: {text: "{{gen.output}}"}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flowdsl import codes
from flowdsl.diagnostics import Diagnostic, warning
from flowdsl.check.python import facts, first_line_span

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.PYTHON_RESULT


def check(ctx: "Context") -> Iterator[Diagnostic]:
    for step in ctx.python_steps:
        found = facts(ctx, step)
        if found is None or found.binds_result:
            continue
        yield warning(RULE, "python code never assigns result, so the step outputs nothing",
                      first_line_span(step.code), step=step.common.id,
                      hint="end the code with: result = ...")
