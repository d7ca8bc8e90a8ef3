"""``flowdsl compile FILE [-o OUT]``: the definition JSON, or the exact request body."""

from __future__ import annotations

import sys

import click

from flowdsl.cli.common import require_regular, write_output
from flowdsl.cli.main import EXIT_FINDINGS
from flowdsl.emit.compiler import STEP_KEYS, compile_definition, create_request, dumps, version_request


@click.command("compile")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), help="Write here (default: stdout).")
@click.option("--request", "request", type=click.Choice(["create", "version"]),
              help="Emit the POST /workflows body (create) or the PUT version body (version).")
@click.option("--version-id", default="v1", show_default=True, help="Version id for --request version.")
@click.option("--step-key", type=click.Choice(STEP_KEYS), default="step_id", show_default=True,
              help="Key naming each step in the output.")
def compile_cmd(file: str, out: str | None, request: str | None, version_id: str, step_key: str) -> None:
    """Compile FILE to the each::workflows definition JSON. Refuses a flow with errors (exit 1)."""
    from flowdsl.cli.check_cmd import render
    from pathlib import Path

    from flowdsl.check.run import analyze
    from flowdsl.cli.setup import project_for
    require_regular(file)
    a = analyze(Path(file), project_for([Path(file)]))
    if a.errors or a.workflow is None:
        click.echo(render("text", a.diagnostics, {a.file: a.source}, False), err=True, nl=False)
        click.echo(f"flowdsl: not compiled: {a.errors} error(s) in {file}", err=True)
        sys.exit(EXIT_FINDINGS)
    wf = a.workflow
    if request == "create":
        body = create_request(wf, step_key)
    elif request == "version":
        body = version_request(wf, version_id, step_key)
    else:
        body = compile_definition(wf, step_key)
    write_output(out, dumps(body))
