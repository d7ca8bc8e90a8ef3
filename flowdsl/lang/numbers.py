"""When is a value a number? One answer for the checker and the simulator.

The engine compares loosely: ``"5"`` and ``5`` are the same number in a condition, and a
quoted number in a param is a number written in quotes. Booleans are never numbers (Python
says ``True == 1``; the engine does not), and neither are NaN or infinities.
"""

from __future__ import annotations

import math
from typing import Any


def as_number(value: Any) -> float | None:
    """The finite number a value (int, float, or numeric text) stands for, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            f = float(value.strip())
        except ValueError:
            return None
        return f if math.isfinite(f) else None
    return None


def is_numeric_text(value: Any) -> bool:
    """Text that reads as a finite number (``"16"``, ``" 2.5 "``), as YAML or JSON wrote it."""
    return isinstance(value, str) and as_number(value) is not None
