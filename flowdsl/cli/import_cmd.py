"""``flowdsl import FILE [-o OUT]``: a JSON definition, create request or legacy console export
as a canonical ``.flow.yaml``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from flowdsl.cli.common import fail, format_option, require_regular, write_output
from flowdsl.cli.main import EXIT_FINDINGS
from flowdsl.diagnostics import Severity


def _schema_modeline(out: str | None) -> str | None:
    """A relative path to schemas/flow.schema.json when the output sits inside a checkout
    that has one; None otherwise (then no modeline is written)."""
    if out in (None, "-"):
        return None
    here = Path(out).resolve().parent
    for d in (here, *here.parents):
        candidate = d / "schemas" / "flow.schema.json"
        if candidate.is_file():
            return os.path.relpath(candidate, here)
    return None


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), help="Write here (default: stdout).")
@format_option("text", "json", help="How findings (errors, warnings) are printed on stderr.")
def import_cmd(file: str, out: str | None, fmt: str) -> None:
    """Turn FILE (engine JSON, create request or legacy console export) into .flow.yaml.

    Exit 1 when FILE has errors (reported on stderr; the flow is still written)."""
    from flowdsl.cli.check_cmd import render
    from flowdsl.frontend.importers import import_file
    from flowdsl.emit.printer import print_flow
    require_regular(file)  # a FIFO would block the read forever
    result = import_file(file)
    shown = [d for d in result.diagnostics if d.severity is not Severity.NOTE]
    if fmt == "json":
        click.echo(render("json", shown, {result.file: result.source}, False), err=True, nl=False)
    elif shown:
        click.echo(render("text", shown, {result.file: result.source}, False), err=True, nl=False)
    if result.workflow is None:
        if fmt == "json":
            sys.exit(EXIT_FINDINGS)  # stderr holds the JSON findings only
        fail(f"cannot import {file}", EXIT_FINDINGS)
    # The flow is written even when the source has mistakes (they are easier to fix in the
    # .flow.yaml); the exit code says there were some.
    write_output(out, print_flow(result.workflow, _schema_modeline(out), result.notes))
    if result.has_errors:
        sys.exit(EXIT_FINDINGS)
