"""Seeded fault injection: the failures a client must survive, reproducible by seed.

Kinds:
- ``error``: a 500 before the request is processed (nothing changed on the server);
- ``drop_before``: the connection closes before the request is processed;
- ``drop_after``: the request IS processed, then the connection closes without a response:
  the case that makes naive retries create duplicates;
- ``slow``: the response is delayed.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

FAULT_KINDS = ("error", "drop_before", "drop_after", "slow")


@dataclass(frozen=True)
class FaultConfig:
    rate: float = 0.0  # probability that a request gets a fault
    seed: int | None = None
    slow_seconds: float = 1.0
    kinds: tuple[str, ...] = FAULT_KINDS


class FaultInjector:
    def __init__(self, config: FaultConfig) -> None:
        if not 0.0 <= config.rate <= 1.0:
            raise ValueError("fault rate must be between 0 and 1")
        unknown = set(config.kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        self.config = config
        self._rng = random.Random(config.seed)
        self._lock = threading.Lock()  # random.Random is not safe to share across threads
        self.counts: dict[str, int] = {k: 0 for k in FAULT_KINDS}

    def draw(self) -> str | None:
        if self.config.rate <= 0 or not self.config.kinds:
            return None
        with self._lock:
            if self._rng.random() >= self.config.rate:
                return None
            kind = self._rng.choice(self.config.kinds)
            self.counts[kind] += 1
            return kind
