"""Hypothesis strategies: canonical engine definitions (what the compiler emits), condition
trees, and flows. Shared by the core, checker and simulator property tests."""

from __future__ import annotations

import string
from typing import Any

from hypothesis import strategies as st

IDENT = st.text(string.ascii_lowercase + string.digits + "_", min_size=1, max_size=8).filter(
    lambda s: s[0].isalpha())
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="{}"), max_size=30)
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                   st.floats(allow_nan=False, allow_infinity=False, width=32).filter(lambda f: f == f), TEXT)
JSON = st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                    st.dictionaries(IDENT, inner, max_size=3)), max_leaves=8)

OPERATORS = ["equals", "not_equals", "greater_than", "less_than", "greater_than_or_equal",
             "less_than_or_equal", "string_equals", "string_matches", "in", "not_in",
             "exists", "not_exists", "is_null", "is_not_null"]
UNARY = {"exists", "not_exists", "is_null", "is_not_null"}
LIST_OPS = {"in", "not_in"}

REF_EXPR = st.builds(lambda root, path: "$." + ".".join([root, *path]),
                     st.one_of(st.just("inputs"), IDENT), st.lists(IDENT, min_size=1, max_size=3))
LITERAL = st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000), TEXT)


@st.composite
def compare(draw: Any) -> dict[str, Any]:
    op = draw(st.sampled_from(OPERATORS))
    out: dict[str, Any] = {"expression": draw(REF_EXPR), "operator": op}
    if op in LIST_OPS:
        out["value"] = draw(st.lists(LITERAL, max_size=3))
    elif op not in UNARY:
        out["value"] = draw(LITERAL)
    return out


CONDITION = st.recursive(
    compare(),
    lambda inner: st.one_of(
        st.builds(lambda xs: {"and": xs}, st.lists(inner, min_size=2, max_size=3)),
        st.builds(lambda xs: {"or": xs}, st.lists(inner, min_size=2, max_size=3)),
        st.builds(lambda x: {"not": x}, inner)),
    max_leaves=5)


class _Ids:
    """Unique step ids within one generated definition."""

    def __init__(self) -> None:
        self.n = 0

    def next(self) -> str:
        self.n += 1
        return f"s{self.n}"


def _template_value(draw: Any, known: list[str]) -> Any:
    if known and draw(st.booleans()):
        ref = draw(st.sampled_from(known))
        field = draw(st.sampled_from(["primary", "output"]))
        return "{{" + ref + "." + field + "}}" if draw(st.booleans()) else f"x {{{{{ref}.{field}}}}} y"
    return draw(JSON)


@st.composite
def step(draw: Any, ids: _Ids, depth: int, key: str, known: list[str]) -> dict[str, Any]:
    kinds = ["model", "http", "python", "pass"] + (["parallel", "choice"] if depth < 2 else [])
    kind = draw(st.sampled_from(kinds))
    sid = ids.next()
    out: dict[str, Any] = {key: sid, "type": kind}
    if draw(st.booleans()):
        out["name"] = draw(TEXT)
    if kind == "model":
        out["model"] = draw(st.sampled_from(["flux-2-pro", "veo-3", "custom-model-x"]))
        if draw(st.booleans()):
            out["version"] = "1.0.0"
        out["params"] = {}
        for name in draw(st.lists(IDENT, max_size=3, unique=True)):
            out["params"][name] = _template_value(draw, known)
        if draw(st.booleans()):
            out["fallback"] = {"enabled": draw(st.booleans()), "model": "flux-2-max",
                               "params": {"prompt": _template_value(draw, known)}}
    elif kind == "http":
        out["url"] = "https://example.com/" + draw(IDENT)
        out["method"] = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]))
        if draw(st.booleans()):
            out["headers"] = {"Content-Type": "application/json"}
        if draw(st.booleans()):
            out["query_params"] = {draw(IDENT): draw(TEXT)}
        if draw(st.booleans()):
            out["body"] = draw(JSON)
        if draw(st.booleans()):
            out["auth"] = draw(st.sampled_from([
                {"type": "bearer", "token": "{{inputs.token}}"},
                {"type": "basic", "username": "u", "password": "{{inputs.pw}}"},
                {"type": "api_key", "token": "{{inputs.key}}"}]))
        if draw(st.booleans()):
            out["timeout"] = draw(st.integers(5000, 60000))
        if draw(st.booleans()):
            out["follow_redirects"] = draw(st.booleans())
    elif kind == "python":
        out["code"] = draw(st.sampled_from(["result = 1", "x = inputs['a']\nresult = x * 2\n",
                                            "result = {'ok': True}\n\n"]))
        if draw(st.booleans()):
            out["inputs"] = {"a": _template_value(draw, known)}
    elif kind == "pass":
        if draw(st.booleans()):
            # A null result is the same as none (the compiler drops it), so none is generated.
            value = _template_value(draw, known)
            if value is not None:
                out["result"] = value
    elif kind == "parallel":
        branches = []
        for _ in range(draw(st.integers(1, 3))):
            b: dict[str, Any] = {}
            if draw(st.booleans()):
                b["name"] = draw(TEXT)
            b["steps"] = [draw(step(ids, depth + 1, key, list(known)))
                          for _ in range(draw(st.integers(0, 2)))]
            branches.append(b)
        out["branches"] = branches
    else:
        out["condition"] = draw(CONDITION)
        out["condition_met_branch"] = {"name": draw(st.sampled_from(["condition_met", "yes"])),
                                       "step_id": f"{sid}_{draw(IDENT)}",
                                       "steps": [draw(step(ids, depth + 1, key, list(known)))
                                                 for _ in range(draw(st.integers(0, 2)))]}
        if draw(st.booleans()):
            out["default_branch"] = {"name": "default", "step_id": f"{sid}_default",
                                     "steps": [draw(step(ids, depth + 1, key, list(known)))
                                               for _ in range(draw(st.integers(0, 2)))]}
    if draw(st.booleans()):
        out["continue_on_error"] = draw(st.booleans())
    if draw(st.booleans()) and kind != "http":
        out["timeout_seconds"] = draw(st.integers(1, 600))
    if draw(st.booleans()):
        out["retry"] = {"max_attempts": draw(st.integers(1, 5)), "backoff_multiplier": 2,
                        "initial_delay_seconds": draw(st.sampled_from([1, 2, 0.5])),
                        "retry_on": ["timeout"]}
    known.append(sid)
    return out


@st.composite
def definition(draw: Any, key: str = "step_id") -> dict[str, Any]:
    """A canonical definition: what the compiler would emit for it."""
    ids = _Ids()
    known: list[str] = []
    out: dict[str, Any] = {"version": "v1"}
    if draw(st.booleans()):
        props = {n: {"type": draw(st.sampled_from(["string", "integer", "boolean"]))}
                 for n in draw(st.lists(IDENT, min_size=1, max_size=3, unique=True))}
        schema: dict[str, Any] = {"type": "object", "properties": props}
        req = [n for n in props if draw(st.booleans())]
        if req:
            schema["required"] = req
        out["input_schema"] = schema
    out["steps"] = [draw(step(ids, 0, key, known)) for _ in range(draw(st.integers(1, 4)))]
    if known and draw(st.booleans()):
        out["output_mapping"] = {"result": "{{" + known[-1] + ".primary}}"}
    if draw(st.booleans()):
        out["timeout_seconds"] = draw(st.integers(60, 900))
    return out
