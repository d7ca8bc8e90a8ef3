"""Shared helpers for the simulator tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flowdsl import ir
from flowdsl.catalog import bundled_catalog
from flowdsl.frontend.source import load_source
from flowdsl.simulate import Simulator, mocks_from_dict
from flowdsl.simulate.sandbox import PythonRunner

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
CATALOG = bundled_catalog()
PYTHON = PythonRunner()  # shared, so its cache spares repeated processes across tests


def flow(text: str, name: str = "t.flow.yaml") -> ir.Workflow:
    r = load_source(text, name)
    errors = [d.message for d in r.diagnostics if d.severity.value == "error"]
    assert r.workflow is not None and not errors, errors
    return r.workflow


def sim(text_or_wf: str | ir.Workflow, mocks: dict[str, Any] | None = None) -> Simulator:
    wf = flow(text_or_wf) if isinstance(text_or_wf, str) else text_or_wf
    parsed = None
    if mocks is not None:
        parsed, diags = mocks_from_dict(mocks, wf)
        assert parsed is not None, [d.message for d in diags]
    return Simulator(wf, CATALOG, parsed, PYTHON)


def trace(text: str, inputs: dict[str, Any] | None = None, mocks: dict[str, Any] | None = None,
          seed: int | None = None) -> dict[str, Any]:
    return sim(text, mocks).run(inputs or {}, seed=seed).trace()
