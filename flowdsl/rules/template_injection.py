"""template-injection: a ``{{...}}`` template inside python code.

Substituting a value into source code turns data into code: a prompt containing a quote
breaks the program, and a crafted one runs arbitrary Python. Pass values through the step's
inputs and read them from the ``inputs`` dict instead.

    steps:
      - id: shout
        python: |
          result = "{{gen.output}}".upper()    # template-injection
    # instead:
      - id: shout
        python: |
          result = inputs['text'].upper()
        with: {text: "{{gen.output}}"}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flowdsl import ir
from flowdsl.diagnostics import Diagnostic, error
from flowdsl.rules._python import code_span

if TYPE_CHECKING:
    from flowdsl.checker import Context

RULE = "template-injection"


def check(ctx: "Context") -> Iterator[Diagnostic]:
    for step in ctx.steps():
        if not isinstance(step, ir.PythonStep) or "{{" not in step.code.text:
            continue
        for number, line in enumerate(step.code.text.splitlines(), start=1):
            start = line.find("{{")
            while start >= 0:
                end = line.find("}}", start + 2)
                stop = end + 2 if end >= 0 else len(line)
                inner = line[start + 2:end].strip() if end >= 0 else ""
                parts = inner.split(".") if inner else ["value"]
                name = (parts[-1] if parts[0] == "inputs" else parts[0]).replace("-", "_")
                yield error(RULE, f"template {line[start:stop]} inside python code",
                            code_span(step.code, number, start, stop - start),
                            step=step.common.id,
                            hint=f"pass it in with: {{{name or 'value'}: \"{line[start:stop]}\"}} "
                                 f"and read inputs['{name or 'value'}']")
                start = line.find("{{", stop)
