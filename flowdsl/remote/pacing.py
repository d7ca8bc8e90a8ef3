"""Client-side pacing from the API's rate-limit headers, shared by every worker thread.

Reacting to 429s alone wastes the limit: each 429 costs a whole ``Retry-After`` (a second at
least) during which nothing is sent. Instead requests are spaced at the advertised rate
(``X-RateLimit-Limit`` per minute) as soon as it is known, the server's burst absorbing
network jitter, and a 429's ``Retry-After`` pauses every worker, not just the one that hit it.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Mapping

# Space requests a hair slower than the advertised rate so jitter never drains the bucket.
_SAFETY = 1.02


class Pacer:
    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self.interval = 0.0  # seconds between requests; 0 until the limit is known
        self.limit: int | None = None
        self._next = 0.0
        self._blocked_until = 0.0

    def acquire(self) -> float:
        """Wait for this request's slot; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next, self._blocked_until)
            self._next = slot + self.interval
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return max(0.0, wait)

    def observe(self, headers: Mapping[str, str]) -> None:
        limit = _as_int(headers.get("x-ratelimit-limit"))
        remaining = _as_int(headers.get("x-ratelimit-remaining"))
        with self._lock:
            if limit and limit > 0 and limit != self.limit:
                self.limit = limit
                self.interval = 60.0 / limit * _SAFETY
            if remaining is not None and remaining <= 0 and self.interval:
                # The bucket is empty: the next token is one interval away.
                self._next = max(self._next, self._clock() + self.interval)

    def block_for(self, seconds: float) -> None:
        with self._lock:
            self._blocked_until = max(self._blocked_until, self._clock() + seconds)


def _as_int(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        return int(float(raw))
    except ValueError:
        return None


def parse_retry_after(raw: str | None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date."""
    if raw is None or not raw.strip():
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
