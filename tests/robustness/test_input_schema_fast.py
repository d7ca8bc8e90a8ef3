"""The input-schema fast path (check/quick_schema.py, used by frontend/workflow.py) gives
jsonschema's Draft 7 verdict."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowdsl.frontend.workflow import JSON_TYPES, _describe, simple_schema_verdict

VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(-5, 5, allow_nan=False),
                   st.sampled_from([1.0, 2.0, -0.0]), st.text(max_size=3),
                   st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=2), st.integers(), max_size=2))
SCHEMAS = st.fixed_dictionaries({}, optional={
    "type": st.sampled_from(JSON_TYPES), "description": st.text(max_size=5), "title": st.text(max_size=5),
    "default": VALUES, "minimum": st.one_of(st.integers(-5, 5), st.floats(-5, 5, allow_nan=False)),
    "maximum": st.one_of(st.integers(-5, 5), st.floats(-5, 5, allow_nan=False)),
    "minLength": st.integers(0, 3), "maxLength": st.integers(0, 3),
    "enum": st.lists(st.one_of(VALUES, st.sampled_from([True, 1, 1.0, 0, False, None, "a", ""])), max_size=4),
})


def reference(schema: dict[str, Any]) -> tuple[bool, str | None]:
    jsonschema.Draft7Validator.check_schema(schema)
    if schema.get("default") is None:
        return True, None
    rest = {k: v for k, v in schema.items() if k != "default"}
    errors = sorted(jsonschema.Draft7Validator(rest).iter_errors(schema["default"]),
                    key=lambda e: (len(e.path), str(e.validator)))
    return True, _describe(errors[0]) if errors else None


@settings(max_examples=300, deadline=None)
@given(SCHEMAS)
def test_fast_path_agrees_with_jsonschema(schema: dict[str, Any]) -> None:
    lo, hi = schema.get("minimum"), schema.get("maximum")
    if lo is not None and hi is not None and lo > hi:
        return  # the reader reports crossed bounds before either path runs
    fast = simple_schema_verdict(schema)
    if "enum" in schema and isinstance(schema.get("default"), (list, dict)):
        assert fast is None or fast == reference(schema)  # jsonschema compares containers
    else:
        assert fast == reference(schema)


@pytest.mark.parametrize("schema", [
    {"type": "strin"}, {"type": ["string", "null"]}, {"enum": "12"}, {"maxLength": -1}, {"minLength": 1.0}, {"maxLength": True}, {"enum": [[1]], "default": [1]}, {"description": 3},
    {"minimum": "1"}, {"type": "string", "pattern": "^a"},
])
def test_other_schemas_go_to_jsonschema(schema: dict[str, Any]) -> None:
    assert simple_schema_verdict(schema) is None
