"""Hypothesis properties of the loader, compiler, printer and condition language."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from hypothesis import given
from hypothesis import strategies as st

from flowdsl.emit.compiler import compile_definition, dumps
from flowdsl.lang.conditions import parse_text, shape, to_text
from flowdsl.frontend.condition_node import read_condition
from flowdsl.frontend.nodes import Reader
from flowdsl.frontend.load import load_text
from flowdsl.frontend.source import load_source
from flowdsl.emit.printer import print_flow
from flowdsl.spans import Span
from tests.strategies import CONDITION, definition

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "flowdsl/schemas/definition.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def _load_json(obj: object, name: str = "def.json"):
    r = load_source(json.dumps(obj, indent=2), name)
    assert r.workflow is not None, [d.message for d in r.diagnostics]
    assert not r.has_errors, [(d.rule, d.message) for d in r.diagnostics]
    return r.workflow


@given(definition())
def test_generated_flows_compile_to_schema_valid_output(defn: dict) -> None:
    wf = _load_json(defn)
    out = compile_definition(wf)
    errors = [e.message for e in VALIDATOR.iter_errors(out)]
    assert not errors
    assert dumps(out) == dumps(compile_definition(wf))  # deterministic


@given(definition(), st.sampled_from(["step_id", "id"]))
def test_json_to_flow_to_json_is_identity(defn: dict, key: str) -> None:
    wf = _load_json(defn)
    assert compile_definition(wf) == defn  # canonical input comes back unchanged
    text = print_flow(wf)
    again = load_source(text, "printed.flow.yaml")
    assert again.workflow is not None and not again.has_errors, (text, [d.message for d in again.diagnostics])
    assert compile_definition(again.workflow, key) == compile_definition(wf, key)


def _tree_condition(tree: dict):
    doc = load_text(json.dumps(tree), "c.json", json_like=True)
    r = Reader(doc)
    assert doc.root is not None
    cond = read_condition(r, doc.root, "s")
    assert cond is not None, [d.message for d in r.diagnostics]
    return cond


LOC = lambda offset, length: Span("c", 1, offset + 1, 1, offset + 1 + length)  # noqa: E731


@given(CONDITION)
def test_condition_text_tree_text_tree_identity(tree: dict) -> None:
    cond = _tree_condition(tree)
    text = to_text(cond)
    first = parse_text(text, LOC)
    assert shape(first) == shape(cond)
    assert to_text(first) == text
    assert shape(parse_text(to_text(first), LOC)) == shape(first)


@given(st.binary(max_size=400))
def test_random_bytes_never_raise(data: bytes) -> None:
    r = load_source(data, "random.flow.yaml")
    assert r.workflow is not None or r.diagnostics


@given(st.text(max_size=300))
def test_random_text_never_raises(text: str) -> None:
    r = load_source(text, "random.flow.yaml")
    assert r.workflow is not None or r.diagnostics


MUTATIONS = st.sampled_from(["delete", "insert", "swap", "dup"])


@given(definition(), st.lists(st.tuples(MUTATIONS, st.integers(0, 10**6), st.sampled_from(list("{}[]:,\"'\n -$.#&*|>\t"))),
                              min_size=1, max_size=4))
def test_mutated_definitions_give_findings_not_exceptions(defn: dict, edits: list) -> None:
    for suffix in (".json", ".flow.yaml"):
        text = json.dumps(defn, indent=2) if suffix == ".json" else print_flow(_load_json(defn))
        chars = list(text)
        for op, pos, ch in edits:
            i = pos % (len(chars) + 1)
            if op == "delete" and chars:
                del chars[min(i, len(chars) - 1)]
            elif op == "insert":
                chars.insert(i, ch)
            elif op == "swap" and len(chars) > 1:
                j = min(i, len(chars) - 2)
                chars[j], chars[j + 1] = chars[j + 1], chars[j]
            else:
                chars.insert(i, chars[min(i, len(chars) - 1)] if chars else ch)
        r = load_source("".join(chars), "mutated" + suffix)
        if r.workflow is not None:
            compile_definition(r.workflow)  # whatever loaded must compile without raising
            print_flow(r.workflow)
