"""``--runs N``: many seeded runs, summarised.

Each run draws every duration from its range and every failure from the mocks'
``failure_probability`` (one ``random.Random(seed)`` for the whole series, so a seed
reproduces the whole summary). Percentiles use the nearest-rank method.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from typing import Any

from flowdsl.simulate.engine import Simulator
from flowdsl.simulate.timeline import fmt_s, fmt_usd


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def monte_carlo(sim: Simulator, inputs: dict[str, Any], runs: int, seed: int | None = None) -> dict[str, Any]:
    rng = random.Random(0 if seed is None else seed)
    durations: list[float] = []
    costs: list[float] = []
    completed = timed_out = 0
    fallbacks: Counter[str] = Counter()
    failed_at: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for _ in range(runs):
        res = sim.run(inputs, rng=rng)
        durations.append(res.duration_s)
        costs.append(res.cost_usd)
        if res.failure is None:
            completed += 1
        else:
            failed_at[res.failure.step or "(workflow)"] += 1
            errors[str(res.failure.error.get("error"))] += 1
        if res.timed_out:
            timed_out += 1
        for sid in res.fallbacks:
            fallbacks[sid] += 1
    durations.sort()
    costs.sort()
    n = max(runs, 1)
    return {
        "runs": runs,
        "seed": 0 if seed is None else seed,
        "success_rate": completed / n,
        "completed": completed,
        "failed": runs - completed,
        "duration_s": {"p50": round(percentile(durations, 50), 3), "p95": round(percentile(durations, 95), 3),
                       "min": round(durations[0], 3) if durations else 0.0,
                       "max": round(durations[-1], 3) if durations else 0.0,
                       "mean": round(sum(durations) / n, 3)},
        "cost_usd": {"p50": round(percentile(costs, 50), 6), "p95": round(percentile(costs, 95), 6),
                     "mean": round(sum(costs) / n, 6)},
        "time_limit_s": sim.deadline,
        "time_limit_hits": timed_out,
        "time_limit_hit_rate": timed_out / n,
        "fallbacks": {sid: {"count": c, "rate": c / n} for sid, c in sorted(fallbacks.items())},
        "failed_at": dict(sorted(failed_at.items())),
        "errors": dict(sorted(errors.items())),
    }


def render(summary: dict[str, Any], title: str) -> str:
    s = summary
    d, c = s["duration_s"], s["cost_usd"]
    out = [f"{title} — {s['runs']} Monte Carlo runs (seed {s['seed']})",
           f"success rate      {s['success_rate'] * 100:.1f}% ({s['completed']} of {s['runs']})",
           f"duration          p50 {fmt_s(d['p50'])}   p95 {fmt_s(d['p95'])}   (min {fmt_s(d['min'])}, "
           f"max {fmt_s(d['max'])})",
           f"cost              p50 {fmt_usd(c['p50'])}   p95 {fmt_usd(c['p95'])}   (mean {fmt_usd(c['mean'])})",
           f"{fmt_s(s['time_limit_s'])} limit hit  {s['time_limit_hits']} runs "
           f"({s['time_limit_hit_rate'] * 100:.1f}%)"]
    if s["fallbacks"]:
        out.append("fallbacks fired   " + ", ".join(
            f"{sid} {v['rate'] * 100:.1f}% ({v['count']})" for sid, v in s["fallbacks"].items()))
    else:
        out.append("fallbacks fired   none")
    if s["failed_at"]:
        out.append("failures by step  " + ", ".join(f"{k} {v}" for k, v in s["failed_at"].items()))
    return "\n".join(out) + "\n"
