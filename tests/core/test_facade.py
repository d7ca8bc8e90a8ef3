"""The public facade: load / analyze / compile / simulate as a script would use them."""

from __future__ import annotations

from pathlib import Path

import pytest

import flowdsl

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

FLOW = """\
name: Facade
inputs:
  prompt: {type: string, required: true}
steps:
  - id: img
    model: flux-2-pro
    with: {prompt: "{{inputs.prompt}}"}
outputs:
  image: "{{img.primary}}"
"""


def test_analyze_text_compile_and_simulate() -> None:
    checked = flowdsl.analyze(FLOW, file="facade.flow.yaml")
    assert checked.diagnostics == [] and checked.workflow is not None
    definition = flowdsl.compile(checked.workflow)
    assert [s.get("step_id") for s in definition["steps"]] == ["img"]
    assert flowdsl.compile(checked.workflow, request="create")["name"] == "Facade"
    trace = flowdsl.dry_run(checked.workflow, {"prompt": "a cat"})
    assert trace["status"] == "completed"
    with pytest.raises(ValueError):
        flowdsl.dry_run(checked.workflow, {})  # the required input is missing


def test_analyze_path_finds_the_mistake() -> None:
    checked = flowdsl.analyze(FLOW.replace("prompt: \"{{", "promt: \"{{"), file="bad.flow.yaml")
    assert checked.has_errors and {d.rule for d in checked.diagnostics} >= {"unknown-param"}
    some = sorted(EXAMPLES.glob("*.flow.yaml"))[0]
    assert not flowdsl.analyze(some).has_errors
    assert flowdsl.load(some).workflow is not None
