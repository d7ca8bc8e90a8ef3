"""The type model (flowdsl/types.py)."""

from __future__ import annotations

from flowdsl.check import types
from flowdsl.frontend.source import load_source
from flowdsl.check.context import Context
from flowdsl.check.config import Config
from tests.rules.harness import catalog


def test_literals_and_schemas() -> None:
    assert types.of_literal(True).json == "boolean"
    assert types.of_literal(3).json == "integer" and types.of_literal(2.5).json == "number"
    assert types.of_literal([1, 2]) == types.Type("array", items=types.Type("integer"))
    assert types.of_schema({"type": "string", "enum": ["a"]}).enum == ("a",)
    assert not types.of_schema({}).known
    assert not types.of_schema({"type": ["string", "integer"]}).known


def test_fits_only_rejects_known_mismatches() -> None:
    assert types.fits(types.Type("integer"), frozenset({"number"}))
    assert not types.fits(types.Type("string"), frozenset({"integer"}))
    assert types.fits(types.UNKNOWN, frozenset({"integer"}))
    assert types.fits(types.Type("array"), None)
    assert types.schema_types({"anyOf": [{"type": "string"}, {"type": "null"}]}) == \
        frozenset({"string", "null"})


def test_model_outputs() -> None:
    assert types.of_model_output("array", "image", ("primary",)) == types.Type("string", "image")
    out = types.of_model_output("array", "image", ("output",))
    assert out.json == "array" and out.items == types.Type("string", "image")
    assert not types.of_model_output("object", None, ("output", "url")).known
    assert not types.of_model_output(None, "image", ("primary",)).known


FLOW = """\
name: types
inputs:
  n: {type: integer}
steps:
  - id: img
    model: flux-2-pro
    with: {prompt: a cat}
  - id: cfg
    pass: {size: 3, tags: [a, b], url: "{{img.primary}}", text: "n={{inputs.n}}"}
  - id: code
    python: "result = 1"
"""


def test_reference_types_through_pass_and_models() -> None:
    loaded = load_source(FLOW, "types.flow.yaml")
    assert loaded.workflow is not None
    ctx = Context(loaded.workflow, catalog(), Config(), loaded.source)
    refs = {r.ref.dotted(): r.ref for r in ctx.refs()}
    assert ctx.type_of(refs["img.primary"]) == types.Type("string", "image")
    from flowdsl.ir import Ref

    span = refs["img.primary"].span

    def t(dotted: str) -> types.Type:
        root, *path = dotted.split(".")
        return ctx.type_of(Ref(root, tuple(path), span))

    assert t("cfg.output.size").json == "integer"
    assert t("cfg.output.tags").describe() == "an array of strings"
    assert t("cfg.output.url") == types.Type("string", "image")  # whole template: kept
    assert t("cfg.output.text") == types.STRING  # embedded: a string
    assert t("inputs.n").json == "integer"
    assert not t("code.output").known  # python outputs are unknown
    assert not t("cfg.output.missing").known
