"""Shared by the python rules: positions of python code mapped into the flow file."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flowdsl import ir
from flowdsl.spans import Span

if TYPE_CHECKING:
    from flowdsl.check.context import Context


def code_span(code: ir.CodeBlock, line: int, col: int, length: int = 1) -> Span:
    """The file span of ``length`` characters at 1-based ``line`` / 0-based ``col`` of the
    code (Python's own convention for node positions)."""
    f_line, f_col = code.position(line, col)
    return Span.point(code.span.file, f_line, f_col, length)


def first_line_span(code: ir.CodeBlock) -> Span:
    first = code.text.splitlines()[0] if code.text.strip() else ""
    return code_span(code, 1, 0, max(len(first), 1))


@dataclass(frozen=True, slots=True)
class PythonFacts:
    """What the python rules need from one step's code, found in a single AST walk."""

    reads: tuple[tuple[str, ast.expr, str], ...]  # (name, key node, "index" | "get")
    binds_result: bool  # at module level (or through ``global result``)
    rebinds_inputs: bool
    # ``inputs.text``: attribute reads on the inputs dict (attribute, node).
    attributes: tuple[tuple[str, ast.Attribute], ...] = ()


# What a dict answers to as an attribute: anything else on ``inputs`` is an AttributeError.
DICT_METHODS = frozenset(n for n in dir(dict) if not n.startswith("_"))
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda,
           ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _module_level(tree: ast.AST) -> "list[ast.AST]":
    """The nodes of the module's own scope: not inside a function, class or lambda body."""
    out: list[ast.AST] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        out.append(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _SCOPES):
                # The name a def/class binds is in this scope; its body is not.
                out.append(child)
                continue
            stack.append(child)
    return out


def facts(ctx: "Context", step: ir.PythonStep) -> PythonFacts | None:
    """None when the code does not parse (python-syntax reports that)."""
    memo = ctx.python_facts
    key = id(step)
    if key in memo:
        return memo[key]
    tree = ctx.python_ast(step)
    result: PythonFacts | None = None
    if not isinstance(tree, SyntaxError):
        reads: list[tuple[str, ast.expr, str]] = []
        binds = rebinds = False
        attributes: list[tuple[str, ast.Attribute]] = []
        for node in _module_level(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                binds = binds or node.id == "result"
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                binds = binds or node.name == "result"
            elif isinstance(node, ast.alias):
                binds = binds or (node.asname or node.name) == "result"
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                if isinstance(node.ctx, ast.Store):
                    rebinds = rebinds or node.id == "inputs"
            elif isinstance(node, ast.Attribute):
                if isinstance(node.value, ast.Name) and node.value.id == "inputs" \
                        and node.attr not in DICT_METHODS:
                    attributes.append((node.attr, node))
            elif isinstance(node, ast.Subscript):
                if isinstance(node.value, ast.Name) and node.value.id == "inputs" \
                        and isinstance(node.ctx, ast.Load) and isinstance(node.slice, ast.Constant) \
                        and isinstance(node.slice.value, str):
                    reads.append((node.slice.value, node.slice, "index"))
            elif isinstance(node, ast.Call):
                f = node.func
                if isinstance(f, ast.Attribute) and f.attr == "get" \
                        and isinstance(f.value, ast.Name) and f.value.id == "inputs" \
                        and len(node.args) == 1 and not node.keywords \
                        and isinstance(node.args[0], ast.Constant) \
                        and isinstance(node.args[0].value, str):
                    reads.append((node.args[0].value, node.args[0], "get"))
            elif isinstance(node, ast.Global):
                binds = binds or "result" in node.names
        result = PythonFacts(tuple(reads), binds, rebinds, tuple(attributes))
    memo[key] = result
    return result
