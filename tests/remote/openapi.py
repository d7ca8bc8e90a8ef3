"""Response schemas from the official OpenAPI specs (tests/data/openapi), as JSON Schema.

OpenAPI 3.0 schemas are almost JSON Schema: ``$ref``s into ``components`` are inlined and
``nullable: true`` becomes a ``"null"`` alternative.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SPEC_DIR = Path(__file__).resolve().parents[1] / "data" / "openapi"
# spec file -> path prefix the emulator serves it under
SPECS = {"engine": ("workflows-engine.yaml", "/api/v1"), "workflows-v1": ("workflows-v1.json", "/v1"),
         "api-v1": ("api-v1.json", "")}


@functools.cache
def spec(name: str) -> dict[str, Any]:
    text = (SPEC_DIR / SPECS[name][0]).read_text(encoding="utf-8")
    return yaml.safe_load(text) if SPECS[name][0].endswith(".yaml") else json.loads(text)


def _resolve(doc: dict[str, Any], node: Any) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = doc
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return _resolve(doc, target)
        out = {k: _resolve(doc, v) for k, v in node.items() if k not in ("example", "examples")}
        if out.pop("nullable", False):
            out = {"anyOf": [out, {"type": "null"}]}
        return out
    if isinstance(node, list):
        return [_resolve(doc, v) for v in node]
    return node


def response_schema(name: str, path: str, method: str, status: int) -> dict[str, Any]:
    doc = spec(name)
    responses = doc["paths"][path][method.lower()]["responses"]
    resp = _resolve(doc, responses[str(status)])
    return resp["content"]["application/json"]["schema"]


def validate(body: Any, name: str, path: str, method: str, status: int) -> None:
    jsonschema.validate(body, response_schema(name, path, method, status),
                        format_checker=jsonschema.FormatChecker())


def validate_component(body: Any, name: str, schema: str) -> None:
    doc = spec(name)
    jsonschema.validate(body, _resolve(doc, doc["components"]["schemas"][schema]))
