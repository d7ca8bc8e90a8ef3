"""How ``flowdsl check`` ends: the report, the closing line and the exit code. Shared by the
click command (:mod:`flowdsl.cli.check_cmd`) and the click-free start-up path
(:mod:`flowdsl.cli.quick`); click is imported only when there are findings to print."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from flowdsl.cli.exit_codes import EXIT_FINDINGS, EXIT_OK
from flowdsl.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from flowdsl.check.run import CheckedFile


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


def _say(line: str) -> None:
    # The closing line is ASCII, so writing it needs none of click.echo's stream handling.
    if sys.stdout is not None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def finish(results: list["CheckedFile"], files: list[Path], fmt: str, strict: bool,
           color: bool | None) -> int:
    """Print the report of ``results`` in ``fmt`` and return the exit code."""
    diags: list[Diagnostic] = [d for r in results for d in r.diagnostics]
    sources = {r.file: r.source for r in results if r.source}
    colored = use_color(color) if fmt == "text" else False
    text = render(fmt, diags, sources, colored)
    if text:
        import click

        # color=True: click strips ANSI codes from output that is not a terminal unless told.
        click.echo(text, nl=not text.endswith("\n"), color=colored or None)
    if fmt == "text" and not any(d.severity is not Severity.NOTE for d in diags):
        if files:
            _say(f"checked {_plural(len(files), 'file')}: no problems")
        else:
            _say("checked 0 files: no flow files found")
    if fmt == "github":
        from flowdsl.cli.common import warn
        from flowdsl.report.summary import append_step_summary, markdown
        problem = append_step_summary(markdown(diags, [r.file for r in results]))
        if problem:
            warn(problem)
    failing = any(d.severity.value == "error" or (strict and d.severity.value == "warning") for d in diags)
    return EXIT_FINDINGS if failing else EXIT_OK
