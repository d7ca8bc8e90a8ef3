"""python-syntax: the code of a python step does not compile.

The code is compiled with Python's own parser and the error placed on the exact line and
column of the flow file: inside a ``|`` block scalar each code line maps to its own file
line; in a quoted string the position is the string's start (exact columns for a one-line
string without escapes).

    steps:
      - id: shout
        python: |
          text = inputs['text']
          result = text.upper(     # python-syntax: '(' was never closed
        with: {text: "{{gen.output}}"}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flowdsl import codes
from flowdsl.diagnostics import Diagnostic, error
from flowdsl.check.python import code_span

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.PYTHON_SYNTAX


def check(ctx: "Context") -> Iterator[Diagnostic]:
    for step in ctx.python_steps:
        tree = ctx.python_ast(step)
        if not isinstance(tree, SyntaxError):
            continue
        line = tree.lineno or 1
        col = max((tree.offset or 1) - 1, 0)
        length = 1
        end_line, end_offset = getattr(tree, "end_lineno", None), getattr(tree, "end_offset", None)
        if end_line == line and end_offset and tree.offset and end_offset > tree.offset:
            length = end_offset - tree.offset
        yield error(RULE, f"python: {tree.msg}", code_span(step.code, line, col, length),
                    step=step.common.id)
