"""Worst shapes just below the input limits: wall time and peak RSS of ``flowdsl check``.

Issue 11 asks that nothing below the size limit takes more than a few seconds. Each row is
one file of a hostile or merely large shape, filled up to just below ``MAX_FILE_BYTES`` (or
to the nesting limits), checked by a fresh ``python -m flowdsl check`` process as a user
would run it:

    python bench/bench_limits.py [--size BYTES]

Prints seconds, peak RSS (MB) and the exit code for each shape; the slowest is repeated last.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.gen_corpus import Flow  # noqa: E402
from flowdsl.frontend.load import MAX_FILE_BYTES  # noqa: E402

ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
       "NO_COLOR": "1"}
HEAD = "name: big\ninputs:\n  p: {type: string, required: true}\nsteps:\n"


def fill(unit: Callable[[int], str], size: int, head: str = HEAD, tail: str = "") -> str:
    parts, n, i = [head], len(head) + len(tail), 0
    while True:
        u = unit(i)
        if n + len(u) > size:
            break
        parts.append(u)
        n += len(u)
        i += 1
    return "".join(parts) + tail


def many_steps(size: int) -> str:
    # The benchmark corpus's mix (models, http, python, parallel, choice), as many as fit.
    text, steps = "", 64
    while True:
        bigger = Flow(random.Random(3)).build(0, steps=steps * 2)
        if len(bigger) > size:
            break
        text, steps = bigger, steps * 2
    while True:  # then grow linearly to just below the limit
        bigger = Flow(random.Random(3)).build(0, steps=int(steps * 1.1))
        if len(bigger) > size:
            return text
        text, steps = bigger, int(steps * 1.1)


def shapes(size: int) -> dict[str, str]:
    pass_step = lambda i: f"  - id: s{i}\n    pass: {{v: \"{{{{inputs.p}}}}\"}}\n"  # noqa: E731
    return {
        "mixed steps (bench corpus)": many_steps(size),
        "plain pass steps": fill(pass_step, size),
        "one string of templates": fill(lambda i: "{{inputs.p}}", size,
                                        HEAD + "  - id: a\n    pass: {v: \"", "\"}\n"),
        "one long `or` condition": fill(lambda i: f" or $.inputs.p == 'x{i}'", size,
                                        HEAD + "  - id: a\n    if: $.inputs.p == 'y'", "\n"
                                        "    then: [{id: b, pass: {}}]\n"),
        "one python block": fill(lambda i: f"      v{i} = {i} + 1\n", size,
                                 HEAD + "  - id: a\n    python: |\n", ""),
        "flat list value": fill(lambda i: f"{i}, ", size, HEAD + "  - id: a\n    pass: {v: [", "0]}\n"),
        "JSON list of steps": "{\"name\": \"big\", \"steps\": [" + fill(
            lambda i: f"{{\"id\": \"s{i}\", \"pass\": {{}}}}, ", size - 40, "", "") + "{\"id\": \"z\", \"pass\": {}}]}\n",
    }


def run(path: Path) -> tuple[float, float, int]:
    # Peak RSS through GNU time when present: the rusage of a child forked from this process
    # also counts the pages it shared with us before exec.
    timer = ["/usr/bin/time", "-f", "%M"] if os.path.exists("/usr/bin/time") else []
    t0 = time.perf_counter()
    proc = subprocess.run([*timer, sys.executable, "-m", "flowdsl", "check", str(path)], env=ENV,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    rss = int(proc.stderr.strip().splitlines()[-1]) / 1024 if timer else float("nan")
    return wall, rss, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=MAX_FILE_BYTES, help="bytes per file")
    args = ap.parse_args()
    print(f"file size limit {MAX_FILE_BYTES:,} bytes; files filled to <= {args.size:,}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in shapes(args.size).items():
            ext = ".flow.json" if name.startswith("JSON") else ".flow.yaml"
            p = Path(tmp) / ("shape" + ext)
            p.write_text(text, encoding="utf-8")
            wall, rss, rc = run(p)
            rows.append((wall, name))
            print(f"{name:30} {len(text.encode()):>10,} B  {wall:6.2f} s  {rss:7.1f} MB  exit {rc}")
    wall, name = max(rows)
    print(f"slowest: {name} ({wall:.2f} s)")


if __name__ == "__main__":
    main()
