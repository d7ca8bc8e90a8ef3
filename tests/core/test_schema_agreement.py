"""The definition schema in flowdsl/schemas agrees with the official OpenAPI request schemas
(copied into tests/data/openapi/): every compiled example, wrapped as the create / version
request, validates against the OpenAPI request body schemas, and the fields the OpenAPI
definition declares have the same JSON types in ours."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from flowdsl.emit.compiler import create_request, version_request
from flowdsl.frontend.source import load_workflow

ROOT = Path(__file__).resolve().parents[2]
ENGINE = yaml.safe_load((ROOT / "tests/data/openapi/workflows-engine.yaml").read_text())
OURS = json.loads((ROOT / "flowdsl/schemas/definition.schema.json").read_text())
SCHEMAS = ENGINE["components"]["schemas"]
EXAMPLES = sorted((ROOT / "examples").glob("*.flow.yaml"))


def _openapi(name: str) -> dict:
    # OpenAPI 3.0 schema objects are JSON Schema enough for these bodies (no $ref inside).
    return SCHEMAS[name]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_requests_validate_against_openapi(example: Path) -> None:
    wf = load_workflow(example).workflow
    assert wf is not None
    jsonschema.validate(create_request(wf), _openapi("CreateWorkflowRequest"))
    jsonschema.validate(version_request(wf, "v2"), _openapi("UpsertVersionRequest"))


@pytest.mark.parametrize("request_name", ["CreateWorkflowRequest", "UpsertVersionRequest"])
def test_definition_fields_have_the_same_types(request_name: str) -> None:
    official = _openapi(request_name)["properties"]["definition"]["properties"]
    ours = OURS["properties"]
    for field, spec in official.items():
        if field == "metadata":
            assert ours["metadata"]["type"] == spec["type"]
            continue
        assert field in ours, field
        mine = ours[field]
        if "$ref" in mine:
            mine = OURS["$defs"][mine["$ref"].split("/")[-1]]
        assert mine.get("type") == spec["type"], field
    assert set(OURS["required"]) <= {"version", "steps"}


def test_official_step_examples_validate_against_our_step_schema() -> None:
    validator = jsonschema.Draft202012Validator(OURS)
    for name in ("CreateWorkflowRequest", "UpsertVersionRequest"):
        steps = _openapi(name)["properties"]["definition"]["properties"]["steps"]["example"]
        errors = [e.message for e in validator.iter_errors({"version": "v1", "steps": steps})]
        assert not errors, errors
