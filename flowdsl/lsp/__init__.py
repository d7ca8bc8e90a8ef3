"""The language server (``flowdsl lsp``): the checker in the editor, on pygls + lsprotocol.

Every feature reads the one analysis (:func:`flowdsl.check.run.analyze`); nothing here
re-implements a check. Modules: ``server`` (wiring, debounce, error isolation),
``diagnostics``, ``completion``, ``hover``, ``navigation`` (definition, references,
rename), ``actions`` (code actions), ``symbols`` (outline), ``positions`` (span <-> range).
"""

from __future__ import annotations

__all__ = ["main"]


def main() -> None:
    from flowdsl.lsp.server import serve
    serve()
