"""Golden JSON traces: every example in examples/, with the inputs in inputs/<name>.yaml,
simulated nominally on the bundled catalog. Regenerate after a deliberate change with

    FLOWDSL_UPDATE_GOLDEN=1 python3 -m pytest tests/simulate/test_golden.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from flowdsl.frontend.source import load_workflow
from flowdsl.simulate import Simulator
from flowdsl.simulate.inputs import prepare, read_inputs_file

from tests.simulate.helpers import CATALOG, HERE, PYTHON

ROOT = HERE.parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.flow.yaml"))
GOLDEN = HERE / "golden"


def _name(p: Path) -> str:
    return p.name.removesuffix(".flow.yaml")


@pytest.mark.parametrize("path", EXAMPLES, ids=_name)
def test_golden_trace(path: Path) -> None:
    wf = load_workflow(path).workflow
    assert wf is not None
    inputs = prepare(wf, read_inputs_file(str(HERE / "inputs" / f"{_name(path)}.yaml")))
    trace = Simulator(wf, CATALOG, None, PYTHON).run(inputs).trace()
    text = json.dumps(trace, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    golden = GOLDEN / f"{_name(path)}.json"
    if os.environ.get("FLOWDSL_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden trace for {path.name}; run with FLOWDSL_UPDATE_GOLDEN=1"
    assert json.loads(golden.read_text(encoding="utf-8")) == json.loads(text)
    assert trace["status"] == "completed"


def test_every_example_has_a_golden_trace() -> None:
    assert {_name(p) for p in EXAMPLES} == {p.stem for p in GOLDEN.glob("*.json")}
