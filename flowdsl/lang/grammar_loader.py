"""Load the lark grammars shipped inside the package (``flowdsl/grammars/*.lark``)."""

from __future__ import annotations

from functools import cache

from lark import Lark


@cache
def grammar(name: str) -> Lark:
    # LALR: linear time and a contextual lexer; positions on so every token knows its offset.
    # cache=True stores the compiled tables in the temp dir, which halves start-up time.
    return Lark.open_from_package("flowdsl.lang", f"{name}.lark", ("grammars",), parser="lalr",
                                  propagate_positions=True, maybe_placeholders=False, cache=True)
