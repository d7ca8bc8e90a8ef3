"""Expected findings of the loader and front end, from tests/core/cases/<rule>.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from flowdsl.frontend.source import load_source

CASES = Path(__file__).parent / "cases"


def _cases() -> list[Any]:
    out = []
    for f in sorted(CASES.glob("*.yaml")):
        for case in yaml.safe_load(f.read_text()):
            out.append(pytest.param(case, id=f"{f.stem}: {case['name']}"))
    return out


@pytest.mark.parametrize("case", _cases())
def test_case(case: dict[str, Any]) -> None:
    result = load_source(case["input"], case.get("file", "case.flow.yaml"))
    got = [(d.rule, d.span.line, d.span.column) for d in result.diagnostics]
    want = [(e["rule"], e["line"], e["column"]) for e in case["expect"]]
    assert sorted(got) == sorted(want), [(d.rule, d.span.line, d.span.column, d.message) for d in result.diagnostics]
    for e in case["expect"]:
        match = next(d for d in result.diagnostics
                     if (d.rule, d.span.line, d.span.column) == (e["rule"], e["line"], e["column"]))
        if "message" in e:
            assert e["message"] in match.message
        assert match.severity.value == e.get("severity", "error")
