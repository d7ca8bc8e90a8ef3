"""Template resolution: whole-value templates keep their type, embedded ones give text."""

from __future__ import annotations

from typing import Any

import pytest

from flowdsl import ir
from flowdsl.simulate.values import MISSING, Scope, UnresolvedReference, compile_value, lookup, to_text

from tests.simulate.helpers import flow


class R:
    def __init__(self, sid: str, output: object, status: str = "completed", ended: float | None = 1.0) -> None:
        self.id: str = sid
        self.status: str = status
        self.ended: float | None = ended
        self.output: Any = output
        self.primary: Any = output[0] if isinstance(output, list) else output
        self.error: dict[str, Any] | None = None
        self.selected: str | None = None


def _params(text: str) -> ir.MapValue:
    wf = flow("inputs:\n  n: {type: integer}\n  name: {type: string}\nsteps:\n"
              "  - {id: gen, model: flux-2-pro, with: {prompt: x}}\n"
              f"  - {{id: use, model: flux-2-pro, with: {text}}}\n")
    step = wf.steps[1]
    assert isinstance(step, ir.ModelStep) and step.params is not None
    return step.params


def _scope(now: float = 5.0) -> Scope:
    return Scope({"n": 3, "name": "Ada"}, {"gen": R("gen", ["u1", "u2"]), "meta": R("meta", {"a": {"b": [7]}})}, now)


def test_whole_template_keeps_type_embedded_gives_text() -> None:
    params = _params('{n: "{{inputs.n}}", all: "{{gen.output}}", first: "{{gen.primary}}", '
                     'text: "n={{inputs.n}} of {{gen.output}}", lit: 4}')
    got = compile_value(params)(_scope())
    assert got == {"n": 3, "all": ["u1", "u2"], "first": "u1", "text": 'n=3 of ["u1","u2"]', "lit": 4}


def test_nested_fields_and_missing_values() -> None:
    s = _scope()
    assert lookup(s, "meta", ("output", "a", "b", "0"), True) == 7
    assert lookup(s, "meta", ("output", "zzz"), True) is MISSING
    assert lookup(s, "inputs", ("absent",), True) is MISSING
    assert lookup(s, "gen", ("status",), True) == "completed"
    assert to_text(None) == "" and to_text(2.0) == "2" and to_text(True) == "true"


@pytest.mark.parametrize("records, now, reason", [
    ({}, 5.0, 'there is no step "gen"'),
    ({"gen": R("gen", "x", status="skipped", ended=None)}, 5.0, "its branch was not taken"),
    ({"gen": R("gen", "x", ended=9.0)}, 5.0, "has not finished yet"),
])
def test_strict_lookup_refuses_steps_that_have_not_run(records: dict[str, R], now: float, reason: str) -> None:
    s = Scope({}, records, now)
    with pytest.raises(UnresolvedReference) as info:
        lookup(s, "gen", ("primary",), True, "{{gen.primary}}")
    assert reason in str(info.value)
    assert lookup(s, "gen", ("primary",), False) is MISSING
