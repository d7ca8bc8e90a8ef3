"""The emulator runs every execution on the simulator: over real HTTP, on both API surfaces,
an execution gives what ``flowdsl.simulate`` gives for the same flow and inputs — step
statuses, outputs, resolved params, the choice taken, the flow's output and its mapped
``outputs:``. One test per construct: every condition operator, and/or/not, whole and
embedded templates, choice outputs, parallel branches, fallbacks, unknown models.
"""

from __future__ import annotations

import itertools
from typing import Any, Iterator

import httpx
import pytest

from flowdsl import ir
from flowdsl.emulator import Emulator
from flowdsl.remote.client import ApiClient
from flowdsl.remote.settings import Secret, Settings, endpoints_for
from flowdsl.remote.trigger import flow_outputs
from flowdsl.simulate import simulate_definition
from tests.remote.conftest import API_KEY

IMAGE = "flux-2-pro"  # in the bundled catalog, so the emulator serves it
_names = itertools.count()


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    from flowdsl.emulator import EmulatorConfig, Timing
    with Emulator(EmulatorConfig(api_key=API_KEY, timing=Timing(queued_s=0.0, step_s=0.005))) as e:
        yield e


@pytest.fixture(scope="module")
def http(emu: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emu.base_url, headers={"X-API-Key": API_KEY}, timeout=20) as c:
        yield c


def _finished(http: httpx.Client, path: str) -> dict[str, Any]:
    body: dict[str, Any] = http.get(path, params={"timeout": 10}).json()  # the engine's long poll
    assert body["status"] in ("completed", "failed"), body
    return body


def run_both(http: httpx.Client, emu: Emulator, definition: dict[str, Any], inputs: dict[str, Any],
             mocks: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(engine execution, /v1 execution, simulate's trace) of one flow and its inputs."""
    created = http.post("/api/v1/workflows", json={"name": f"agree {next(_names)}", "definition": definition})
    assert created.status_code == 201, created.text
    wid = created.json()["workflow_id"]
    eid = http.post(f"/api/v1/{wid}/trigger", json={"inputs": inputs}).json()["execution_id"]
    engine = _finished(http, f"/api/v1/executions/{eid}")
    eid = http.post(f"/v1/workflows/trigger/{wid}/v1", json={"inputs": inputs}).json()["execution_id"]
    v1 = _finished(http, f"/v1/workflows/executions/{eid}")
    trace = simulate_definition(definition, inputs, mocks=mocks)
    assert trace["error"] is None or trace["error"]["error"] != "invalid_definition", trace["error"]
    return engine, v1, trace


def assert_agree(http: httpx.Client, emu: Emulator, definition: dict[str, Any], inputs: dict[str, Any],
                 mocks: dict[str, Any] | None = None) -> dict[str, Any]:
    engine, v1, trace = run_both(http, emu, definition, inputs, mocks)
    for view in (engine, v1):
        assert view["status"] == trace["status"]
        ran = {sid: s for sid, s in trace["steps"].items() if s["status"] not in ("skipped", "pending")}
        assert set(view["step_outputs"]) == set(ran)
        for sid, s in ran.items():
            so = view["step_outputs"][sid]
            # The API calls a step that never started "cancelled"; the trace says "not_run".
            assert so["status"] == {"not_run": "cancelled"}.get(s["status"], s["status"]), sid
            if s["status"] == "completed":
                assert so.get("output") == s["output"], sid
            if s.get("selected") and s["status"] in ("completed", "failed"):
                assert so["selected"] == s["selected"], sid
            if s["kind"] == "model" and s["started_s"] is not None:
                assert so["metadata"]["params"] == (s["params"] or {}), sid
            if s["status"] == "failed":
                assert so["error_cause"] == s["error"]["cause"], sid
        if trace["status"] == "failed":
            err = trace["error"]
            assert view["error_cause"] == f"Step '{err['step']}' failed: {err['cause']}"
    mapped = bool(definition.get("output_mapping"))
    if trace["status"] == "completed":
        if mapped:
            assert v1["workflow_output"] == trace["output"]
            with ApiClient(Settings(endpoints=endpoints_for(emu.base_url), api_key=Secret(API_KEY))) as client:
                assert flow_outputs(client, engine) == trace["output"]  # what trigger --wait prints
        else:
            assert engine["output"] == v1["output"] == trace["output"]
            assert "workflow_output" not in v1
    return trace


def _pass(sid: str, result: Any) -> dict[str, Any]:
    return {"step_id": sid, "type": "pass", "result": result}


def _choice(condition: dict[str, Any]) -> dict[str, Any]:
    return {"version": "v1", "steps": [
        {"step_id": "pick", "type": "choice", "condition": condition,
         "condition_met_branch": {"steps": [_pass("then", "then")]},
         "default_branch": {"steps": [_pass("other", "else")]}},
    ]}


OPERATOR_CASES: list[tuple[str, str, Any, dict[str, Any], str]] = [
    # operator, expression, value, inputs, the branch simulate takes
    ("equals", "$.inputs.n", "5", {"n": 5}, "condition_met"),  # a numeric string equals the number
    ("not_equals", "$.inputs.n", "5", {"n": 5}, "default"),
    ("greater_than", "$.inputs.n", 9, {"n": "10"}, "condition_met"),
    ("less_than", "$.inputs.n", "4", {"n": 3}, "condition_met"),
    ("greater_than_or_equal", "$.inputs.n", 5, {"n": 5.0}, "condition_met"),
    ("less_than_or_equal", "$.inputs.n", 5, {"n": "abc"}, "default"),  # not a number: false
    ("string_equals", "$.inputs.s", "Fox", {"s": "fox"}, "default"),
    ("string_matches", "$.inputs.s", "red", {"s": "a red fox"}, "condition_met"),  # contains
    ("in", "$.inputs.n", [1, "2", 3], {"n": 2}, "condition_met"),
    ("not_in", "$.inputs.s", ["y", "z"], {"s": "x"}, "condition_met"),
    ("exists", "$.inputs.gone", None, {"n": 1}, "default"),
    ("not_exists", "$.inputs.gone", None, {"n": 1}, "condition_met"),
    ("is_null", "$.inputs.z", None, {"z": None}, "condition_met"),
    ("is_not_null", "$.inputs.z", None, {"z": 0}, "condition_met"),
]


def test_the_cases_cover_every_operator() -> None:
    assert sorted({c[0] for c in OPERATOR_CASES}) == sorted(ir.OPERATORS)


@pytest.mark.parametrize("op,expr,value,inputs,branch", OPERATOR_CASES, ids=[c[0] for c in OPERATOR_CASES])
def test_condition_operator(http: httpx.Client, emu: Emulator, op: str, expr: str, value: Any,
                            inputs: dict[str, Any], branch: str) -> None:
    cond: dict[str, Any] = {"expression": expr, "operator": op}
    if op not in ir.UNARY_OPERATORS:
        cond["value"] = value
    trace = assert_agree(http, emu, _choice(cond), inputs)
    assert trace["steps"]["pick"]["selected"] == branch


@pytest.mark.parametrize("n,branch", [(5, "condition_met"), (50, "default"), (-1, "default")])
def test_and_or_not(http: httpx.Client, emu: Emulator, n: int, branch: str) -> None:
    cond = {"and": [{"expression": "$.inputs.n", "operator": "greater_than", "value": 0},
                    {"or": [{"expression": "$.inputs.n", "operator": "less_than", "value": 10},
                            {"not": {"expression": "$.inputs.n", "operator": "exists"}}]}]}
    trace = assert_agree(http, emu, _choice(cond), {"n": n})
    assert trace["steps"]["pick"]["selected"] == branch


def test_condition_on_a_step_output(http: httpx.Client, emu: Emulator) -> None:
    definition = _choice({"expression": "$.gen.primary", "operator": "string_matches", "value": ".png"})
    definition["steps"].insert(0, {"step_id": "gen", "type": "model", "model": IMAGE,
                                   "params": {"prompt": "{{inputs.p}}"}})
    trace = assert_agree(http, emu, definition, {"p": "fox"})
    assert trace["steps"]["pick"]["selected"] == "condition_met"


@pytest.mark.parametrize("z", [0, None, 2.0, "x", {"k": [1, True]}], ids=["zero", "null", "float", "text", "object"])
def test_whole_and_embedded_templates(http: httpx.Client, emu: Emulator, z: Any) -> None:
    definition = {"version": "v1", "steps": [
        {"step_id": "gen", "type": "model", "model": IMAGE,
         "params": {"prompt": "a{{inputs.z}}b", "seed": "{{inputs.z}}", "list": ["{{ inputs.z }}", "-{{inputs.z}}-"]}},
        _pass("whole", "{{inputs.z}}"),
        _pass("embedded", "a{{inputs.z}}b"),
        _pass("nested", {"img": "{{gen.primary}}", "all": "{{gen.output}}", "text": "<{{gen.primary}}>"}),
    ]}
    trace = assert_agree(http, emu, definition, {"z": z})
    assert trace["steps"]["whole"]["output"] == z
    if z == 0:
        assert trace["steps"]["embedded"]["output"] == "a0b"


def test_mapped_outputs(http: httpx.Client, emu: Emulator) -> None:
    definition = {"version": "v1", "steps": [
        {"step_id": "gen", "type": "model", "model": IMAGE, "params": {"prompt": "{{inputs.p}}"}},
        _pass("keep", {"note": "last"}),
    ], "output_mapping": {"image": "{{gen.primary}}", "all": "{{gen.output}}", "label": "p={{inputs.p}}",
                          "ref": "$.keep.output.note", "absent": "{{gen.output.nope}}"}}
    trace = assert_agree(http, emu, definition, {"p": "fox"})
    assert trace["output"]["image"].endswith(".png") and trace["output"]["label"] == "p=fox"


@pytest.mark.parametrize("flag,branch", [(True, "condition_met"), (False, "default")])
def test_choice_outputs(http: httpx.Client, emu: Emulator, flag: bool, branch: str) -> None:
    definition = {"version": "v1", "steps": [
        {"step_id": "pick", "type": "choice",
         "condition": {"expression": "$.inputs.hd", "operator": "equals", "value": True},
         "condition_met_branch": {"steps": [
             {"step_id": "big", "type": "model", "model": IMAGE, "params": {"prompt": "big"}}]},
         "default_branch": {"steps": [_pass("small", {"size": "small"})]}},
    ], "output_mapping": {"chosen": "{{pick.output}}", "big": "{{big.primary}}", "small": "{{small.output}}",
                          "which": "$.pick.selected"}}
    trace = assert_agree(http, emu, definition, {"hd": flag})
    assert trace["steps"]["pick"]["selected"] == branch
    # The branch not taken reads as null, in the emulator as in simulate.
    assert trace["output"]["big" if not flag else "small"] is None


def test_choice_without_mapping_outputs_the_last_step(http: httpx.Client, emu: Emulator) -> None:
    definition = _choice({"expression": "$.inputs.n", "operator": "equals", "value": 1})
    definition["steps"].append(_pass("after", "{{pick.output}}!"))
    trace = assert_agree(http, emu, definition, {"n": 1})
    assert trace["output"] == "then!"


def test_parallel_branches(http: httpx.Client, emu: Emulator) -> None:
    definition = {"version": "v1", "steps": [
        {"step_id": "fan", "type": "parallel", "branches": [
            {"steps": [{"step_id": "a", "type": "model", "model": IMAGE, "params": {"prompt": "a"}}]},
            {"steps": [_pass("b", "{{inputs.p}}")]}]},
        _pass("join", ["{{a.primary}}", "{{b.output}}"]),
    ], "output_mapping": {"fan": "{{fan.output}}", "join": "{{join.output}}"}}
    assert_agree(http, emu, definition, {"p": "x"})


UNKNOWN = "no-such-model"
NOT_FOUND = {"responses": {"0+": {"throw": {"error": "StepFailed", "cause": f"model not found: {UNKNOWN}"}}}}


def test_unknown_model_fails_the_step(http: httpx.Client, emu: Emulator) -> None:
    definition = {"version": "v1", "steps": [
        {"step_id": "gen", "type": "model", "model": UNKNOWN, "params": {"prompt": "{{inputs.p}}"}},
        _pass("after", "never"),
    ]}
    # simulate knows nothing of the emulator's catalog: the same failure, as a mock.
    trace = assert_agree(http, emu, definition, {"p": "x"}, mocks={"steps": {"gen": NOT_FOUND}})
    assert trace["status"] == "failed" and trace["error"]["cause"] == f"model not found: {UNKNOWN}"


def test_unknown_model_with_continue_on_error(http: httpx.Client, emu: Emulator) -> None:
    definition = {"version": "v1", "steps": [
        {"step_id": "gen", "type": "model", "model": UNKNOWN, "continue_on_error": True, "params": {"prompt": "x"}},
        _pass("after", {"status": "{{gen.status}}"}),
    ]}
    trace = assert_agree(http, emu, definition, {}, mocks={"steps": {"gen": NOT_FOUND}})
    assert trace["status"] == "completed" and trace["output"] == {"status": "failed"}


def test_fallback_runs_when_the_primary_model_is_unknown(http: httpx.Client, emu: Emulator) -> None:
    definition = {"version": "v1", "steps": [
        {"step_id": "gen", "type": "model", "model": UNKNOWN, "params": {"prompt": "{{inputs.p}}"},
         "fallback": {"model": IMAGE, "params": {"prompt": "fb {{inputs.p}}"}}},
        _pass("after", "{{gen.primary}}"),
    ], "output_mapping": {"image": "{{gen.primary}}"}}
    trace = assert_agree(http, emu, definition, {"p": "fox"}, mocks={"steps": {"gen": NOT_FOUND}})
    assert trace["steps"]["gen"]["fallback_used"] and trace["output"]["image"].endswith(".png")


def test_unknown_fallback_model_fails_too(http: httpx.Client, emu: Emulator) -> None:
    definition = {"version": "v1", "steps": [
        {"step_id": "gen", "type": "model", "model": UNKNOWN, "params": {"prompt": "x"},
         "fallback": {"model": "also-missing", "params": {"prompt": "y"}}},
    ]}
    fb = {"responses": {"0+": {"throw": {"error": "StepFailed", "cause": "model not found: also-missing"}}}}
    trace = assert_agree(http, emu, definition, {}, mocks={"steps": {"gen": NOT_FOUND, "gen_fallback": fb}})
    assert trace["status"] == "failed"


FLOW = """\
name: Agree end to end
inputs:
  n: {type: integer, required: true}
  z: {type: integer, required: true}
steps:
  - id: gen
    model: flux-2-pro
    with: {prompt: "a{{inputs.z}}b"}
  - id: route
    if: $.inputs.n == "5"
    then:
      - {id: big, pass: "{{gen.primary}}"}
    else:
      - {id: small, pass: "small {{inputs.z}}"}
  - {id: last, pass: {note: last step}}
outputs:
  picked: "{{route.output}}"
  prompt: "{{inputs.z}}"
"""


@pytest.mark.parametrize("surface", ["", "/v1"], ids=["engine", "v1"])
def test_trigger_wait_prints_what_simulate_outputs(make_emulator: Any, project: Any, run: Any,
                                                   surface: str) -> None:
    """The issue's cases from the command line: n == "5" with n=5, "a{{inputs.z}}b" with z=0,
    and the flow's `outputs:` (not the last step's output) on both surfaces."""
    import json
    emu = make_emulator()
    flow = project / "agree.flow.yaml"
    flow.write_text(FLOW, encoding="utf-8")
    url = emu.base_url + surface
    assert run("deploy", str(flow), "--api-url", url).exit_code == 0
    r = run("trigger", str(flow), "-i", "n=5", "-i", "z=0", "--wait", "--interval", "0.02", "--api-url", url)
    assert r.exit_code == 0, r.output
    sim = run("simulate", str(flow), "--input", "n=5", "--input", "z=0", "--format", "json")
    assert sim.exit_code == 0, sim.output
    expected = json.loads(sim.stdout)["output"]
    assert json.loads(r.stdout) == expected
    assert expected["picked"].endswith(".png") and expected["prompt"] == 0
    [ex] = emu.store.snapshot()["executions"].values()
    assert ex["steps"][0]["metadata"]["params"] == {"prompt": "a0b"}
