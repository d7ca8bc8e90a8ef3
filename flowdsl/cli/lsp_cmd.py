"""``flowdsl lsp``: the language server on stdio (needs the ``lsp`` extra: pygls, lsprotocol)."""

from __future__ import annotations

import click

from flowdsl.cli.exit_codes import epilog


@click.command("lsp", epilog=epilog("lsp"))
@click.option("--stdio", is_flag=True, default=True, hidden=True,
              help="Talk LSP over stdin/stdout (the only transport; accepted for editors that pass it).")
def lsp(stdio: bool) -> None:
    """Run the language server over stdio (diagnostics, completion, hover, rename...)."""
    try:
        from flowdsl.lsp import main
    except ImportError as exc:  # pygls/lsprotocol missing
        raise click.ClickException(
            f"the language server needs pygls and lsprotocol ({exc}); "
            "install them with: pip install 'flowdsl[lsp]'") from exc
    main()
