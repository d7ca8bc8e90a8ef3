"""``flowdsl graph FILE [--format mermaid|dot|json]``."""

from __future__ import annotations

import json
from typing import Any

import click

from flowdsl.cli.common import fail, format_option, require_regular, write_output
from flowdsl.cli.exit_codes import EXIT_FINDINGS, epilog


def graph_json(wf: Any) -> dict[str, Any]:
    """The diagram as data: nodes (id, label, shape) and edges (from, to, label)."""
    from flowdsl.emit import graph as g
    built = g.build(wf)
    # Labels hold Mermaid's escaped line break; in JSON it is a real one.
    return {
        "nodes": [{"id": n, "label": label.replace("\\n", "\n"), "shape": shape}
                  for n, label, shape in built.nodes],
        "edges": [{"from": a, "to": b, "label": label} for a, b, label in built.edges],
    }


@click.command("graph", epilog=epilog("graph"))
@click.argument("file", type=click.Path(dir_okay=False))
@format_option("mermaid", "dot", "json", default="mermaid",
               help="Mermaid flowchart, Graphviz digraph, or the nodes and edges as JSON.")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), help="Write here (default: stdout).")
def graph(file: str, fmt: str, out: str | None) -> None:
    """Draw FILE's steps as a Mermaid flowchart or a Graphviz digraph (or JSON)."""
    from flowdsl import report
    from flowdsl.emit import graph as g
    from flowdsl.frontend.source import load_workflow
    require_regular(file)
    r = load_workflow(file)
    if r.workflow is None or not r.workflow.steps:
        # Not a flow at all (or one with no steps): an empty diagram would hide that.
        click.echo(report.render("text", r.diagnostics, {r.file: r.source}), err=True, nl=False)
        fail(f"{file} has no steps to draw", EXIT_FINDINGS)
    if r.has_errors:  # draw what was read, but say the file has problems
        click.echo(report.render("text", r.diagnostics, {r.file: r.source}), err=True, nl=False)
    if fmt == "json":
        text = json.dumps(graph_json(r.workflow), indent=2, ensure_ascii=False) + "\n"
    else:
        text = g.mermaid(r.workflow) if fmt == "mermaid" else g.dot(r.workflow)
    write_output(out, text)
