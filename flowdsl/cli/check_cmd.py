"""``flowdsl check PATH...`` (alias ``lint``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from flowdsl.cli.common import collect, format_option, warn
from flowdsl.cli.exit_codes import epilog
from flowdsl.cli.main import EXIT_FINDINGS, EXIT_OK
from flowdsl.diagnostics import Diagnostic, Severity

FORMATS = ("text", "json", "sarif", "github")


def render(fmt: str, diags: list[Diagnostic], sources: dict[str, str], color: bool) -> str:
    from flowdsl import report
    return report.render(fmt, diags, sources, color=color)


def use_color(flag: bool | None, env: dict[str, str] | None = None) -> bool:
    """--color / --no-color win; else colour on a TTY unless NO_COLOR is set to a non-empty
    value (https://no-color.org: an empty NO_COLOR does not disable colour)."""
    if flag is not None:
        return flag
    environ = os.environ if env is None else env
    return sys.stdout.isatty() and not environ.get("NO_COLOR")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _empty_paths(paths: tuple[str, ...], files: list[Path]) -> list[str]:
    """The directories named that hold no file to check."""
    empty = []
    for p in paths:
        d = Path(p)
        if d.is_dir() and not any(f == d or d in f.parents for f in files):
            empty.append(p)
    return empty


@click.command("check", epilog=epilog("check"))
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@format_option(*FORMATS,
               help="How findings are printed. 'github' prints workflow-command annotations and, "
                    "under GitHub Actions, appends a Markdown summary to $GITHUB_STEP_SUMMARY.")
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@click.option("--color/--no-color", default=None,
              help="Colour text output; --color forces it even into a pipe "
                   "(default: on a TTY, unless NO_COLOR is set and non-empty).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="flowdsl.toml or pyproject.toml to read (default: nearest one).")
def check(paths: tuple[str, ...], fmt: str, strict: bool, color: bool | None,
          config_path: str | None) -> None:
    """Check .flow.yaml files and JSON definitions; directories are searched recursively.

    With the text format a clean run ends with one line, "checked N files: no problems".
    A directory that holds no flow file is reported on stderr (the exit code is not changed).
    """
    from flowdsl.check.run import check_files
    from flowdsl.cli.setup import project_for
    files = collect(paths)
    for p in _empty_paths(paths, files):
        warn(f"{p}: no flow files (*.flow.yaml, workflow *.json) found")
    project = project_for(files, config_path)
    # Many files are spread over every CPU (see check.run.check_files); results keep input order.
    results = check_files(files, project, slim=True)  # the report needs no IR: flat memory
    diags: list[Diagnostic] = [d for r in results for d in r.diagnostics]
    sources = {r.file: r.source for r in results if r.source}
    colored = use_color(color) if fmt == "text" else False
    text = render(fmt, diags, sources, colored)
    if text:
        # color=True: click strips ANSI codes from output that is not a terminal unless told.
        click.echo(text, nl=not text.endswith("\n"), color=colored or None)
    if fmt == "text" and not any(d.severity is not Severity.NOTE for d in diags):
        if files:
            click.echo(f"checked {_plural(len(files), 'file')}: no problems")
        else:
            click.echo("checked 0 files: no flow files found")
    if fmt == "github":
        from flowdsl.report.summary import append_step_summary, markdown
        problem = append_step_summary(markdown(diags, [r.file for r in results]))
        if problem:
            warn(problem)
    failing = any(d.severity.value == "error" or (strict and d.severity.value == "warning") for d in diags)
    sys.exit(EXIT_FINDINGS if failing else EXIT_OK)
