"""Python-step sandbox benchmark (issue 10).

    python bench/bench_sandbox.py [--branches 3] [--sleep 2] [--repeat 3]

1. Start-up: one trivial python step (``result = 1``), isolated vs host, best of --repeat
   (a fresh runner each time, so the cache does not answer).
2. Parallel: a flow with --branches parallel branches, each a python step that sleeps
   --sleep seconds; wall time of one simulation (target for 3 x 2 s: < 3 s).
3. Flood and memory: a step that writes 2 GiB to stdout and one that asks for 8 GiB; the
   peak RSS of this process (the simulator) and of the step processes.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flowdsl.catalog import bundled_catalog  # noqa: E402
from flowdsl.frontend.source import load_source  # noqa: E402
from flowdsl.simulate import Simulator  # noqa: E402
from flowdsl.simulate import isolation  # noqa: E402
from flowdsl.simulate.sandbox import Mode, PythonRunner  # noqa: E402


def startup(mode: Mode, repeat: int) -> float:
    best = float("inf")
    for i in range(repeat):
        runner = PythonRunner(mode=mode)
        t = time.perf_counter()
        r = runner.run("result = 1", {"i": i})
        best = min(best, time.perf_counter() - t)
        assert r.ok, r
    return best


def parallel(branches: int, sleep: float) -> float:
    lines = ["steps:", "  - id: p", "    parallel:"]
    for i in range(branches):
        lines.append(f'      - {{id: s{i}, python: "import time\\ntime.sleep({sleep})\\nresult = {i}"}}')
    wf = load_source("\n".join(lines) + "\n", "bench.flow.yaml").workflow
    assert wf is not None
    sim = Simulator(wf, bundled_catalog(), None, PythonRunner())
    t = time.perf_counter()
    trace = sim.run({}).trace()
    wall = time.perf_counter() - t
    assert trace["steps"]["p"]["output"] == list(range(branches)), trace["steps"]["p"]
    return wall


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--branches", type=int, default=3)
    ap.add_argument("--sleep", type=float, default=2.0)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    ok, why = isolation.available()
    if not ok:
        print(f"isolation unavailable here: {why}")
        sys.exit(1)
    print(f"start-up, one step: isolated {startup('isolated', a.repeat) * 1000:.0f} ms, "
          f"host {startup('host', a.repeat) * 1000:.0f} ms")
    print(f"{a.branches} parallel {a.sleep:g}-second python steps: {parallel(a.branches, a.sleep):.2f} s wall")
    runner = PythonRunner()
    t = time.perf_counter()
    flood = runner.run("import os\nc = b'x' * (1 << 20)\nfor _ in range(2048):\n    os.write(1, c)\nresult = 1", {})
    flood_s = time.perf_counter() - t
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"2 GiB stdout flood: {flood_s:.1f} s, kept {len(flood.stdout) >> 20} MiB, dropped {flood.dropped >> 20} MiB; "
          f"simulator peak RSS {me:.0f} MiB, step peak RSS {flood.peak_rss_kb / 1024:.0f} MiB")
    mem = runner.run("try:\n    b = bytearray(8 << 30)\n    result = 'allocated'\nexcept MemoryError:\n"
                     "    result = 'MemoryError'", {})
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"8 GiB allocation: {mem.output}; simulator peak RSS {me:.0f} MiB, "
          f"step peak RSS {mem.peak_rss_kb / 1024:.0f} MiB")
    runner.close()


if __name__ == "__main__":
    main()
