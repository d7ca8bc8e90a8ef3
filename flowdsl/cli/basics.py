"""The click-free pieces of the command line: the one error line, and what a regular file
is. :mod:`flowdsl.cli.common` re-exports them; :mod:`flowdsl.cli.quick` uses them to answer
``flowdsl check FILE`` without importing click."""

from __future__ import annotations

import os
import stat
import unicodedata
from pathlib import Path


def one_line(text: str) -> str:
    """``text`` as a single printable line: line breaks become spaces and other control
    characters are escaped (a file name holding ESC must not drive the terminal)."""
    out = []
    for ch in text.strip():
        if ch in "\r\n\t":
            out.append(" ")
        elif unicodedata.category(ch) == "Cc":
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)


def error_line(message: str) -> str:
    """The one line every command prints for a failure."""
    return f"flowdsl: error: {one_line(message)}"


def is_regular(path: Path) -> bool:
    """A regular file (following symlinks): never a FIFO, a device or a socket."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False
