"""``{{...}}`` templates, parsed by the lark grammar in ``grammars/template.lark``.

Well-formed templates (nearly all of them) are split by a regular expression that spells the
grammar's shape; lark is imported only to explain a template that is not well formed, so a
clean flow never pays its ~25 ms import.

Parsing is position-independent (offsets into the string) and memoised: the same template
text appears in many steps and many files, and a flow's positions are applied afterwards by
the front end, which knows where the string sits in the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from lark import Lark
    from lark.exceptions import UnexpectedInput


@dataclass(frozen=True, slots=True)
class RawRef:
    path: tuple[str, ...]
    start: int  # offset of "{{"
    end: int  # offset just past "}}"


@dataclass(frozen=True, slots=True)
class TemplateError:
    message: str
    offset: int
    length: int = 1


Scan = tuple[tuple[Union[str, RawRef], ...], TemplateError | None]


def _parser() -> "Lark":
    from flowdsl.lang.grammar_loader import grammar

    return grammar("template")


def has_template(text: str) -> bool:
    return "{{" in text


def _open_brace_before(text: str, offset: int) -> int:
    idx = text.rfind("{{", 0, offset + 1)
    return idx if idx >= 0 else offset


# One whole, well-formed template, exactly as grammars/template.lark spells it.
_TEMPLATE = re.compile(r"\{\{[ \t]*([A-Za-z0-9_][A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_][A-Za-z0-9_\-]*)*)[ \t]*\}\}")


@lru_cache(maxsize=65536)
@lru_cache(maxsize=4096)  # flows repeat their templates; the result is immutable
def scan(text: str) -> Scan:
    """Split ``text`` into literal parts and references, or say what is wrong.

    Linear time: a regular-expression pass does the splitting (lark's tree for a string of
    20,000 templates takes seconds); the grammar only explains the first template that is
    not well formed, parsing from that template on."""
    parts: list[Union[str, RawRef]] = []
    pos = 0
    while True:
        opened = text.find("{{", pos)
        if opened < 0:
            if pos < len(text):
                parts.append(text[pos:])
            return tuple(parts), None
        m = _TEMPLATE.match(text, opened)
        if m is None:
            break
        if opened > pos:
            parts.append(text[pos:opened])
        parts.append(RawRef(tuple(m.group(1).split(".")), opened, m.end()))
        pos = m.end()
    from lark.exceptions import UnexpectedInput

    try:
        _parser().parse(text[opened:])
    except UnexpectedInput as exc:
        problem = _explain(text[opened:], exc)
        return (), TemplateError(problem.message, problem.offset + opened, problem.length)
    return _scan_with_grammar(text)  # pragma: no cover - the regex and grammar agree


def _scan_with_grammar(text: str) -> Scan:
    from lark import Token, Tree
    from lark.exceptions import UnexpectedInput

    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        return (), _explain(text, exc)
    parts: list[Union[str, RawRef]] = []
    for child in tree.children:
        if isinstance(child, Token):
            parts.append(str(child))
            continue
        assert isinstance(child, Tree)
        open_tok, ref_tree, close_tok = child.children[0], child.children[1], child.children[-1]
        assert isinstance(ref_tree, Tree) and isinstance(open_tok, Token) and isinstance(close_tok, Token)
        path = tuple(str(t) for t in ref_tree.children)
        parts.append(RawRef(path, open_tok.start_pos or 0, close_tok.end_pos or 0))
    return tuple(parts), None


def _explain(text: str, exc: "UnexpectedInput") -> TemplateError:
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    pos = getattr(exc, "pos_in_stream", None)
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        start = text.rfind("{{")
        return TemplateError("'{{' is never closed: expected a reference and '}}'", max(start, 0), 2)
    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        at = tok.start_pos or 0
        opened = _open_brace_before(text, at)
        inner = text[opened + 2:at].strip()
        if tok.type == "OPEN":
            return TemplateError("'{{' opened inside another template", at, 2)
        # The contextual lexer may hand "}} ..." over as TEXT; it still closes the template.
        if (tok.type == "CLOSE" or str(tok).startswith("}}")) and not inner:
            return TemplateError("empty template '{{}}': expected a reference such as "
                                 "inputs.name or step.primary", opened, at + 2 - opened)
        if inner.endswith("."):
            return TemplateError("expected a name after '.' in template", at, 1)
        return TemplateError(f"unexpected {str(tok)[:1]!r} in template: expected '.name' or '}}}}'",
                             at, 1)
    if isinstance(exc, UnexpectedCharacters):
        offset = pos or 0
        ch = text[offset] if offset < len(text) else ""
        if ch == "}" or ch == "." or text[offset - 1:offset] == ".":
            return TemplateError(f"unexpected {ch!r} in template: a reference is dot-separated names "
                                 "such as step.output.field", offset, 1)
        return TemplateError(f"unexpected character {ch!r} in template: expected a dotted reference "
                             "such as inputs.name or step.primary, then '}}'", offset, 1)
    return TemplateError("invalid template", 0, len(text))
