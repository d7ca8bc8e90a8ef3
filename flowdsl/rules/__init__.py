"""The one registry of rules: stable kebab-case ids, default severity, and the module whose
docstring documents the rule (``flowdsl rules`` prints it). Ids are never renamed.

Rules emitted while loading and parsing (yaml-syntax, schema, template-syntax,
condition-syntax) have a module for their documentation only; the others have a
``check(ctx)`` generator run by :mod:`flowdsl.checker` (python-syntax included: it needs
the code's mapping into the file, which the IR's CodeBlock carries).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

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


def _r(rule_id: str, severity: str, summary: str) -> Rule:
    return Rule(rule_id, Severity(severity), summary, rule_id.replace("-", "_"))


REGISTRY: dict[str, Rule] = {r.id: r for r in [
    _r("yaml-syntax", "error", "The file is not well-formed YAML/JSON (or is not a mapping)."),
    _r("schema", "error", "Structure: unknown key, wrong field type, unknown step type."),
    _r("template-syntax", "error", "A {{...}} template that does not parse."),
    _r("condition-syntax", "error", "A condition that does not parse."),
    _r("duplicate-id", "error", "Two steps (or choice branches) share an id."),
    _r("undefined-reference", "error", "A reference to a step or input that does not exist."),
    _r("forward-reference", "error", "A reference to a step that runs later."),
    _r("parallel-sibling-reference", "error", "A reference to a step in a sibling parallel branch."),
    _r("conditional-reference", "warning", "A reference to a step inside a choice branch that may not have run."),
    _r("dollar-in-template", "error", "$.x written where {{x}} is meant."),
    _r("unknown-model", "error", "A model slug the catalog does not know."),
    _r("unknown-param", "error", "A param the model's schema does not define."),
    _r("missing-param", "error", "A required model param is missing."),
    _r("param-type", "error", "A literal param of the wrong JSON type."),
    _r("param-value", "error", "A literal param outside its enum, range, length or pattern."),
    _r("reference-type", "error", "A reference whose type cannot fit the param."),
    _r("media-type", "error", "A reference of one media kind fed to a param of another."),
    _r("condition-operator", "error", "An operator and value that do not fit together."),
    _r("python-syntax", "error", "Python code that does not compile."),
    _r("python-undefined-input", "error", "Python code reads an input the step does not declare."),
    _r("python-result", "warning", "Python code never assigns result."),
    _r("template-injection", "error", "A template inside python code."),
    _r("hardcoded-secret", "error", "A literal credential in the flow."),
    _r("limit", "error", "A documented platform limit is exceeded."),
    _r("unused-input", "warning", "A declared input no step uses."),
    _r("catalog-lock", "warning", "A model's schema differs from the one pinned in flowdsl.lock."),
    _r("fallback-mismatch", "warning", "A fallback model whose output type or media differs from the primary's."),
]}


def get(rule_id: str) -> Rule:
    return REGISTRY[rule_id]
