"""``flowdsl fmt [--check] PATH...``: rewrite flows in canonical form (the import printer).

The printer works from the IR, which has no comments; so a file with comments (other than
the yaml-language-server modeline) is left alone and reported, unless --drop-comments.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from flowdsl.cli.common import collect
from flowdsl.cli.main import EXIT_FINDINGS, EXIT_OK

_MODELINE = re.compile(r"^#\s*yaml-language-server:\s*\$schema=(\S+)")


def _comments(text: str) -> tuple[str | None, bool]:
    """The modeline's schema path, and whether any other comment is present."""
    schema = None
    lines = text.splitlines()
    if lines and (m := _MODELINE.match(lines[0])):
        schema = m.group(1)
    has_other = False
    # YAML parsers drop comments; a '#' starts one at a line start or after a blank outside
    # quotes. Erring towards "has comments" only means a file is left alone.
    for i, ln in enumerate(lines):
        if i == 0 and schema:
            continue
        stripped = ln.lstrip()
        if stripped.startswith("#") or re.search(r"\s#", ln.split('"')[0].split("'")[0]):
            has_other = True
            break
    return schema, has_other


@click.command("fmt")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a file is not canonical.")
@click.option("--drop-comments", is_flag=True, help="Format files with comments too (the comments are lost).")
def fmt(paths: tuple[str, ...], check: bool, drop_comments: bool) -> None:
    """Rewrite .flow.yaml files in canonical layout (JSON definitions are left alone)."""
    from flowdsl.frontend.source import load_workflow
    from flowdsl.emit.printer import print_flow
    from flowdsl.catalog.cache import atomic_write
    changed = failed = 0
    for f in collect(paths):
        if f.suffix == ".json":
            continue
        r = load_workflow(f)
        if r.workflow is None or r.has_errors:
            click.echo(f"{f}: not formatted: it has errors (run flowdsl check)", err=True)
            failed += 1
            continue
        schema, has_comments = _comments(r.source)
        new = print_flow(r.workflow, schema)
        if new == r.source:
            continue
        if has_comments and not drop_comments:
            click.echo(f"{f}: not formatted: it has comments, which formatting would drop "
                       "(use --drop-comments)", err=True)
            failed += 1
            continue
        changed += 1
        if check:
            click.echo(f"{f}: would reformat")
        else:
            atomic_write(Path(f), new.encode("utf-8"))
            click.echo(f"{f}: reformatted")
    sys.exit(EXIT_FINDINGS if failed or (check and changed) else EXIT_OK)
