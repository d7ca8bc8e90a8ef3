"""``flowdsl compile FILE [-o OUT]``: the definition JSON, or the exact request body.

The definition goes to stdout (or ``-o``); findings go to stderr: errors refuse the flow
(exit 1), warnings are printed and the flow is still compiled. ``--format json`` prints the
findings on stderr as the JSON list ``check --format json`` prints (and nothing else there),
so a script can parse both streams.
"""

from __future__ import annotations

import sys

import click

from flowdsl.cli.common import fail, format_option, require_regular, write_output
from flowdsl.cli.exit_codes import EXIT_FINDINGS, epilog
from flowdsl.emit.compiler import STEP_KEYS, compile_definition, create_request, dumps, version_request


@click.command("compile", epilog=epilog("compile"))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), help="Write here (default: stdout).")
@click.option("--request", "request", type=click.Choice(["create", "version"]),
              help="Emit the POST /workflows body (create) or the PUT version body (version).")
@click.option("--version-id", default="v1", show_default=True, help="Version id for --request version.")
@click.option("--step-key", type=click.Choice(STEP_KEYS), default="step_id", show_default=True,
              help="Key naming each step in the output.")
@format_option("text", "json", help="How findings (errors, warnings) are printed on stderr.")
def compile_cmd(file: str, out: str | None, request: str | None, version_id: str, step_key: str,
                fmt: str) -> None:
    """Compile FILE to the each::workflows definition JSON. Refuses a flow with errors (exit 1);
    warnings are printed on stderr and the flow is compiled."""
    from pathlib import Path

    from flowdsl import report
    from flowdsl.check.run import analyze
    from flowdsl.cli.setup import project_for
    from flowdsl.diagnostics import Severity
    require_regular(file)
    a = analyze(Path(file), project_for([Path(file)]))
    shown = [d for d in a.diagnostics if d.severity is not Severity.NOTE]
    if fmt == "json":
        click.echo(report.render("json", shown, {}), err=True, nl=False)
    elif shown:
        click.echo(report.render("text", shown, {a.file: a.source}), err=True, nl=False)
    if a.errors or a.workflow is None:
        if fmt == "json":
            sys.exit(EXIT_FINDINGS)  # stderr holds the JSON findings only
        fail(f"not compiled: {a.errors} error(s) in {file}", EXIT_FINDINGS)
    wf = a.workflow
    if request == "create":
        body = create_request(wf, step_key)
    elif request == "version":
        body = version_request(wf, version_id, step_key)
    else:
        body = compile_definition(wf, step_key)
    write_output(out, dumps(body))
