"""Loader behaviour that YAML case files cannot express: bytes, spans, values, editor schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from flowdsl.frontend.nodes import plain
from flowdsl.frontend.load import YMap, load_bytes, load_text
from flowdsl.frontend.source import load_source, load_workflow

ROOT = Path(__file__).resolve().parents[2]


def test_non_utf8_bytes_are_a_finding_with_a_position() -> None:
    doc = load_bytes(b"name: caf\xe9\nsteps: []\n", "latin1.flow.yaml")
    assert doc.root is None
    (d,) = doc.diagnostics
    assert (d.rule, d.span.line, d.span.column) == ("yaml-syntax", 1, 10)
    assert "UTF-8" in d.message


def test_utf8_bom_is_accepted() -> None:
    doc = load_bytes(b"\xef\xbb\xbfsteps: []\n", "bom.flow.yaml")
    assert doc.root is not None and not doc.diagnostics


def test_spans_are_one_based_and_end_exclusive() -> None:
    doc = load_text("steps:\n  - id: hello\n", "s.flow.yaml")
    assert isinstance(doc.root, YMap)
    step = doc.root.get("steps").items[0]  # type: ignore[union-attr]
    value = step.get("id")
    assert (value.span.line, value.span.column, value.span.end_line, value.span.end_column) == (2, 9, 2, 14)


def test_yaml_11_scalars_resolve_but_keys_stay_text() -> None:
    doc = load_text("on: yes\nn: 0x1f\nf: 1.5\nz: ~\ns: '1'\n", "v.yaml")
    assert plain(doc.root) == {"on": True, "n": 31, "f": 1.5, "z": None, "s": "1"}


def test_json_surrogate_pairs_load() -> None:
    text = json.dumps({"steps": [{"id": "a", "type": "pass", "result": "hug \U0001F917"}]})
    r = load_source(text, "emoji.json")
    assert r.workflow is not None and not r.diagnostics
    assert r.workflow.steps[0].result.value == "hug \U0001F917"  # type: ignore[union-attr]


def test_recursive_alias_is_refused() -> None:
    doc = load_text("a: &x [*x]\n", "r.yaml")
    assert doc.root is None and doc.diagnostics[0].rule == "yaml-syntax"


def test_unreadable_path_is_a_finding(tmp_path: Path) -> None:
    r = load_workflow(tmp_path)  # a directory cannot be read as a file
    assert r.workflow is None and r.diagnostics[0].rule == "yaml-syntax"


def test_examples_validate_against_the_editor_schema() -> None:
    schema = json.loads((ROOT / "flowdsl/schemas/flow.schema.json").read_text())
    validator = jsonschema.Draft7Validator(schema)
    for f in sorted((ROOT / "examples").glob("*.flow.yaml")):
        doc = load_text(f.read_text(), str(f))
        errors = [e.message for e in validator.iter_errors(plain(doc.root))]
        assert not errors, (f.name, errors)


def test_editor_schema_offers_step_kinds_and_operators() -> None:
    schema = json.loads((ROOT / "flowdsl/schemas/flow.schema.json").read_text())
    defs = schema["definitions"]
    assert {"model_step", "http_step", "python_step", "parallel_step", "choice_step", "pass_step"} <= set(defs)
    assert "matches" in defs["choice_step"]["properties"]["if"]["description"]
