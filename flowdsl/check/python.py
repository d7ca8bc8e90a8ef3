"""Shared by the python rules: positions of python code mapped into the flow file."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from flowdsl import ir
from flowdsl.spans import Span

if TYPE_CHECKING:
    from flowdsl.check.context import Context


@lru_cache(maxsize=1024)
def parse_python(text: str) -> ast.AST | SyntaxError:
    """The tree of a python step's code, shared by every step with the same text (flows
    repeat the same small snippets; positions in the tree are relative to the code, so
    the same tree serves every copy). Callers only read it."""
    try:
        return ast.parse(text, filename="<python step>")
    except SyntaxError as exc:
        return exc
    except ValueError as exc:  # NUL bytes in the source
        return SyntaxError(str(exc))


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
    result = facts_of_code(step.code.text)
    memo[key] = result
    return result


def facts_of_code(text: str) -> PythonFacts | None:
    """The facts of one code text, shared by every step with the same code (flows repeat
    the same snippets; like the tree they come from, they hold positions relative to the
    code, so one serves every copy)."""
    hit = _FACTS.get(text, _MISSING)
    if hit is not _MISSING:
        return hit  # type: ignore[return-value]
    result = _facts(parse_python(text))
    if len(_FACTS) >= 1024:  # a long-lived process (the language server) stays bounded
        _FACTS.clear()
    _FACTS[text] = result
    return result


_MISSING = object()
_FACTS: dict[str, PythonFacts | None] = {}


def _facts(tree: ast.AST | SyntaxError) -> PythonFacts | None:
    if isinstance(tree, SyntaxError):
        return None
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
    return PythonFacts(tuple(reads), binds, rebinds, tuple(attributes))
