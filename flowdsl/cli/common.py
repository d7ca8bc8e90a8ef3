"""Pieces the commands share: finding files, loading + checking, writing outputs."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import click


FLOW_GLOBS = ("*.flow.yaml", "*.flow.yml")
SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache"}


class UsageError(click.UsageError):
    """Bad input to a command: one line on stderr, exit 2."""


def is_regular(path: Path) -> bool:
    """A regular file (following symlinks): never a FIFO, a device or a socket."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def require_regular(p: str) -> Path:
    """A named input that must be a readable regular file, else a one-line usage error."""
    path = Path(p)
    if not path.exists():
        raise UsageError(f"no such file or directory: {p}")
    if not is_regular(path):
        raise UsageError(f"not a regular file: {p} (only regular files are read)")
    return path


def _looks_like_definition(path: Path) -> bool:
    # In a directory walk only JSON that can be a workflow is taken (not package.json...).
    if not is_regular(path):
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
    except OSError:
        return False
    return b'"steps"' in head or b'"definition"' in head


def collect(paths: tuple[str, ...]) -> list[Path]:
    """Files named, and flow files found under directories named (sorted, deduplicated)."""
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
                for name in sorted(files):
                    f = Path(root) / name
                    if name.endswith((".flow.yaml", ".flow.yml")) or (
                            name.endswith(".json") and _looks_like_definition(f)):
                        if not is_regular(f):
                            # A FIFO would block the run forever, a device never ends.
                            click.echo(f"flowdsl: note: skipping {f}: not a regular file", err=True)
                            continue
                        out.append(f)
        elif path.exists():
            out.append(require_regular(p))
        else:
            raise UsageError(f"no such file or directory: {p}")
    seen: set[str] = set()
    unique = []
    for f in out:
        key = str(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def write_output(out: str | None, text: str) -> None:
    """Write to a file atomically (``-`` or None: stdout). Never leaves half a file."""
    if out in (None, "-"):
        sys.stdout.write(text)
        return
    assert out is not None
    if out == os.devnull:
        return
    parent = Path(out).parent
    if not parent.is_dir():
        raise UsageError(f"cannot write {out}: the directory {parent} does not exist")
    from flowdsl.catalog.cache import atomic_write
    try:
        atomic_write(Path(out), text.encode("utf-8"))
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from None
