"""The one registry of rules: stable kebab-case ids, default severity, and the module whose
docstring documents the rule (``flowdsl rules`` prints it). Ids are never renamed.

Rules emitted while loading and parsing (yaml-syntax, schema, template-syntax,
condition-syntax) have a module for their documentation only; the others have a
``check(ctx)`` generator run by :mod:`flowdsl.check.run` (python-syntax included: it needs
the code's mapping into the file, which the IR's CodeBlock carries).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from flowdsl.codes import CODES
from flowdsl.diagnostics import Severity


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    summary: str
    module: str

    def load(self) -> ModuleType:
        return importlib.import_module(f"flowdsl.rules.{self.module}")

    @property
    def doc(self) -> str:
        return (self.load().__doc__ or self.summary).strip()


# Built from the codes themselves: an id is written once, in flowdsl/codes.py.
REGISTRY: dict[str, Rule] = {c: Rule(str(c), c.severity, c.summary, c.module) for c in CODES.values()}


def get(rule_id: str) -> Rule:
    return REGISTRY[rule_id]
