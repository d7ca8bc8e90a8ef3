"""isolated-step: a model or python step cut off from the flow.

A step that uses no input and no earlier step (its params are all literals) and whose
output nothing reads (no later step, no condition, no workflow output) does nothing for the
flow's result but cost a run. In real exports this is a hard-coded step left over from an
edit, while the step that should have produced the output reads the wrong one.

    inputs:
      prompt: {type: string}
    steps:
      - id: gen
        model: flux-2-pro
        with: {prompt: "{{inputs.prompt}}"}
      - id: test_gen                       # isolated-step: reads nothing, read by nothing
        model: flux-2-pro
        with: {prompt: a test cat}
    outputs:
      image: "{{gen.primary}}"

Pass, http, parallel and choice steps are not checked (http calls are often made for their
effect). A flow with a step that failed to parse, or without ``outputs:`` (its result is then the
last step's output), is not checked either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flowdsl import codes
from flowdsl import ir
from flowdsl.diagnostics import Diagnostic, warning

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.ISOLATED_STEP


def check(ctx: "Context") -> Iterator[Diagnostic]:
    if ctx.broken.ids or ctx.broken.inputs or not ctx.workflow.outputs:
        return  # without outputs: the result is the last step's output
    reads = ctx.reads
    read = reads.roots | {d.root for d in ctx.dollar_refs()}
    reading = set(reads.readers)
    for d in ctx.dollar_refs():
        info = ctx.symbols.get(d.step) if d.step is not None else None
        if info is not None:
            reading.add(id(info.step))
    for step in ctx.steps():
        if not isinstance(step, (ir.ModelStep, ir.PythonStep)):
            continue
        sid = step.common.id
        if sid in read or id(step) in reading:
            continue
        kind = "model" if isinstance(step, ir.ModelStep) else "python"
        yield warning(RULE, f'{kind} step "{sid}" reads no input and no step, and nothing reads '
                      "its output", step.common.id_span, step=sid,
                      hint=f"remove it, or use its result: {{{{{sid}.primary}}}} / {{{{{sid}.output}}}}")
