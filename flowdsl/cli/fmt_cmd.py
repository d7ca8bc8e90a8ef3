"""``flowdsl fmt [--check] [--diff] PATH...``: rewrite flows in canonical layout, keeping comments.

The work is done by :mod:`flowdsl.emit.format`, which refuses (with a one-line reason) any file
whose formatted text would not load, would compile differently or would lose a comment; such a
file is left untouched.
"""

from __future__ import annotations

import difflib
import json
import sys
from typing import Any

import click

from flowdsl.cli.common import collect, format_option, replace_file, warn
from flowdsl.cli.exit_codes import EXIT_FINDINGS, EXIT_OK, epilog


@click.command("fmt", epilog=epilog("fmt"))
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a file would change.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Print a unified diff of each change instead of writing it (exit 1 only with --check).")
@click.option("--drop-comments", is_flag=True, hidden=True,
              help="Deprecated, does nothing: fmt keeps comments.")
@format_option("text", "json",
               help="text: a line per file changed or refused; json: one document listing every file.")
def fmt(paths: tuple[str, ...], check: bool, show_diff: bool, drop_comments: bool, fmt: str) -> None:
    """Rewrite .flow.yaml files in canonical layout, keeping comments (JSON definitions are left alone)."""
    from flowdsl.emit.format import FormatRefused, format_text

    if drop_comments:
        warn("--drop-comments is deprecated and does nothing; fmt keeps comments")
    as_json = fmt == "json"
    dry = check or show_diff
    files: list[dict[str, Any]] = []

    def say(line: str, err: bool = False) -> None:
        if not as_json:
            click.echo(line, err=err)

    for f in collect(paths):
        if f.suffix == ".json":
            continue
        entry: dict[str, Any] = {"file": str(f)}
        files.append(entry)
        try:
            st = f.stat()
            source = f.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            entry.update(status="refused", reason=f"cannot read it ({type(exc).__name__})")
            say(f"{f}: not formatted: {entry['reason']}", err=True)
            continue
        try:
            new = format_text(source, str(f))
        except FormatRefused as exc:
            entry.update(status="refused", reason=str(exc))
            say(f"{f}: not formatted: {exc}", err=True)
            continue
        if new == source:
            entry["status"] = "unchanged"
            continue
        diff = "".join(difflib.unified_diff(
            source.splitlines(keepends=True), new.splitlines(keepends=True),
            fromfile=f"{f}", tofile=f"{f} (formatted)"))
        if dry:
            entry["status"] = "would-reformat"
            say(f"{f}: would reformat")
            if show_diff:
                entry["diff"] = diff
                if not as_json:
                    click.echo(diff, nl=False)
            continue
        try:
            # Through a symlink, keeping the file's mode: fmt edits the file, not the link.
            replace_file(f, new.encode("utf-8"), st)
        except OSError as exc:
            entry.update(status="refused", reason=f"cannot write it ({exc.strerror or exc})")
            say(f"{f}: not formatted: {entry['reason']}", err=True)
            continue
        entry["status"] = "reformatted"
        say(f"{f}: reformatted")
    changed = sum(e["status"] in ("would-reformat", "reformatted") for e in files)
    refused = sum(e["status"] == "refused" for e in files)
    if as_json:
        click.echo(json.dumps({"files": files, "changed": changed, "refused": refused,
                               "check": check}, indent=2))
    sys.exit(EXIT_FINDINGS if refused or (check and changed) else EXIT_OK)
