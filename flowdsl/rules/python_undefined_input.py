"""python-undefined-input: python code reads an input its step does not declare.

A python step sees only what its ``with:`` (engine: ``inputs``) passes in, as the dict
``inputs``. ``inputs['x']`` for an undeclared ``x`` raises ``KeyError`` at run time;
``inputs.get('x')`` silently yields ``None`` (``inputs.get('x', default)`` is deliberate and
does not fire). Positions are mapped into the flow file.

    steps:
      - id: shout
        python: |
          result = inputs['txt'].upper()    # python-undefined-input: "txt" is not declared
        with: {text: "{{gen.output}}"}      #   (did you mean "text"?)
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterator

from flowdsl import ir
from flowdsl.diagnostics import Diagnostic, error
from flowdsl.rules._python import code_span
from flowdsl.suggest import closest

if TYPE_CHECKING:
    from flowdsl.checker import Context

RULE = "python-undefined-input"


def _reads(tree: ast.AST) -> Iterator[tuple[str, ast.expr, str]]:
    """(name, node of the name literal, how) for inputs['x'] and inputs.get('x')."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) \
                and node.value.id == "inputs" and isinstance(node.ctx, ast.Load):
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                yield key.value, key, "index"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "get" and isinstance(node.func.value, ast.Name) \
                and node.func.value.id == "inputs" and len(node.args) == 1 and not node.keywords:
            key = node.args[0]
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                yield key.value, key, "get"


def _rebinds_inputs(tree: ast.AST) -> bool:
    return any(isinstance(n, ast.Name) and n.id == "inputs" and isinstance(n.ctx, ast.Store)
               for n in ast.walk(tree))


def check(ctx: "Context") -> Iterator[Diagnostic]:
    for step in ctx.steps():
        if not isinstance(step, ir.PythonStep):
            continue
        tree = ctx.python_ast(step)
        if isinstance(tree, SyntaxError) or _rebinds_inputs(tree):
            continue
        declared = step.inputs.names() if step.inputs is not None else []
        for name, node, how in _reads(tree):
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
