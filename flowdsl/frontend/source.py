"""The front door: a file (or text) in, an IR and its findings out.

Loading never raises for anything a user can write; a file that cannot be read at all
yields ``workflow=None`` and at least one finding.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from flowdsl import codes
from flowdsl.diagnostics import Diagnostic, error
from flowdsl.frontend.workflow import read_workflow
from flowdsl.ir import Workflow
from flowdsl.frontend.load import MAX_FILE_BYTES, load_bytes
from flowdsl.spans import Span

FLOW_SUFFIXES = (".flow.yaml", ".flow.yml", ".yaml", ".yml", ".json")


@dataclass
class LoadResult:
    file: str
    workflow: Workflow | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    source: str = ""

    @property
    def has_errors(self) -> bool:
        return any(d.severity.value == "error" for d in self.diagnostics)


def load_source(data: bytes | str, file: str) -> LoadResult:
    # A lone surrogate (text from an editor or an API caller) cannot be UTF-8: kept as bytes
    # that fail to decode, so it becomes the loader's "not UTF-8" finding, not an exception.
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    doc = load_bytes(raw, file)
    wf, reader = read_workflow(doc)
    return LoadResult(file, wf, doc.diagnostics + reader.diagnostics, doc.text)


def load_workflow(path: str | Path) -> LoadResult:
    name = str(path)
    try:
        data = read_regular(path)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return LoadResult(name, None, [error(codes.YAML_SYNTAX, f"cannot read the file: {reason}",
                                             Span.point(name, 1, 1))])
    return load_source(data, name)


def read_regular(path: str | Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file, at most ``limit + 1`` of them (so a too-big file is seen
    as such without being read whole). Anything else (a FIFO, ``/dev/zero``, a directory)
    raises OSError: opened without blocking, then refused by its type."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(0, "not a regular file")
        # Plain reads on the descriptor: a buffered file object costs more to set up than a
        # flow takes to read. Asking one byte past the size sees a file that grew meanwhile.
        chunks: list[bytes] = []
        want = limit + 1
        while want > 0:
            chunk = os.read(fd, min(want, max(info.st_size + 1, 1 << 16)))
            if not chunk:
                break
            chunks.append(chunk)
            want -= len(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(fd)
