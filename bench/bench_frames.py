"""Text reporter benchmark: many findings on one long line (a 10,000-character prompt), ASCII
and East Asian wide text. The code frame of each is cut to 100 cells, so time and output size
must not grow with the line's length times the number of findings.

    python bench/bench_frames.py [--findings 500] [--repeat 3]

Prints the best of --repeat runs and the output size for each kind of line.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flowdsl import report  # noqa: E402
from flowdsl.codes import SCHEMA  # noqa: E402
from flowdsl.diagnostics import error  # noqa: E402
from flowdsl.spans import Span  # noqa: E402

LINES = {
    "ascii": '    with: {prompt: "' + "a red sneaker on marble, " * 400 + '"}',
    "wide": '    with: {prompt: "' + "赤いスニーカー、" * 1250 + '"}',
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--findings", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    for name, line in LINES.items():
        step = max(1, (len(line) - 40) // args.findings)
        diags = [error(SCHEMA, "finding", Span("f.flow.yaml", 1, c, 1, c + 5))
                 for c in range(20, 20 + args.findings * step, step)]
        best, size = float("inf"), 0
        for _ in range(args.repeat):
            t = time.perf_counter()
            out = report.render("text", diags, {"f.flow.yaml": line + "\n"})
            best = min(best, time.perf_counter() - t)
            size = len(out.encode("utf-8"))
        print(f"{name}: {len(line)} chars, {len(diags)} findings: {best * 1000:.1f} ms, "
              f"{size / 1024:.0f} KiB of text")


if __name__ == "__main__":
    main()
