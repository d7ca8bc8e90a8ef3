"""``flowdsl check FILE...`` without importing click (~9 ms of a ~0.1 s run).

Only the plainest command line is answered here: ``check`` (or ``lint``) followed by a few
names of regular files, no option. The check runs as the click command runs it; a clean
result prints its one closing line through the same :func:`~flowdsl.cli.check_report.finish`.
Everything else goes to the click command, so every message and exit code stays the
command's own: any other command line is not looked at, a bad configuration is read again
there (and reported there), and findings or an exception are handed over with
:func:`handed_over` so the command prints or raises them without checking again.
tests/core/test_cli_quick.py compares this path with the click one.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from flowdsl.cli.basics import is_regular

if TYPE_CHECKING:
    from flowdsl.check.run import CheckedFile

# Start-up matters for a few files; many files spend their time checking, not importing.
QUICK_MAX_FILES = 16

Handoff = list["CheckedFile"] | BaseException
_handoff: tuple[tuple[str, ...], Handoff] | None = None


def handed_over(paths: tuple[str, ...]) -> Handoff | None:
    """What :func:`quick_check` left for the click command checking ``paths`` (results
    with findings, or the exception it met), once; None when it left nothing."""
    global _handoff
    got, _handoff = _handoff, None
    return got[1] if got is not None and got[0] == paths else None


def clear_handoff() -> None:
    global _handoff
    _handoff = None


def _applies(args: list[str]) -> bool:
    if len(args) < 2 or len(args) > 1 + QUICK_MAX_FILES or args[0] not in ("check", "lint"):
        return False
    if sys.platform.startswith("win") or "_FLOWDSL_COMPLETE" in os.environ:
        return False  # click expands wildcards on Windows, and answers shell completion
    # Options, "--" and "-" are click's to parse; directories, missing files and devices
    # get collect()'s messages there.
    return all(p and not p.startswith("-") and is_regular(Path(p)) for p in args[1:])


def quick_check(args: list[str]) -> int | None:
    """The exit code of ``flowdsl ARGS`` when answered here, else None (click's turn)."""
    global _handoff
    if not _applies(args):
        return None
    from flowdsl.check.run import Project, check_files
    from flowdsl.cli.check_report import finish

    paths = tuple(args[1:])
    files = list({str(Path(p)): Path(p) for p in paths}.values())  # what collect() returns
    try:
        project = Project.for_paths(files, None)
    except Exception:  # noqa: BLE001 - a bad configuration: the command says so its way
        return None
    try:
        results = check_files(files, project, slim=True)
    except BaseException as exc:  # noqa: BLE001 - Ctrl-C included: the command ends it its way
        _handoff = (paths, exc)
        return None
    if any(r.diagnostics for r in results):
        _handoff = (paths, results)
        return None
    try:
        return finish(results, files, "text", False, None)
    except BaseException as exc:  # noqa: BLE001 - a closed stdout, Ctrl-C
        _handoff = (paths, exc)
        return None
