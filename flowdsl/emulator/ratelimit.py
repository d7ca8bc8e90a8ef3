"""Token-bucket rate limiter with the header values the API documents.

A token bucket (rather than a fixed one-minute window) so that "N requests/minute" means a
steady N/60 per second with a small burst: a fixed window would let a client fire the whole
minute's budget in the first second, which hides pacing bugs and makes a benchmark's
"minimum time the limit allows" meaningless.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int  # requests per minute
    remaining: int  # whole tokens left after this request
    reset_s: int  # seconds until the bucket is full again
    retry_after_s: int  # only meaningful when not allowed (HTTP wants whole seconds)


class TokenBucket:
    def __init__(self, per_minute: int, burst: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute <= 0:
            raise ValueError("rate limit must be positive")
        self.per_minute = per_minute
        self.rate = per_minute / 60.0  # tokens per second
        # One second's worth of requests by default: enough for a small concurrent pool.
        self.capacity = float(burst if burst is not None else max(1, round(self.rate)))
        self._tokens = self.capacity
        self._clock = clock
        self._last = clock()
        self._lock = threading.Lock()

    def _refill(self, now: float) -> None:
        self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
        self._last = now

    def take(self) -> RateDecision:
        with self._lock:
            now = self._clock()
            self._refill(now)
            allowed = self._tokens >= 1.0
            if allowed:
                self._tokens -= 1.0
            missing_full = self.capacity - self._tokens
            reset_s = math.ceil(missing_full / self.rate) if missing_full > 0 else 0
            retry_after = 0 if allowed else max(1, math.ceil((1.0 - self._tokens) / self.rate))
            return RateDecision(allowed, self.per_minute, int(self._tokens), reset_s, retry_after)


def parse_rate(text: str) -> int:
    """``"600/min"``, ``"600"``, ``"10/s"``, ``"36000/h"`` -> requests per minute."""
    raw = text.strip().lower().replace(" ", "")
    number, _, unit = raw.partition("/")
    try:
        value = float(number)
    except ValueError as exc:
        raise ValueError(f"bad rate limit {text!r}: expected N/min") from exc
    factor = {"": 1.0, "min": 1.0, "m": 1.0, "minute": 1.0, "s": 60.0, "sec": 60.0,
              "second": 60.0, "h": 1 / 60, "hour": 1 / 60}.get(unit)
    if factor is None or value <= 0:
        raise ValueError(f"bad rate limit {text!r}: expected N/min")
    return max(1, round(value * factor))
