"""Every emulator route, on both surfaces, answers with bodies the official OpenAPI response
schemas accept (including the error bodies)."""

from __future__ import annotations

import json
import time
from typing import Any, Iterator

import httpx
import pytest

from flowdsl.emulator import generate_models
from tests.remote.conftest import API_KEY, flow_doc
from tests.remote.openapi import validate, validate_component

ENGINE = "engine"
WFV1 = "workflows-v1"
APIV1 = "api-v1"


@pytest.fixture
def http(emulator: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.base_url, headers={"X-API-Key": API_KEY}) as c:
        yield c


def _create_engine(http: httpx.Client, i: int = 1) -> dict[str, Any]:
    r = http.post("/api/v1/workflows", json=flow_doc(i))
    assert r.status_code == 201, r.text
    validate(r.json(), ENGINE, "/workflows", "post", 201)
    return r.json()


def test_models_routes(make_emulator: Any) -> None:
    emu = make_emulator(models=generate_models(30))
    with httpx.Client(base_url=emu.base_url) as c:  # the model catalog needs no key
        r = c.get("/v1/models", params={"limit": 10, "offset": 25})
        assert r.status_code == 200
        validate(r.json(), APIV1, "/v1/models", "get", 200)
        assert len(r.json()) == 5
        r = c.get("/v1/models", params={"name": "VIDEO"})
        assert {m["slug"] for m in r.json()} == {m["slug"] for m in generate_models(30) if "video" in m["slug"]}
        slug = generate_models(1)[0]["slug"]
        r = c.get("/v1/model", params={"slug": slug})
        validate(r.json(), APIV1, "/v1/model", "get", 200)
        assert r.json()["request_schema"]["required"] == ["prompt"]
        for params, status in (({}, 400), ({"slug": "nope"}, 404)):
            r = c.get("/v1/model", params=params)
            assert r.status_code == status
            validate(r.json(), APIV1, "/v1/model", "get", status)
        r = c.get("/v1/models", params={"limit": 501})
        assert r.status_code == 400
        validate(r.json(), APIV1, "/v1/models", "get", 400)


def test_bundled_catalog_is_served(emulator: Any, http: httpx.Client) -> None:
    r = http.get("/v1/model", params={"slug": "flux-2-pro"})
    assert r.status_code == 200 and r.json()["output_type"] == "array"


def test_engine_workflow_lifecycle(http: httpx.Client) -> None:
    wf = _create_engine(http)
    assert wf["slug"] == "test-flow-1" and wf["latest_version_id"] == "v1"
    wid = wf["workflow_id"]
    for ident in (wid, wf["slug"]):  # UUID or slug
        r = http.get(f"/api/v1/workflows/{ident}")
        assert r.status_code == 200
        validate(r.json(), ENGINE, "/workflows/{workflowID}", "get", 200)
    body = {"version_id": "v2", "definition": {**flow_doc(1, seed=3)["definition"], "version": "v2"}}
    r = http.put(f"/api/v1/workflows/{wid}/versions/v2", json=body)
    validate(r.json(), ENGINE, "/workflows/{workflowID}/versions/{versionID}", "put", 200)
    assert http.get(f"/api/v1/workflows/{wid}").json()["latest_version_id"] == "v2"
    r = http.put(f"/api/v1/workflows/{wid}", json={"description": "new", "categories": ["image-generation"]})
    validate(r.json(), ENGINE, "/workflows/{workflowID}", "put", 200)
    assert r.json()["description"] == "new"
    r = http.post(f"/api/v1/{wid}/trigger", json={"inputs": {"prompt": "x"}})
    assert r.status_code == 202
    validate(r.json(), ENGINE, "/{workflowID}/trigger", "post", 202)
    eid = r.json()["execution_id"]
    seen = set()
    for _ in range(200):
        r = http.get(f"/api/v1/executions/{eid}")
        validate(r.json(), ENGINE, "/executions/{executionID}", "get", 200)
        seen.add(r.json()["status"])
        if r.json()["status"] == "completed":
            break
        time.sleep(0.01)
    assert seen == {"running", "completed"}
    r = http.get(f"/api/v1/workflows/{wid}/executions")
    validate(r.json(), ENGINE, "/workflows/{workflowID}/executions", "get", 200)
    assert r.json()["total_count"] == 1


def test_v1_workflow_lifecycle(http: httpx.Client) -> None:
    r = http.post("/v1/workflows", json={"name": "V1 flow", "definition": flow_doc(2)["definition"]},
                  headers={"X-API-Key": "", "Authorization": f"Bearer {API_KEY}"})
    assert r.status_code == 201
    validate(r.json(), APIV1, "/v1/workflows", "post", 201)
    wid = r.json()["workflow_id"]
    assert r.json()["categories"] == ["general"]
    r = http.get("/v1/workflows")
    validate(r.json(), WFV1, "/workflows", "get", 200)
    r = http.get(f"/v1/workflows/{wid}")
    validate(r.json(), WFV1, "/workflows/{workflowID}", "get", 200)
    r = http.put(f"/v1/workflows/{wid}/versions/v1", json={"production": True})  # patch: keeps definition
    validate(r.json(), WFV1, "/workflows/{workflowID}/versions/{versionID}", "put", 200)
    assert r.json()["production"] is True and r.json()["definition"]["steps"]
    r = http.put(f"/v1/workflows/{wid}", json={"name": "V1 flow renamed", "description": "ignored"})
    validate(r.json(), WFV1, "/workflows/{workflowID}", "put", 200)
    assert r.json()["slug"] == "v1-flow-renamed" and r.json()["description"] == ""
    r = http.post(f"/v1/workflows/trigger/{wid}/v1", json={"inputs": {"prompt": "x"}})
    assert r.status_code == 202
    validate(r.json(), APIV1, "/v1/workflows/trigger/{workflowID}/{versionID}", "post", 202)
    eid = r.json()["execution_id"]
    for _ in range(200):
        r = http.get(f"/v1/workflows/executions/{eid}")
        validate(r.json(), APIV1, "/v1/workflows/executions/{executionID}", "get", 200)
        if r.json()["status"] == "completed":
            break
        time.sleep(0.01)
    assert r.json()["version_id"] == "v1"
    assert r.json()["workflow_output"]["image"].startswith("https://")
    r = http.get(f"/v1/workflows/{wid}/executions")
    validate(r.json(), APIV1, "/v1/workflows/{workflowID}/executions", "get", 200)


def test_error_bodies(emulator: Any, http: httpx.Client) -> None:
    wf = _create_engine(http)
    wid = wf["workflow_id"]
    r = http.get("/api/v1/workflows/nope")
    assert r.status_code == 404
    validate(r.json(), ENGINE, "/workflows/{workflowID}", "get", 404)
    r = http.get(f"/v1/workflows/{wid}", headers={"X-API-Key": "wrong"})
    assert r.status_code == 401
    validate(r.json(), WFV1, "/workflows/{workflowID}", "get", 401)
    r = http.post("/api/v1/workflows", json=flow_doc(1))  # same name -> same slug
    assert r.status_code == 400  # the engine documents no 409: its stand-in, 400
    validate(r.json(), ENGINE, "/workflows", "post", 400)
    r = http.post("/api/v1/workflows", json={"name": "x", "description": "", "definition": {"steps": []}})
    assert r.status_code == 400
    validate(r.json(), ENGINE, "/workflows", "post", 400)
    r = http.post("/api/v1/workflows", content=b"[1, 2]", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    r = http.put(f"/api/v1/workflows/{wid}/versions/v1", json={"version_id": "v1", "locked": True,
                                                               "definition": wf["versions"][0]["definition"]})
    assert r.status_code == 200
    r = http.put(f"/api/v1/workflows/{wid}/versions/v1", json={"version_id": "v1", "definition": {"steps": []}})
    assert r.status_code == 403 and "v1" in r.json()["error"]
    validate(r.json(), ENGINE, "/workflows/{workflowID}/versions/{versionID}", "put", 403)
    r = http.post(f"/api/v1/{wid}/trigger", json={"inputs": {}})
    assert r.status_code == 400 and "prompt" in r.json()["error"]
    validate(r.json(), ENGINE, "/{workflowID}/trigger", "post", 400)
    assert http.get("/api/v1/executions/nope").status_code == 404


def test_rate_limit_headers_and_429(make_emulator: Any) -> None:
    emu = make_emulator(rate_limit_per_min=60, burst=2)
    with httpx.Client(base_url=emu.base_url) as c:
        first = c.get("/v1/models")
        assert first.headers["X-RateLimit-Limit"] == "60"
        assert first.headers["X-RateLimit-Remaining"] == "1"
        c.get("/v1/models")
        r = c.get("/v1/models")
        assert r.status_code == 429
        assert int(r.headers["Retry-After"]) >= 1
        validate_component(r.json(), APIV1, "Error")
        assert r.json() == {"error": "rate limit exceeded"}
        assert r.headers["X-RateLimit-Remaining"] == "0"


def test_fault_injection_is_seeded(make_emulator: Any) -> None:
    def outcomes(seed: int) -> list[str]:
        emu = make_emulator(fault_rate=0.5, seed=seed, api_key=None)
        out = []
        with httpx.Client(base_url=emu.base_url, timeout=2) as c:
            for _ in range(30):
                try:
                    out.append(str(c.get("/v1/models", params={"limit": 1}).status_code))
                except httpx.TransportError:
                    out.append("dropped")
        return out

    a, b = outcomes(11), outcomes(11)
    assert a == b
    assert {"200", "500", "dropped"} <= set(a)


def test_state_file_survives_restart(make_emulator: Any, tmp_path: Any) -> None:
    state = tmp_path / "emu.json"
    emu = make_emulator(state_path=state)
    with httpx.Client(base_url=emu.base_url, headers={"X-API-Key": API_KEY}) as c:
        wid = c.post("/api/v1/workflows", json=flow_doc(5)).json()["workflow_id"]
    emu.stop()
    again = make_emulator(state_path=state)
    with httpx.Client(base_url=again.base_url, headers={"X-API-Key": API_KEY}) as c:
        r = c.get(f"/api/v1/workflows/{wid}")
        assert r.status_code == 200 and r.json()["slug"] == "test-flow-5"
        assert c.get("/v1/workflows").json()["total_count"] == 1


def test_executions_survive_restart_and_old_state_upgrades(make_emulator: Any, tmp_path: Any) -> None:
    state = tmp_path / "emu.json"
    emu = make_emulator(state_path=state)
    with httpx.Client(base_url=emu.base_url, headers={"X-API-Key": API_KEY}) as c:
        wid = c.post("/api/v1/workflows", json=flow_doc(6)).json()["workflow_id"]
        eid = c.post(f"/api/v1/{wid}/trigger", json={"inputs": {"prompt": "x"}}).json()["execution_id"]
        before = c.get(f"/v1/workflows/executions/{eid}", params={"timeout": 5}).json()
    emu.stop()
    again = make_emulator(state_path=state)
    with httpx.Client(base_url=again.base_url, headers={"X-API-Key": API_KEY}) as c:
        assert c.get(f"/v1/workflows/executions/{eid}").json() == before
    # A version-1 state file (the old planner's records: fatal flags, no outcome fields).
    data = json.loads(state.read_text())
    ex = data["executions"][eid]
    for key in ("end", "status", "error", "output", "workflow_output", "cost_usd"):
        del ex[key]
    ex["steps"][0].update(status="failed", fatal=True, error="StepFailed", error_cause="boom")
    state.write_text(json.dumps(data))
    old = make_emulator(state_path=state)
    with httpx.Client(base_url=old.base_url, headers={"X-API-Key": API_KEY}) as c:
        body = c.get(f"/api/v1/executions/{eid}").json()
    assert body["status"] == "failed" and body["error_cause"] == "Step 'gen' failed: boom"


def test_unknown_route_and_method(http: httpx.Client) -> None:
    assert http.get("/api/v1/nothing/here/at/all").status_code == 404
    r = http.delete("/api/v1/workflows/x")
    assert r.status_code == 405 and "error" in r.json()


def test_executions_run_through_the_simulator(http: httpx.Client) -> None:
    doc = flow_doc(8)
    doc["definition"]["steps"].append({
        "step_id": "route", "type": "choice",
        "condition": {"expression": "$.inputs.prompt", "operator": "equals", "value": "big"},
        "condition_met_branch": {"name": "condition_met", "step_id": "route_condition_met",
                                 "steps": [{"step_id": "upscale", "type": "model", "model": "topaz-upscale-image",
                                            "params": {"image_url": "{{gen.primary}}"}}]},
        "default_branch": {"name": "default", "step_id": "route_default",
                           "steps": [{"step_id": "as_is", "type": "pass", "result": "{{gen.primary}}"}]},
    })
    wid = http.post("/api/v1/workflows", json=doc).json()["workflow_id"]
    eid = http.post(f"/api/v1/{wid}/trigger", json={"inputs": {"prompt": "small"}}).json()["execution_id"]
    for _ in range(300):
        body = http.get(f"/api/v1/executions/{eid}").json()
        validate(body, ENGINE, "/executions/{executionID}", "get", 200)
        if body["status"] != "running":
            break
        time.sleep(0.01)
    assert body["status"] == "completed"
    steps = body["step_outputs"]
    assert "upscale" not in steps and steps["as_is"]["status"] == "completed"
    assert steps["gen"]["primary"].startswith("https://mock.flowdsl.invalid/")  # the simulator's outputs
    assert steps["as_is"]["output"] == steps["gen"]["primary"]
