from __future__ import annotations
from flowdsl import ir
from flowdsl.lang.conditions import Locate
def quick_parse(text: str, locate: Locate) -> ir.Condition | None:
    return None
