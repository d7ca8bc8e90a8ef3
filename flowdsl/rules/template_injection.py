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

import re
from typing import TYPE_CHECKING, Iterator

from flowdsl import codes
from flowdsl.diagnostics import Diagnostic, error
from flowdsl.check.python import code_span

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.TEMPLATE_INJECTION


# {{ dotted.name }}: what a template looks like. Detection in foreign text (Python), where
# "{{" is also an escaped brace in f-strings and format strings.
_TEMPLATE = re.compile(r"\{\{\s*([A-Za-z0-9_][A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_][A-Za-z0-9_\-]*)*)\s*\}\}")


def check(ctx: "Context") -> Iterator[Diagnostic]:
    for step in ctx.python_steps:
        if "{{" not in step.code.text:
            continue
        for number, line in enumerate(step.code.text.splitlines(), start=1):
            for m in _TEMPLATE.finditer(line):
                parts = m.group(1).split(".")
                root = parts[0]
                # f"{{x}}" is an escaped brace; only a reference-shaped name is a template.
                if len(parts) == 1 and root not in ctx.symbols.steps:
                    continue
                if len(parts) > 1 and root != "inputs" and root not in ctx.symbols.steps:
                    continue
                name = (parts[-1] if root == "inputs" else root).replace("-", "_")
                text = m.group(0)
                yield error(RULE, f"template {text} inside python code",
                            code_span(step.code, number, m.start(), len(text)),
                            step=step.common.id,
                            hint=f'pass it in with: {{{name}: "{text}"}} and read inputs[\'{name}\']')
