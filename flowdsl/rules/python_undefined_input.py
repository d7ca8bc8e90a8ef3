"""python-undefined-input: python code reads an input its step does not declare.

A python step sees only what its ``with:`` (engine: ``inputs``) passes in, as the dict
``inputs``. ``inputs['x']`` for an undeclared ``x`` raises ``KeyError`` at run time;
``inputs.get('x')`` silently yields ``None`` (``inputs.get('x', default)`` is deliberate and
does not fire). ``inputs.x`` (attribute access on the dict) raises ``AttributeError``. Positions are mapped into the flow file.

    steps:
      - id: shout
        python: |
          result = inputs['txt'].upper()    # python-undefined-input: "txt" is not declared
        with: {text: "{{gen.output}}"}      #   (did you mean "text"?)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flowdsl import codes
from flowdsl.diagnostics import Diagnostic, error
from flowdsl.check.python import code_span, facts
from flowdsl.suggest import closest

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.PYTHON_UNDEFINED_INPUT


def check(ctx: "Context") -> Iterator[Diagnostic]:
    for step in ctx.python_steps:
        found = facts(ctx, step)
        if found is None or found.rebinds_inputs:
            continue
        declared = step.inputs.names() if step.inputs is not None else []
        for name, node, how in found.reads:
            if name in declared:
                continue
            best = closest(name, declared)
            hint = (f'did you mean "{best}"?' if best else
                    f"declare it: with: {{{name}: ...}}")
            effect = "raises KeyError" if how == "index" else "yields None"
            length = (node.end_col_offset or node.col_offset + 1) - node.col_offset \
                if node.end_lineno == node.lineno else 1
            yield error(RULE, f'python reads input "{name}", which the step does not declare '
                        f"(it {effect} at run time)",
                        code_span(step.code, node.lineno, node.col_offset, length),
                        step=step.common.id, hint=hint)
        for attr, anode in found.attributes:
            length = (anode.end_col_offset or anode.col_offset + 1) - anode.col_offset \
                if anode.end_lineno == anode.lineno else 1
            yield error(RULE, f"inputs.{attr}: inputs is a dict, so attribute access raises "
                        "AttributeError at run time",
                        code_span(step.code, anode.lineno, anode.col_offset, length),
                        step=step.common.id, hint=f"write inputs['{attr}']")
