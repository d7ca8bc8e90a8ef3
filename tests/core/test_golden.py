"""Every example compiles to its golden file, byte for byte, and validates against the
definition schema. ``UPDATE_GOLDEN=1 pytest tests/core/test_golden.py`` rewrites them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from flowdsl.emit.compiler import compile_definition, create_request, dumps
from flowdsl.frontend.source import load_workflow

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.flow.yaml"))
GOLDEN = ROOT / "tests" / "golden"
SCHEMA = json.loads((ROOT / "flowdsl/schemas/definition.schema.json").read_text())


def test_there_are_at_least_ten_examples() -> None:
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_matches_golden(example: Path) -> None:
    result = load_workflow(example)
    assert result.workflow is not None and not result.has_errors, [d.message for d in result.diagnostics]
    text = dumps(compile_definition(result.workflow))
    golden = GOLDEN / example.name.replace(".flow.yaml", ".json")
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"missing golden {golden.name}: run with UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")
    jsonschema.validate(json.loads(text), SCHEMA)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_create_request_wraps_the_same_definition(example: Path) -> None:
    wf = load_workflow(example).workflow
    assert wf is not None
    body = create_request(wf)
    assert body["name"] == wf.name and body["definition"] == compile_definition(wf)
