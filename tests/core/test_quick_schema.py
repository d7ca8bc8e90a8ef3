"""The model-param prefilter (check/quick_schema.py) never calls valid what jsonschema rejects.

Schemas are the bundled catalog's request schemas, some with extra keywords mixed into their
properties; values are drawn near each property's enum, default and bounds, and at random.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from flowdsl.catalog.bundled import bundled_slugs, bundled_spec
from flowdsl.check.models import validator
from flowdsl.check.quick_schema import params_surely_valid

SCHEMAS: list[dict[str, Any]] = []
for _slug in bundled_slugs():
    _spec = bundled_spec(_slug)
    if _spec is not None and isinstance(_spec.request_schema, dict):
        SCHEMAS.append(_spec.request_schema)

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.integers(), st.sampled_from([0.0, 1.0, 1.5, -2.0, 1e300]),
                    st.floats(allow_nan=True), st.text(max_size=4), st.sampled_from(["1", "true", "", "16:9"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(st.text(max_size=2), inner, max_size=2)),
                      max_leaves=6)
EXTRA = st.fixed_dictionaries({}, optional={
    "exclusiveMinimum": st.one_of(st.integers(-3, 3), st.floats(-3, 3), st.just("1")),
    "exclusiveMaximum": st.one_of(st.integers(-3, 3), st.floats(-3, 3)),
    "minLength": st.one_of(st.integers(0, 3), st.just(1.5)), "maxLength": st.integers(0, 3),
    "minItems": st.integers(0, 3), "maxItems": st.integers(0, 3),
    "const": SCALARS, "enum": st.lists(SCALARS, max_size=3),
    "type": st.one_of(st.sampled_from(["string", "integer", "number", "boolean", "array", "object", "null", "str"]),
                      st.lists(st.sampled_from(["string", "integer", "null"]), max_size=2)),
    "items": st.one_of(st.just({"type": "integer"}), st.just({"type": "string", "maxLength": 2}),
                       st.just({"enum": [1, "a"]}), st.just(False), st.just({"pattern": "^a"})),
    "format": st.just("uri"), "pattern": st.just("^x"), "title": st.text(max_size=3),
})


def _near(prop: Any) -> st.SearchStrategy[Any]:
    """Values around what the property's schema names (enum members, default, bounds)."""
    if not isinstance(prop, dict):
        return VALUES
    known: list[Any] = []
    for key in ("enum",):
        if isinstance(prop.get(key), list):
            known.extend(prop[key])
    for key in ("default", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "const"):
        if key in prop:
            v = prop[key]
            known.append(v)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                known.extend([v - 1, v + 1, v + 0.5, float(v)])
    # mostly the named values: a random one is rarely near a bound
    return st.one_of(st.sampled_from(known), st.sampled_from(known), st.sampled_from(known), VALUES) \
        if known else VALUES


@st.composite
def schema_and_params(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    schema = draw(st.sampled_from(SCHEMAS))
    props = schema.get("properties") or {}
    if props and draw(st.booleans()):  # mix other keywords into one property
        name = draw(st.sampled_from(sorted(props)))
        schema = {**schema, "properties": {**props, name: {**props[name], **draw(EXTRA)}}}
        props = schema["properties"]
    # one or two params, mostly constrained ones: one bad value is enough for jsonschema
    constrained = sorted(n for n, p in props.items() if isinstance(p, dict) and p.keys() - {"type", "description"})
    pool = constrained if constrained and draw(st.integers(0, 3)) else sorted(props)
    names = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=2, unique=True)) if pool else []
    return schema, {n: draw(_near(props[n])) for n in names}


@settings(max_examples=400)
@given(schema_and_params())
def test_prefilter_never_calls_valid_what_jsonschema_rejects(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    schema, params = case
    if params_surely_valid(schema, params):
        errors = [e for e in validator(schema).iter_errors(params) if list(e.absolute_path)]
        assert errors == [], [e.message for e in errors]


def test_prefilter_answers_for_every_bundled_schema_with_its_defaults() -> None:
    """The point of the prefilter: the catalog's own plain schemas never need jsonschema."""
    answered = 0
    for schema in SCHEMAS:
        props = schema.get("properties") or {}
        params = {n: p["default"] for n, p in props.items() if isinstance(p, dict) and "default" in p}
        if params and not any(list(e.absolute_path) for e in validator(schema).iter_errors(params)):
            assert params_surely_valid(schema, params), schema
            answered += 1
    assert answered >= 30


def test_prefilter_leaves_what_it_does_not_know() -> None:
    base = {"type": "object", "properties": {"n": {"type": "integer"}}}
    assert params_surely_valid(base, {"n": 3})
    assert params_surely_valid(base, {"n": 3.0})  # 2020-12: an integer
    assert not params_surely_valid(base, {"n": True})
    assert not params_surely_valid(base, {"n": "3"})
    assert not params_surely_valid({**base, "$schema": "http://json-schema.org/draft-04/schema#"}, {"n": 3})
    assert not params_surely_valid({**base, "additionalProperties": False}, {"n": 3})
    assert not params_surely_valid({"type": "object", "properties": {"n": {"$ref": "#/$defs/n"}}}, {"n": 3})
    assert not params_surely_valid({"type": "object", "properties": {"s": {"pattern": "^a"}}}, {"s": "a"})
    assert not params_surely_valid({"type": "object", "properties": {"e": {"enum": [1]}}}, {"e": True})


def test_remembered_verdicts_tell_true_from_one() -> None:
    # True == 1 == 1.0 as dict keys; the memo's key carries the types.
    from flowdsl.check.quick_schema import params_surely_valid

    schema = {"type": "object", "properties": {"n": {"type": "integer"}}}
    assert params_surely_valid(schema, {"n": 1}) is True
    assert params_surely_valid(schema, {"n": True}) is False
    assert params_surely_valid(schema, {"n": 1.5}) is False
    assert params_surely_valid(schema, {"n": 1}) is True
    assert params_surely_valid(schema, {"n": [1]}) is False  # unhashable: decided afresh
