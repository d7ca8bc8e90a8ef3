"""``flowdsl check PATH...`` (alias ``lint``)."""

from __future__ import annotations

import os
import sys

import click

from flowdsl.cli.common import collect
from flowdsl.cli.main import EXIT_FINDINGS, EXIT_OK
from flowdsl.diagnostics import Diagnostic

FORMATS = ("text", "json", "sarif", "github")


def render(fmt: str, diags: list[Diagnostic], sources: dict[str, str], color: bool) -> str:
    from flowdsl import report
    return report.render(fmt, diags, sources, color=color)


def use_color(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


@click.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="How findings are printed.")
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@click.option("--color/--no-color", default=None, help="Colour text output (default: on a TTY, unless NO_COLOR).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="flowdsl.toml or pyproject.toml to read (default: nearest one).")
def check(paths: tuple[str, ...], fmt: str, strict: bool, color: bool | None, config_path: str | None) -> None:
    """Check .flow.yaml files and JSON definitions; directories are searched recursively.

    Exit 0 when there are no errors, 1 when there are (or warnings with --strict),
    2 on bad usage, 3 on an internal error.
    """
    from flowdsl.check.run import check_files
    from flowdsl.cli.setup import project_for
    files = collect(paths)
    project = project_for(files, config_path)
    # Many files are spread over every CPU (see check.run.check_files); results keep input order.
    results = check_files(files, project)
    diags: list[Diagnostic] = [d for r in results for d in r.diagnostics]
    sources = {r.file: r.source for r in results if r.source}
    text = render(fmt, diags, sources, use_color(color) if fmt == "text" else False)
    if text:
        click.echo(text, nl=not text.endswith("\n"))
    failing = any(d.severity.value == "error" or (strict and d.severity.value == "warning") for d in diags)
    sys.exit(EXIT_FINDINGS if failing else EXIT_OK)
