"""Benchmark: `catalog sync --all` of 500 models from the emulator at 600 requests/minute.

Prints the wall time beside the minimum the rate limit allows (the emulator's token bucket:
`burst` requests at once, then one per 60/limit seconds; target <= 1.1x) and how many 429s
the client saw and retried.

    python3 bench/bench_sync.py [--models 500] [--rate 600] [--jobs 8] [--burst N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flowdsl.catalog import cache  # noqa: E402
from flowdsl.emulator import Emulator, EmulatorConfig, generate_models  # noqa: E402
from flowdsl.remote.client import ApiClient  # noqa: E402
from flowdsl.remote.settings import Secret, Settings, endpoints_for  # noqa: E402
from flowdsl.remote.sync import sync_models  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=int, default=500)
    ap.add_argument("--rate", type=int, default=600, help="requests per minute")
    ap.add_argument("--jobs", type=int, default=8)
    ap.add_argument("--burst", type=int, default=None, help="emulator bucket size (default: 1 s worth)")
    args = ap.parse_args()

    config = EmulatorConfig(api_key="bench-key", rate_limit_per_min=args.rate, burst=args.burst,
                            models=generate_models(args.models))
    with Emulator(config) as emu, tempfile.TemporaryDirectory() as tmp:
        burst = emu.bucket.capacity if emu.bucket else 0
        settings = Settings(endpoints=endpoints_for(emu.base_url), api_key=Secret("bench-key"))
        client = ApiClient(settings)
        started = time.monotonic()
        slugs = client.all_model_slugs()
        result = sync_models(client, slugs, lock_path=Path(tmp) / "flowdsl.lock",
                             cache_directory=Path(tmp) / "models", jobs=args.jobs)
        elapsed = time.monotonic() - started
        client.close()
        requests = client.stats.requests
        ok = len(result.added) == args.models and not result.failed
        lock_n = len(cache.read_lock(Path(tmp) / "flowdsl.lock"))
        files = len(list((Path(tmp) / "models").glob("*.json")))

    # The bucket starts full: `burst` requests are free, the rest come at rate/60 per second.
    first_attempts = requests - client.stats.retried
    floor = max(0.0, (first_attempts - burst) * 60.0 / args.rate)
    print(f"catalog sync --all: {args.models} models, rate limit {args.rate}/min (burst {burst:.0f}), "
          f"{args.jobs} workers")
    print(f"  requests sent      {requests} ({first_attempts} first attempts + "
          f"{client.stats.retried} retries)")
    print(f"  time               {elapsed:.2f} s")
    print(f"  minimum allowed    {floor:.2f} s  (ratio {elapsed / floor if floor else float('nan'):.3f}x, target <= 1.1x)")
    print(f"  429s seen          {client.stats.rate_limited} (all retried; server counted {emu.stats.rate_limited})")
    print(f"  cache files {files}, lock entries {lock_n}, complete: {ok}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
