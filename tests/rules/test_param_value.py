"""Tests for flowdsl/rules/param_value.py: fixture cases in cases/param-value/."""

from __future__ import annotations


from tests.rules.harness import CASES, run_case

RULE = "param-value"


def test_enum_did_you_mean() -> None:
    diags = run_case(CASES / RULE / "fires.flow.yaml")[2]
    [d] = [d for d in diags if d.rule == RULE and "aspect_ratio" in d.message]
    assert d.hint == 'did you mean "16:9"?'


class _Catalog:
    """A minimal Catalog (the protocol): one model with a hand-written schema."""

    complete = False

    def __init__(self, schema: dict) -> None:  # type: ignore[type-arg]
        from flowdsl.catalog.model import ModelSpec

        self.spec = ModelSpec("m", request_schema=schema, schema_complete=True)

    def get(self, slug: str):  # type: ignore[no-untyped-def]
        return self.spec if slug == "m" else None

    def slugs(self) -> list[str]:
        return ["m"]

    def resolve_alias(self, name: str) -> None:
        return None


def _check(schema: dict, with_: str) -> list:  # type: ignore[type-arg]
    from flowdsl.check.run import check_workflow
    from flowdsl.frontend.source import load_source

    loaded = load_source(f"name: x\nsteps:\n  - id: a\n    model: m\n    with: {with_}\n", "x.yaml")
    assert loaded.workflow is not None
    return check_workflow(loaded.workflow, _Catalog(schema), source=loaded.source)


def test_refs_resolve_against_the_whole_schema_and_nested_values_are_located() -> None:
    schema = {"type": "object", "$defs": {"Scale": {"type": "integer", "enum": [2, 4]}},
              "properties": {"scale": {"$ref": "#/$defs/Scale"},
                             "opts": {"type": "object",
                                      "properties": {"n": {"type": "integer", "maximum": 3}}}}}
    found = _check(schema, "{scale: 3, opts: {n: 9}}")
    assert [(d.rule, d.span.line, d.span.column) for d in found] == [
        ("param-value", 5, 19), ("param-value", 5, 32)]
    assert '"opts.n" must be <= 3; got 9' in found[1].message


def test_a_broken_schema_says_nothing() -> None:
    schema = {"type": "object", "properties": {"bad": {"$ref": "#/nowhere"}}}
    assert _check(schema, "{bad: 3}") == []
    assert _check({"type": "object", "properties": {"x": {"type": 12}}}, "{x: 1}") == []
