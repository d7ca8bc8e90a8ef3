"""Did-you-mean suggestions shared by every rule that names something unknown."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    pool = list(candidates)
    match = difflib.get_close_matches(word, pool, n=1, cutoff=cutoff)
    if match:
        return match[0]
    lowered = {c.lower(): c for c in pool}
    return lowered.get(word.lower())


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """' (did you mean "x"?)' or an empty string."""
    best = closest(word, candidates)
    return f' (did you mean "{best}"?)' if best and best != word else ""
