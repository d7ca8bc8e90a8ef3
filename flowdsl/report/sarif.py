"""SARIF 2.1.0: one run, the tool's rules (id, short description, help from the rule's
documentation, default level) from the registry, one result per finding."""

from __future__ import annotations

import json
from typing import Any, Mapping, Sequence

from flowdsl import __version__
from flowdsl.diagnostics import Diagnostic, Severity
from flowdsl.rules import REGISTRY

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}


def _rule(rule_id: str) -> dict[str, Any]:
    rule = REGISTRY.get(rule_id)
    if rule is None:
        return {"id": rule_id, "shortDescription": {"text": rule_id}}
    return {
        "id": rule.id,
        "name": "".join(w.capitalize() for w in rule.id.split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "help": {"text": rule.doc},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
    }


def render(diagnostics: Sequence[Diagnostic], sources: Mapping[str, str], color: bool) -> str:
    ids = list(REGISTRY)
    for d in diagnostics:
        if d.rule not in REGISTRY and d.rule not in ids:
            ids.append(d.rule)
    index = {rule_id: i for i, rule_id in enumerate(ids)}
    results = []
    for d in diagnostics:
        s = d.span
        message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        result: dict[str, Any] = {
            "ruleId": d.rule,
            "ruleIndex": index[d.rule],
            "level": _LEVEL[d.severity],
            "message": {"text": message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": s.file.replace("\\", "/")},
                    "region": {"startLine": s.line, "startColumn": s.column,
                               "endLine": s.end_line, "endColumn": s.end_column},
                }
            }],
        }
        if d.step is not None:
            result["properties"] = {"step": d.step}
        results.append(result)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "flowdsl",
                "version": __version__,
                "rules": [_rule(r) for r in ids],
            }},
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
