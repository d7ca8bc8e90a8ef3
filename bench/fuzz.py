"""Run the hostile-input campaign (tests/fuzz) at length: ``python bench/fuzz.py [N]``.

Runs N cases (default 20,000) of each family, random seed, and prints every input that makes
an exception escape (saved under bench/fuzz-failures/ to become a regression case), the
slowest case and the totals. Exit 1 when anything crashed.
"""

from __future__ import annotations

import hashlib
import sys
import time
import traceback
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fuzz.campaign import deep_or_long, exercise, mutated, structured  # noqa: E402

OUT = Path(__file__).resolve().parent / "fuzz-failures"


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    crashes: list[bytes] = []
    slowest = (0.0, b"")
    count = 0

    def one(data: bytes) -> None:
        nonlocal slowest, count
        count += 1
        t = time.monotonic()
        try:
            exercise(data)
        except Exception:  # noqa: BLE001 - the campaign records every escape
            crashes.append(data)
            OUT.mkdir(exist_ok=True)
            (OUT / (hashlib.sha1(data).hexdigest()[:12] + ".bin")).write_bytes(data)
            traceback.print_exc(limit=3)
        took = time.monotonic() - t
        if took > slowest[0]:
            slowest = (took, data)

    for strategy, runs in ((mutated(), n), (structured(), n), (deep_or_long(), max(n // 20, 50))):
        def case(data: bytes) -> None:
            one(data)
        settings(max_examples=runs, deadline=None, database=None, phases=[Phase.generate],
                 suppress_health_check=list(HealthCheck))(given(strategy)(case))()
    print(f"{count} inputs, {len(crashes)} crashes; slowest {slowest[0]:.2f}s "
          f"({len(slowest[1]):,} bytes: {slowest[1][:60]!r}...)")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
