"""Core benchmark (issue: the core): load + build IR + compile 1,000 flows x 20 steps, beside
the time libyaml alone takes to compose the same files.

    python bench/bench_core.py [--flows 1000] [--repeat 3]

Prints the best of --repeat runs for each, and the ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.gen_corpus import generate  # noqa: E402
from flowdsl.emit.compiler import compile_definition, dumps  # noqa: E402
from flowdsl.check.perf import tune_gc  # noqa: E402
from flowdsl.frontend.source import load_source  # noqa: E402

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def compose_only(texts: list[tuple[str, bytes]]) -> None:
    for _, data in texts:
        loader = LOADER(data.decode("utf-8"))
        try:
            loader.get_single_node()
        finally:
            loader.dispose()


def full(texts: list[tuple[str, bytes]]) -> int:
    steps = 0
    for name, data in texts:
        r = load_source(data, name)
        assert r.workflow is not None and not r.has_errors, [d.message for d in r.diagnostics][:3]
        dumps(compile_definition(r.workflow))
        steps += sum(1 for _ in r.workflow.all_steps())
    return steps


def best(fn, arg, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn(arg)
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--flows", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    out = Path(__file__).parent / ".corpus"
    tune_gc()  # as the command line does
    paths = generate(out, args.flows)
    texts = [(str(p), p.read_bytes()) for p in paths]
    t_compose, _ = best(compose_only, texts, args.repeat)
    t_full, steps = best(full, texts, args.repeat)
    print(f"corpus: {len(texts)} flows, {steps} steps, {sum(len(d) for _, d in texts) / 1e6:.1f} MB")
    print(f"libyaml compose only:          {t_compose:7.3f} s")
    print(f"load + IR + compile (flowdsl): {t_full:7.3f} s")
    print(f"ratio:                         {t_full / t_compose:7.2f}x")
    laughs = "a: &a [" + ",".join(['"lol"'] * 9) + "]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8))
    t0 = time.perf_counter()
    refused = load_source(laughs + "steps: [*i]\n", "laughs.flow.yaml")
    t_laughs = time.perf_counter() - t0
    assert refused.workflow is None
    print(f"billion laughs (9^9 nodes) refused in {t_laughs * 1000:.1f} ms")


if __name__ == "__main__":
    main()
