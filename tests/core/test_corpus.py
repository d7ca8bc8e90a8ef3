"""The real definitions from the docs and the legacy console load, compile and round-trip."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from flowdsl.emit.compiler import compile_definition
from flowdsl.frontend.importers import import_file
from flowdsl.frontend.source import load_source, load_workflow
from flowdsl.emit.printer import print_flow

DATA = Path(__file__).resolve().parents[1] / "data"
DOCS = sorted((DATA / "docs-examples").glob("*.json"))
LEGACY = sorted((DATA / "legacy-console").glob("*.json"))
SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "flowdsl/schemas/definition.schema.json").read_text())


def _canonical(obj: dict) -> dict:
    """The docs' definitions with their step key normalised, for comparison."""
    return json.loads(json.dumps(obj).replace('"id":', '"step_id":'))


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.stem)
def test_docs_example_loads_without_errors(path: Path) -> None:
    r = load_workflow(path)
    assert r.workflow is not None
    assert not r.has_errors, [(d.rule, d.message) for d in r.diagnostics]
    jsonschema.validate(compile_definition(r.workflow), SCHEMA)


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.stem)
def test_docs_example_round_trips_through_flow_yaml(path: Path) -> None:
    wf = load_workflow(path).workflow
    assert wf is not None
    again = load_source(print_flow(wf), "again.flow.yaml")
    assert again.workflow is not None and not again.diagnostics
    assert compile_definition(again.workflow) == compile_definition(wf)


WELL_FORMED = [p for p in DOCS if p.name.startswith("workflows__")]


@pytest.mark.parametrize("path", WELL_FORMED, ids=lambda p: p.stem)
def test_well_formed_docs_definitions_compile_back_to_themselves(path: Path) -> None:
    raw = json.loads(path.read_text())
    definition = raw.get("definition", raw)
    wf = load_workflow(path).workflow
    assert wf is not None
    key = "id" if '"id"' in json.dumps(definition["steps"][0]) and "step_id" not in definition["steps"][0] else "step_id"
    out = compile_definition(wf, key)
    expected = dict(definition)
    expected.setdefault("version", "v1")
    assert out == expected


def test_sense_examples_are_read_with_warnings_about_their_dialect() -> None:
    r = load_workflow(DATA / "docs-examples" / "openapi_specs__sense_api__api__WORKFLOWS__09.json")
    assert r.workflow is not None and len(r.workflow.inputs) == 4
    messages = [d.message for d in r.diagnostics]
    assert any("flat map of inputs" in m for m in messages)
    assert sum('has no "type"' in m for m in messages) == 4


@pytest.mark.parametrize("path", LEGACY, ids=lambda p: p.stem)
def test_legacy_export_imports_to_a_clean_flow(path: Path) -> None:
    r = import_file(path)
    assert r.workflow is not None and not r.has_errors
    text = print_flow(r.workflow)
    assert "workflow.parameters" not in text
    again = load_source(text, "imported.flow.yaml")
    assert again.workflow is not None and not again.diagnostics
    assert compile_definition(again.workflow) == compile_definition(r.workflow)


def test_legacy_values_take_the_type_of_the_model_input_spec() -> None:
    r = import_file(DATA / "legacy-console" / "ai-dubbing-with-lip-sync.json")
    assert r.workflow is not None
    whisper = next(s for s in r.workflow.steps if s.id == "step2")
    params = whisper.params.to_python()  # type: ignore[union-attr]
    assert params["batch_size"] == 24 and params["task"] == "transcribe"
    assert params["audio"] == "{{step1.output}}"
