"""``flowdsl check PATH...`` (alias ``lint``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from flowdsl.cli.check_report import finish, render as render, use_color as use_color
from flowdsl.cli.common import collect, format_option, warn
from flowdsl.cli.exit_codes import epilog
from flowdsl.cli.quick import handed_over

FORMATS = ("text", "json", "sarif", "github")


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
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes for many files (default: the CPUs no other process is "
                   "using now; fewer than 64 files are always checked in this process).")
def check(paths: tuple[str, ...], fmt: str, strict: bool, color: bool | None,
          config_path: str | None, jobs: int | None) -> None:
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
    handed = handed_over(paths) if config_path is None else None  # see cli.quick
    if isinstance(handed, BaseException):
        raise handed
    # Many files are spread over every CPU (see check.run.check_files); results keep input order.
    # The report needs no IR (slim): flat memory.
    results = handed if handed is not None else check_files(files, project, jobs=jobs, slim=True)
    sys.exit(finish(results, files, fmt, strict, color))
