"""Import and fmt benchmark (issues 13 and 14).

    python bench/bench_import.py [--repeat 3] [--prompts 2000]

1. ``import`` (read, convert, check against the export's own spec, print with notes) of the
   54 legacy console exports in tests/data/legacy-console.
2. ``fmt`` (layout, plus its safety checks: load, compile and comment comparison) of those
   54 imported flows.
3. A flow of --prompts model steps, each with a long one-line prompt that fmt folds.

Prints the first (cold caches) and the best of --repeat for each. Targets: well under 50 ms per export or file.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flowdsl.emit.format import format_text  # noqa: E402
from flowdsl.emit.printer import print_flow  # noqa: E402
from flowdsl.frontend.importers import import_file  # noqa: E402

LEGACY = sorted((Path(__file__).resolve().parents[1] / "tests/data/legacy-console").glob("*.json"))
WORDS = "a lighthouse on the cliff at dawn soft pastel sky over calm sea gulls film grain wide".split()


def timed(what: str, n: int, fn: object, repeat: int) -> None:
    """Print the first run (cold caches) and the best of ``repeat``, in all and per item."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t)
    print(f"{what}: first {times[0]:.3f} s ({times[0] / n * 1000:.2f} ms each), "
          f"best {min(times):.3f} s ({min(times) / n * 1000:.2f} ms each)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--prompts", type=int, default=2000)
    args = ap.parse_args()

    texts: list[str] = []

    def do_import() -> None:
        texts.clear()
        for f in LEGACY:
            r = import_file(f)
            assert r.workflow is not None
            texts.append(print_flow(r.workflow, None, r.notes))

    timed(f"import {len(LEGACY)} exports", len(LEGACY), do_import, args.repeat)
    timed(f"fmt {len(texts)} imported flows", len(texts), lambda: [format_text(x) for x in texts], args.repeat)

    rnd = random.Random(0)
    steps = "".join(
        f"  - id: s{i}\n    model: flux-2-pro\n    with: {{prompt: \"{' '.join(rnd.choice(WORDS) for _ in range(30))} {i}\"}}\n"
        for i in range(args.prompts))
    flow = "steps:\n" + steps
    timed(f"fmt a flow of {args.prompts} long one-line prompts", args.prompts, lambda: format_text(flow), args.repeat)


if __name__ == "__main__":
    main()
