"""The contract, from the official OpenAPI documents shipped in ``specs/``.

The emulator checks every request against them before a handler runs, so it cannot drift
from the published API: a method the specs do not declare on a known path is a 405, and a
JSON request body is validated (jsonschema) against the operation's request schema. OpenAPI
3.0 schemas are nearly JSON Schema: ``$ref``s into ``components`` are inlined and
``nullable: true`` becomes a ``null`` alternative.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import jsonschema
import yaml

# spec file -> the path prefix the emulator serves it under (api-v1's paths carry /v1 already)
SPECS: dict[str, tuple[str, str]] = {
    "engine": ("workflows-engine.yaml", "/api/v1"),
    "workflows-v1": ("workflows-v1.json", "/v1"),
    "api-v1": ("api-v1.json", ""),
}
_METHODS = ("get", "post", "put", "delete", "patch")
# Top-level fields the specs mark required that the emulator defaults instead (a workflow's
# ``description`` to "", a version's ``version_id`` to the one in the path), as flowdsl's
# client and older emulator users rely on.
LENIENT_REQUIRED = frozenset({"description", "version_id"})


@functools.cache
def spec(name: str) -> dict[str, Any]:
    text = resources.files("flowdsl.emulator").joinpath("specs", SPECS[name][0]).read_text(encoding="utf-8")
    doc: dict[str, Any] = yaml.safe_load(text) if SPECS[name][0].endswith(".yaml") else json.loads(text)
    return doc


def _resolve(doc: dict[str, Any], node: Any, depth: int = 0) -> Any:
    if depth > 40:  # a recursive schema: stop inlining, accept anything below
        return {}
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = doc
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return _resolve(doc, target, depth + 1)
        out = {k: _resolve(doc, v, depth + 1) for k, v in node.items() if k not in ("example", "examples")}
        if out.pop("nullable", False):
            out = {"anyOf": [out, {"type": "null"}]}
        return out
    if isinstance(node, list):
        return [_resolve(doc, v, depth + 1) for v in node]
    return node


@dataclass(frozen=True, eq=False)
class Operation:
    spec: str
    method: str
    template: str  # the served path, e.g. /api/v1/workflows/{workflowID}
    body_schema: dict[str, Any] | None
    statuses: frozenset[int]
    takes_body: bool = True  # False: the operation defines no request body (a sent one is ignored)


@dataclass(frozen=True)
class SpecPath:
    pattern: re.Pattern[str]
    operations: dict[str, Operation]  # by upper-case method


@functools.cache
def paths() -> tuple[SpecPath, ...]:
    merged: dict[str, dict[str, Operation]] = {}
    for name, (_, prefix) in SPECS.items():
        doc = spec(name)
        for p, item in doc["paths"].items():
            template = prefix + p
            for m in _METHODS:
                op = item.get(m)
                if op is None:
                    continue
                schema = (op.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema")
                statuses = frozenset(int(s) for s in op.get("responses", {}) if s.isdigit())
                body = _resolve(doc, schema) if schema else None
                if body and body.get("required"):
                    body["required"] = [f for f in body["required"] if f not in LENIENT_REQUIRED]
                merged.setdefault(template, {})[m.upper()] = Operation(
                    name, m.upper(), template, body, statuses, takes_body="requestBody" in op)
    out = []
    for template, ops in merged.items():
        rx = re.escape(template)
        rx = re.sub(r"\\\{(\w+)\\\}", r"[^/]+", rx)
        out.append(SpecPath(re.compile("^" + rx + "$"), ops))
    # literal paths before templated ones: /v1/workflows/executions/{id} is not /v1/workflows/{id}
    out.sort(key=lambda sp: sp.pattern.pattern.count("[^/]+"))
    return tuple(out)


def lookup(method: str, path: str) -> tuple[bool, Operation | None]:
    """(does any spec declare this path, the operation declared for ``method`` on it)."""
    known = False
    for sp in paths():
        if sp.pattern.match(path):
            known = True
            op = sp.operations.get(method)
            if op is not None:
                return True, op
    return known, None


_VALIDATORS: dict[tuple[str, str], Any] = {}


def _validator(op: Operation) -> Any:
    if op.body_schema is None:
        return None
    key = (op.method, op.template)
    found = _VALIDATORS.get(key)
    if found is None:
        cls = jsonschema.validators.validator_for(op.body_schema, default=jsonschema.Draft4Validator)
        found = _VALIDATORS[key] = cls(op.body_schema)
    return found


def body_error(op: Operation, body: Any) -> str | None:
    """Why ``body`` breaks the operation's request schema (the first reason), or None."""
    if body is None:
        return None  # an absent body: the handler decides (most accept {} or require fields)
    validator = _validator(op)
    if validator is None:
        return None
    if not isinstance(body, dict) and op.body_schema and op.body_schema.get("type") == "object":
        return None  # not an object at all: the handler's 422, as the emulator always answered
    err = jsonschema.exceptions.best_match(validator.iter_errors(body))
    if err is None:
        return None
    where = "/".join(str(p) for p in err.absolute_path)
    return f"invalid request body{' at ' + where if where else ''}: {err.message[:200]}"


def invalid_status(op: Operation) -> int:
    """The status the spec documents for a bad request: 400, else 422."""
    if 400 in op.statuses or 422 not in op.statuses:
        return 400
    return 422


# What a handler's status becomes on an operation whose spec does not document it: the
# nearest documented status with the same meaning to a client (a conflict or an
# unprocessable body is a bad request where only 400 is documented, and the reverse; a
# missing key where 401 is not documented is a bad request, else a not-found, as APIs hide
# what an unauthenticated caller may not see). The message still says what was wrong.
# A status with no documented stand-in is kept; the README's emulator section lists those.
_STAND_INS: dict[int, tuple[int, ...]] = {409: (400, 422), 422: (400,), 400: (422,), 403: (400, 422),
                                          401: (400, 404)}
# Statuses of the HTTP layer itself (not of an operation): never remapped.
_TRANSPORT = frozenset({405, 408, 413, 429, 500})


def documented_status(op: Operation | None, status: int) -> int:
    if op is None or status < 400 or status in op.statuses or status in _TRANSPORT:
        return status
    return next((s for s in _STAND_INS.get(status, ()) if s in op.statuses), status)


def unsupported_status(op: Operation) -> int:
    """The status for an operation the emulator does not serve (chat, audio, upload, ...):
    400 where the spec documents it (a client should not retry), else 500."""
    return 400 if 400 in op.statuses else 500


@functools.lru_cache(maxsize=512)
def _error_schema_of(name: str, template: str, method: str, status: int) -> dict[str, Any] | None:
    doc = spec(name)
    item = doc["paths"].get(template[len(SPECS[name][1]):], {})
    resp = ((item.get(method.lower()) or {}).get("responses") or {}).get(str(status))
    if not isinstance(resp, dict):
        return None
    schema = _resolve(doc, resp).get("content", {}).get("application/json", {}).get("schema")
    return schema if isinstance(schema, dict) else None


def error_body(op: Operation | None, status: int, message: str) -> dict[str, Any]:
    """The error body in the shape the operation documents for ``status``: the OpenAI-style
    envelope (``{"error": {"message", "type", "code"}}``) of chat and audio, else
    ``{"error": message}`` (plus ``status`` where the shared error body has it)."""
    schema = _error_schema_of(op.spec, op.template, op.method, status) if op is not None else None
    props = (schema or {}).get("properties") or {}
    err = props.get("error") or {}
    if err.get("type") == "object":
        kind = "invalid_request_error" if status < 500 else "server_error"
        return {"error": {"message": message, "type": kind, "code": str(status)}}
    body: dict[str, Any] = {"error": message}
    if "status" in props:
        body["status"] = status
    return body
