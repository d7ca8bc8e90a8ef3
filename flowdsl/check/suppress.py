"""Inline suppressions: ``# flowdsl: ignore[rule-a,rule-b]`` or a bare ``# flowdsl: ignore``.

A comment silences the named rules (all rules when bare) for findings on its own line, and
for every finding of a step when written on the step's first line (``- id: gen  # ...``).
Comments are found by scanning source lines: YAML comments never reach the node tree, and
JSON has none (so the scan simply finds nothing there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The marker must follow a "#" so that a prompt mentioning "flowdsl: ignore" is not one.
_IGNORE = re.compile(r"#.*?\bflowdsl:\s*ignore(?:\[([^\]]*)\])?")


@dataclass(frozen=True)
class Ignores:
    # line -> the rule ids ignored there, or None for every rule
    by_line: dict[int, frozenset[str] | None]

    def covers(self, rule: str, line: int) -> bool:
        if line not in self.by_line:
            return False
        rules = self.by_line[line]
        return rules is None or rule in rules


def parse_ignores(source: str) -> Ignores:
    by_line: dict[int, frozenset[str] | None] = {}
    if "flowdsl:" not in source:  # the common case: nothing to scan
        return Ignores(by_line)
    for number, line in enumerate(source.splitlines(), start=1):
        if "flowdsl:" not in line:
            continue
        m = _IGNORE.search(line)
        if m is None:
            continue
        if m.group(1) is None:
            by_line[number] = None
        else:
            names = frozenset(n.strip() for n in m.group(1).split(",") if n.strip())
            by_line[number] = names or None
    return Ignores(by_line)
