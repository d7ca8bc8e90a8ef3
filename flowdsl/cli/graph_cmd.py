"""``flowdsl graph FILE [--format mermaid|dot]``."""

from __future__ import annotations

import sys

import click

from flowdsl.cli.common import write_output
from flowdsl.cli.main import EXIT_FINDINGS


@click.command("graph")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid", show_default=True)
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), help="Write here (default: stdout).")
def graph(file: str, fmt: str, out: str | None) -> None:
    """Draw FILE's steps as a Mermaid flowchart or a Graphviz digraph."""
    from flowdsl.emit import graph as g
    from flowdsl.cli.check_cmd import render
    from flowdsl.frontend.source import load_workflow
    r = load_workflow(file)
    if r.workflow is None or not r.workflow.steps:
        # Not a flow at all (or one with no steps): an empty diagram would hide that.
        click.echo(render("text", r.diagnostics, {r.file: r.source}, False), err=True, nl=False)
        click.echo(f"flowdsl: error: {file} has no steps to draw", err=True)
        sys.exit(EXIT_FINDINGS)
    if r.has_errors:  # draw what was read, but say the file has problems
        click.echo(render("text", r.diagnostics, {r.file: r.source}, False), err=True, nl=False)
    write_output(out, g.mermaid(r.workflow) if fmt == "mermaid" else g.dot(r.workflow))
