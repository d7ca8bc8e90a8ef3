"""``flowdsl fmt [--check] [--diff] PATH...``: rewrite flows in canonical layout, keeping comments.

The work is done by :mod:`flowdsl.emit.format`, which refuses (with a one-line reason) any file
whose formatted text would not load, would compile differently or would lose a comment; such a
file is left untouched.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import click

from flowdsl.cli.common import collect
from flowdsl.cli.main import EXIT_FINDINGS, EXIT_OK


@click.command("fmt")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a file would change.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Print a unified diff of each change instead of writing it (exit 1 only with --check).")
@click.option("--drop-comments", is_flag=True, hidden=True,
              help="Deprecated, does nothing: fmt keeps comments.")
def fmt(paths: tuple[str, ...], check: bool, show_diff: bool, drop_comments: bool) -> None:
    """Rewrite .flow.yaml files in canonical layout, keeping comments (JSON definitions are left alone)."""
    from flowdsl.catalog.cache import atomic_write
    from flowdsl.emit.format import FormatRefused, format_text

    if drop_comments:
        click.echo("note: --drop-comments is deprecated and does nothing; fmt keeps comments", err=True)
    changed = failed = 0
    for f in collect(paths):
        if f.suffix == ".json":
            continue
        try:
            source = f.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            click.echo(f"{f}: not formatted: cannot read it ({type(exc).__name__})", err=True)
            failed += 1
            continue
        try:
            new = format_text(source, str(f))
        except FormatRefused as exc:
            click.echo(f"{f}: not formatted: {exc}", err=True)
            failed += 1
            continue
        if new == source:
            continue
        changed += 1
        if check or show_diff:
            click.echo(f"{f}: would reformat")
            if show_diff:
                click.echo("".join(difflib.unified_diff(
                    source.splitlines(keepends=True), new.splitlines(keepends=True),
                    fromfile=f"{f}", tofile=f"{f} (formatted)")), nl=False)
        else:
            atomic_write(Path(f), new.encode("utf-8"))
            click.echo(f"{f}: reformatted")
    sys.exit(EXIT_FINDINGS if failed or (check and changed) else EXIT_OK)
