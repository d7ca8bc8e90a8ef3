"""Simulator benchmark (issue 5).

    python bench/bench_simulate.py [--steps 1000] [--runs 1000] [--repeat 3]

1. One nominal simulation of a generated 1,000-step flow with parallel and choice steps
   nested inside each other (model, http and pass leaves; conditions on actual outputs).
2. 1,000 Monte Carlo runs of a generated 20-step flow (durations drawn from ranges,
   failures from failure_probability, retries and fallbacks).

Python steps are left out of both flows: each really runs in its own process (about
25 ms, cached per code and inputs), which would measure process start-up, not the
simulator. Targets: <= 1 s each. Prints the best of --repeat; compile (plan) time is shown
separately and is not part of either figure.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flowdsl.catalog import bundled_catalog  # noqa: E402
from flowdsl.frontend.source import load_source  # noqa: E402
from flowdsl.simulate import Simulator, mocks_from_dict  # noqa: E402
from flowdsl.simulate.montecarlo import monte_carlo  # noqa: E402

MODELS = ["flux-2-pro", "flux-2-max", "veo-3", "elevenlabs-tts", "topaz-upscale-image"]


class Gen:
    def __init__(self, seed: int) -> None:
        self.rnd = random.Random(seed)
        self.n = 0
        self.known: list[str] = []

    def sid(self) -> str:
        self.n += 1
        return f"s{self.n}"

    def leaf(self, known: list[str]) -> dict[str, Any]:
        sid = self.sid()
        kind = self.rnd.choice(["model", "model", "model", "http", "pass"])
        ref = self.rnd.choice(known) if known else None
        prompt = f"{{{{inputs.prompt}}}} after {{{{{ref}.primary}}}}" if ref else "{{inputs.prompt}}"
        if kind == "model":
            step: dict[str, Any] = {"step_id": sid, "type": "model", "model": self.rnd.choice(MODELS),
                                    "params": {"prompt": prompt}}
            if self.rnd.random() < 0.3:
                step["fallback"] = {"enabled": True, "model": "flux-2-max", "params": {"prompt": prompt}}
        elif kind == "http":
            step = {"step_id": sid, "type": "http", "method": "POST", "url": "https://example.com/hook",
                    "body": {"text": prompt}}
        else:
            step = {"step_id": sid, "type": "pass", "result": {"note": prompt}}
        known.append(sid)
        return step

    def steps(self, budget: int, depth: int, known: list[str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while self.n < budget:
            r = self.rnd.random()
            if depth < 4 and r < 0.12:
                sid = self.sid()
                branches = [{"name": f"b{i}", "steps": self.steps(min(budget, self.n + 12), depth + 1, list(known))}
                            for i in range(self.rnd.randint(2, 3))]
                out.append({"step_id": sid, "type": "parallel", "branches": branches})
                known.append(sid)
            elif depth < 4 and r < 0.22 and known:
                sid = self.sid()
                cond = {"or": [{"expression": f"$.{self.rnd.choice(known)}.primary", "operator": "string_matches",
                                "value": ".png"},
                               {"expression": "$.inputs.n", "operator": "greater_than", "value": 3}]}
                out.append({"step_id": sid, "type": "choice", "condition": cond,
                            "condition_met_branch": {"name": "condition_met", "step_id": f"{sid}_met",
                                                     "steps": self.steps(min(budget, self.n + 10), depth + 1, list(known))},
                            "default_branch": {"name": "default", "step_id": f"{sid}_default",
                                               "steps": self.steps(min(budget, self.n + 10), depth + 1, list(known))}})
                known.append(sid)
            else:
                out.append(self.leaf(known))
            if depth and self.rnd.random() < 0.25:
                break
        return out


def definition(steps: int, seed: int = 1) -> dict[str, Any]:
    g = Gen(seed)
    body: list[dict[str, Any]] = []
    known: list[str] = []
    while g.n < steps:
        body.extend(g.steps(steps, 0, known))
    return {"version": "v1", "input_schema": {"type": "object", "properties": {
        "prompt": {"type": "string"}, "n": {"type": "integer"}}}, "steps": body}


def load(d: dict[str, Any]) -> Any:
    r = load_source(json.dumps(d), "bench.json")
    assert r.workflow is not None
    return r.workflow


def best(fn: Any, repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    catalog = bundled_catalog()
    inputs = {"prompt": "a kite", "n": 5}

    big = load(definition(args.steps))
    count = sum(1 for _ in big.all_steps())
    kinds = {k: sum(1 for s in big.all_steps() if s.kind == k) for k in ("parallel", "choice")}
    # Short mocked durations so that every step runs inside the 15-minute limit.
    big_leaves = [s.id for s in big.all_steps() if s.kind in ("model", "http")]
    big_mocks, _ = mocks_from_dict({"steps": {sid: {"duration_s": 0.5} for sid in big_leaves}}, big)
    t_plan, sim = best(lambda: Simulator(big, catalog, big_mocks), 1)
    t_run, res = best(lambda: sim.run(inputs), args.repeat)
    ran = sum(1 for r in res.records.values() if r.started is not None)
    print(f"{count}-step flow ({kinds['parallel']} parallel, {kinds['choice']} choice, nested): "
          f"plan {t_plan * 1000:.0f} ms, one simulation {t_run * 1000:.0f} ms "
          f"(status {res.status}, {ran} steps ran, virtual {res.duration_s:.0f} s)   target <= 1000 ms")

    small = load(dict(definition(20, seed=7),
                      retry={"max_attempts": 3, "backoff_multiplier": 2, "initial_delay_seconds": 1}))
    leaves = [s.id for s in small.all_steps() if s.kind in ("model", "http")]
    mocks, _ = mocks_from_dict({"steps": {sid: {"failure_probability": 0.1, "duration_s": [5, 60]}
                                          for sid in leaves}}, small)
    sim20 = Simulator(small, catalog, mocks)
    n20 = sum(1 for _ in small.all_steps())
    t_mc, summary = best(lambda: monte_carlo(sim20, inputs, args.runs, seed=1), args.repeat)
    print(f"{args.runs} Monte Carlo runs of a {n20}-step flow: {t_mc * 1000:.0f} ms "
          f"(success {summary['success_rate'] * 100:.1f}%, p50 {summary['duration_s']['p50']:.0f} s, "
          f"p95 {summary['duration_s']['p95']:.0f} s, fallbacks fired in "
          f"{sum(v['count'] for v in summary['fallbacks'].values())} step runs)   target <= 1000 ms")


if __name__ == "__main__":
    main()
