"""Client-side pacing from the API's rate-limit headers, shared by every worker thread.

Reacting to 429s alone wastes the limit: each 429 costs a whole ``Retry-After`` (a second at
least) during which nothing is sent. Instead the client keeps its own model of the server's
token bucket: the rate comes from ``X-RateLimit-Limit`` (per minute), the tokens left from
``X-RateLimit-Remaining``; requests spend the burst at once, then go out at the advertised
rate (slightly under it, so jitter never drains the bucket). A 429's ``Retry-After`` pauses
every worker, not just the one that hit it.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Mapping

# Run a hair under the advertised rate so network jitter never empties the server's bucket;
# each 429 lowers the share further (multiplicative decrease), successes win it back slowly.
_SAFETY = 0.98
_FLOOR = 0.5


class Pacer:
    """Virtual scheduling (GCRA): ``_tat`` is when the server's bucket will next have been
    refilled by one more token; a request may start ``burst`` intervals before that."""

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self.limit: int | None = None  # requests per minute, once the server has said
        self.factor = _SAFETY
        self._capacity = 1  # the server's burst, as far as Remaining has shown it
        self._tat = 0.0
        self._in_flight = 0
        self._blocked_until = 0.0

    @property
    def interval(self) -> float:
        """Seconds per request we allow ourselves; 0 while the limit is unknown."""
        return 60.0 / (self.limit * self.factor) if self.limit else 0.0

    def acquire(self) -> float:
        """Wait for this request's turn; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            start = max(now, self._blocked_until)
            step = self.interval
            if step:
                tolerance = (self._capacity - 1) * step
                start = max(start, self._tat - tolerance)
                self._tat = max(self._tat, start) + step
            self._in_flight += 1
        wait = start - now
        if wait > 0:
            self._sleep(wait)
        return max(0.0, wait)

    def observe(self, headers: Mapping[str, str], *, limited: bool = False) -> None:
        """Called once per response (any status) of a request that went through ``acquire``."""
        limit = _as_int(headers.get("x-ratelimit-limit"))
        remaining = _as_int(headers.get("x-ratelimit-remaining"))
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            if not limit or limit <= 0:
                return
            now = self._clock()
            first = self.limit is None
            self.limit = limit
            if limited:
                self.factor = max(_FLOOR, self.factor * 0.85)
            else:
                self.factor = min(_SAFETY, self.factor + 0.002)
            if remaining is not None:
                self._capacity = max(self._capacity, remaining + 1)
            step = self.interval
            if first:
                # `remaining` requests may go at once, less those already on the wire.
                left = (remaining if remaining is not None else 0) - self._in_flight
                self._tat = now + (self._capacity - left) * step
            elif remaining is not None and remaining <= 0:
                # The server's bucket is empty: nothing more before one interval from now.
                self._tat = max(self._tat, now + self._capacity * step)

    def release(self) -> None:
        """A request that got no response (connection failure)."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)

    def block_for(self, seconds: float) -> None:
        """``Retry-After``: nobody sends before it ends, and no burst right after it."""
        with self._lock:
            until = self._clock() + seconds
            self._blocked_until = max(self._blocked_until, until)
            self._tat = max(self._tat, until + self._capacity * self.interval)


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
