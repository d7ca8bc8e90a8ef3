"""The operations added for #12 (bulk trigger, public workflows, webhooks, predictions, the
execution history, trigger input validation), over real HTTP, every body validated against
the official spec's response schema; and the operations outside the emulator's scope."""

from __future__ import annotations

import json
import time
from typing import Any, Iterator

import httpx
import pytest

from flowdsl.emulator import contract
from tests.remote.conftest import API_KEY
from tests.remote.openapi import validate

ENGINE = "engine"
WFV1 = "workflows-v1"
APIV1 = "api-v1"

VOICE_FLOW = {
    "name": "Voice flow",
    "description": "an optional input with a default",
    "definition": {
        "version": "v1",
        "input_schema": {"type": "object", "required": ["script"], "properties": {
            "script": {"type": "string"},
            "voice": {"type": "string", "enum": ["alloy", "echo"], "default": "alloy"}}},
        "steps": [{"step_id": "gen", "type": "model", "model": "flux-2-pro",
                   "params": {"prompt": "{{inputs.script}} in {{inputs.voice}}"}}],
    },
}


@pytest.fixture
def http(emulator: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.base_url, headers={"X-API-Key": API_KEY}) as c:
        yield c


def _flow(http: httpx.Client) -> str:
    r = http.post("/api/v1/workflows", json=VOICE_FLOW)
    assert r.status_code == 201, r.text
    return str(r.json()["workflow_id"])


def _finished(http: httpx.Client, path: str) -> dict[str, Any]:
    for _ in range(400):
        body: dict[str, Any] = http.get(path).json()
        if body.get("status") not in ("running", "starting", "processing", "queued"):
            return body
        time.sleep(0.01)
    raise AssertionError(f"{path} did not finish")


def test_trigger_validates_inputs_and_applies_defaults(emulator: Any, http: httpx.Client) -> None:
    wid = _flow(http)
    for inputs, needle in (({}, "'script' is required"), ({"script": 2024}, "2024 is not of type 'string'"),
                           ({"script": "x", "voice": "bass"}, "'bass' is not one of")):
        r = http.post(f"/api/v1/{wid}/trigger", json={"inputs": inputs})
        assert r.status_code == 400 and needle in r.json()["error"], r.text
        validate(r.json(), ENGINE, "/{workflowID}/trigger", "post", 400)
        r = http.post(f"/v1/workflows/trigger/{wid}/v1", json={"inputs": inputs},
                      headers={"Authorization": f"Bearer {API_KEY}"})
        assert r.status_code == 400 and needle in r.json()["error"]
        validate(r.json(), APIV1, "/v1/workflows/trigger/{workflowID}/{versionID}", "post", 400)
    assert not emulator.store.snapshot()["executions"]  # nothing ran
    r = http.post(f"/api/v1/{wid}/trigger", json={"inputs": {"script": "hello"}})
    assert r.status_code == 202
    done = _finished(http, f"/api/v1/executions/{r.json()['execution_id']}")
    assert done["status"] == "completed"
    # The default reached the run; the execution echoes the inputs as they were sent.
    assert done["step_outputs"]["gen"]["metadata"]["params"]["prompt"] == "hello in alloy"
    assert done["inputs"] == {"script": "hello"}


@pytest.mark.parametrize("surface", ["engine", "v1"])
def test_bulk_trigger(emulator: Any, http: httpx.Client, surface: str) -> None:
    wid = _flow(http)
    inputs = [{"script": "one"}, {"script": 2}, {"script": "three", "voice": "echo"}]
    if surface == "engine":
        path, name, spec_path = f"/api/v1/{wid}/bulk-trigger", ENGINE, "/{workflowID}/bulk-trigger"
    else:
        path, name, spec_path = (f"/v1/workflows/bulk-trigger/{wid}/v1", APIV1,
                                 "/v1/workflows/bulk-trigger/{workflowID}/{versionID}")
    r = http.post(path, json={"inputs": inputs})
    assert r.status_code == 202, r.text
    body = r.json()
    validate(body, name, spec_path, "post", 202)
    ok, bad, ok2 = body["executions"]
    assert ok["status"] == "queued" and ok2["status"] == "queued"
    assert bad == {"status": "failed", "message": "invalid input: input 'script': 2 is not of type 'string'"}
    # The bulk_id finds exactly the queued executions, in the executions list.
    listed = http.get(f"/api/v1/workflows/{wid}/executions", params={"bulk_id": body["bulk_id"]}).json()
    assert {e["execution_id"] for e in listed["executions"]} == {ok["execution_id"], ok2["execution_id"]}
    done = _finished(http, f"/api/v1/executions/{ok2['execution_id']}")
    assert done["step_outputs"]["gen"]["metadata"]["params"]["prompt"] == "three in echo"
    # 0 or 11 inputs, or a non-object entry, reject the whole request.
    for bad_inputs in ([], [{"script": "x"}] * 11, [{"script": "x"}, "text"]):
        r = http.post(path, json={"inputs": bad_inputs})
        assert r.status_code == 400, (bad_inputs, r.text)
        validate(r.json(), name, spec_path, "post", 400)


def test_predictions(emulator: Any, http: httpx.Client) -> None:
    r = http.post("/v1/prediction", json={"model": "flux-2-pro", "input": {"prompt": "a fox"}})
    assert r.status_code == 200
    validate(r.json(), APIV1, "/v1/prediction", "post", 200)
    pid = r.json()["predictionID"]
    first = http.get(f"/v1/prediction/{pid}").json()
    validate(first, APIV1, "/v1/prediction/{id}", "get", 200)
    done = _finished(http, f"/v1/prediction/{pid}")
    validate(done, APIV1, "/v1/prediction/{id}", "get", 200)
    assert done["status"] == "success" and done["output"][0].endswith(".png")
    assert done["input"] == {"prompt": "a fox"}
    for body, status in (({"model": "no-such-model", "input": {}}, 400), ({"model": "flux-2-pro", "input": {}}, 400)):
        r = http.post("/v1/prediction", json=body)
        assert r.status_code == status
        validate(r.json(), APIV1, "/v1/prediction", "post", status)
    r = http.get("/v1/prediction/nope")
    assert r.status_code == 404
    validate(r.json(), APIV1, "/v1/prediction/{id}", "get", 404)
    # run: synchronous, the output in the response
    r = http.post("/v1/prediction/run", json={"model": "flux-2-pro", "input": {"prompt": "now"}})
    assert r.status_code == 200
    validate(r.json(), APIV1, "/v1/prediction/run", "post", 200)
    assert r.json()["status"] == "success" and r.json()["output"][0].endswith(".png")
    # An input is data, never a template, and keeps its JSON type.
    given = {"prompt": "a {{literal}} brace", "seed": 3, "aspect-ratio": "1:1"}
    r = http.post("/v1/prediction/run", json={"model": "flux-2-pro", "input": given})
    assert r.json()["status"] == "success", r.text
    [ex] = [e for e in emulator.store.snapshot()["predictions"].values() if e["input"] == given]
    assert ex["steps"][0]["metadata"]["params"] == given


def test_cancel_a_running_prediction(make_emulator: Any) -> None:
    from flowdsl.emulator import Timing
    emu = make_emulator(timing=Timing(queued_s=5.0, step_s=5.0))
    with httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {API_KEY}"}) as c:
        pid = c.post("/v1/prediction", json={"model": "flux-2-pro", "input": {"prompt": "x"}}).json()["predictionID"]
        r = c.post(f"/v1/prediction/{pid}/cancel")
        assert r.status_code == 200 and r.json()["message"] == "Prediction cancelled"
        validate(r.json(), APIV1, "/v1/prediction/{id}/cancel", "post", 200)
        view = c.get(f"/v1/prediction/{pid}").json()
        assert view["status"] == "cancelled" and "output" not in view
        r = c.post("/v1/prediction/nope/cancel")
        assert r.status_code == 404
        validate(r.json(), APIV1, "/v1/prediction/{id}/cancel", "post", 404)


def test_execution_history(emulator: Any, http: httpx.Client) -> None:
    wid = _flow(http)
    eid = http.post(f"/api/v1/{wid}/trigger", json={"inputs": {"script": "s"}}).json()["execution_id"]
    pid = http.post("/v1/prediction", json={"model": "flux-2-pro", "input": {"prompt": "p"}}).json()["predictionID"]
    _finished(http, f"/api/v1/executions/{eid}")
    _finished(http, f"/v1/prediction/{pid}")
    r = http.get("/v1/executions")
    assert r.status_code == 200
    validate(r.json(), APIV1, "/v1/executions", "get", 200)
    body = r.json()
    assert body["total_count"] == 2 and body["limit"] == 20 and body["total_capped"] is False
    assert {e["id"] for e in body["executions"]} >= {pid}
    step = http.get("/v1/executions", params={"workflow_execution_id": eid}).json()["executions"]
    assert [(e["model"], e["workflow_id"], e["status"]) for e in step] == [("flux-2-pro", wid, "success")]
    assert http.get("/v1/executions", params={"status": "error"}).json()["total_count"] == 0
    for params in ({"status": "done"}, {"limit": 0}, {"from": "yesterday"}):
        r = http.get("/v1/executions", params=params)
        assert r.status_code == 400, params
        validate(r.json(), APIV1, "/v1/executions", "get", 400)


def test_webhooks_are_recorded_not_sent(emulator: Any, http: httpx.Client) -> None:
    wid = _flow(http)
    hook = "https://hooks.example.invalid/flow"
    eid = http.post(f"/api/v1/{wid}/trigger", json={"inputs": {"script": "s"}, "webhook_url": hook}).json()["execution_id"]
    http.post(f"/api/v1/{wid}/trigger", json={"inputs": {"script": "no hook"}})
    _finished(http, f"/api/v1/executions/{eid}")
    r = http.get("/v1/webhooks")
    validate(r.json(), APIV1, "/v1/webhooks", "get", 200)
    [listed] = r.json()["webhooks"]
    assert listed["execution_id"] == eid and listed["url"] == hook and listed["source"] == "workflow"
    assert json.loads(listed["request"])["status"] == "completed"
    r = http.get(f"/v1/webhooks/{eid}")
    validate(r.json(), APIV1, "/v1/webhooks/{execution_id}", "get", 200)
    assert r.json()["attempts"][0]["status"] == "PENDING"
    r = http.get("/v1/webhooks/nope")
    assert r.status_code == 404
    validate(r.json(), APIV1, "/v1/webhooks/{execution_id}", "get", 404)


def test_public_workflow(emulator: Any, http: httpx.Client) -> None:
    wid = _flow(http)
    public = "/v1/public/@anyone/workflows/voice-flow/versions/v1"
    with httpx.Client(base_url=emulator.base_url) as anon:  # no key: the route is public
        r = anon.get(public)
        assert r.status_code == 404  # not shared yet
        validate(r.json(), WFV1, "/public/@{nickname}/workflows/{slug}/versions/{versionID}", "get", 404)
        http.put(f"/v1/workflows/{wid}/versions/v1", json={"allowed_to_share": True})
        r = anon.get(public)
        assert r.status_code == 200
        validate(r.json(), WFV1, "/public/@{nickname}/workflows/{slug}/versions/{versionID}", "get", 200)
        assert r.json()["workflow_id"] == wid and r.json()["definition"]["steps"]
        trig = "/public/@{nickname}/workflows/{slug}/versions/{versionID}/trigger"
        r = anon.post(public + "/trigger", json={"api_key": API_KEY, "inputs": {"script": "hi"}})
        assert r.status_code == 202
        validate(r.json(), WFV1, trig, "post", 202)
        for body, status in (({"api_key": "wrong", "inputs": {"script": "hi"}}, 401),
                             ({"api_key": API_KEY, "inputs": {}}, 400)):
            r = anon.post(public + "/trigger", json=body)
            assert r.status_code == status
            validate(r.json(), WFV1, trig, "post", status)
        # The route's schema requires api_key in the body (its prose mentions an X-API-Key
        # fallback; the schema is the contract checked): without it, 400.
        r = anon.post(public + "/trigger", json={"inputs": {"script": "hi"}}, headers={"X-API-Key": API_KEY})
        assert r.status_code == 400 and "api_key" in r.json()["error"]


OUT_OF_SCOPE = [("POST", "/v1/chat/completions", {"model": "m", "messages": []}),
                ("POST", "/v1/audio/speech", {}), ("POST", "/v1/audio/transcriptions", None),
                ("POST", "/v1/upload/presign", {}), ("DELETE", "/v1/files/abc", None),
                ("GET", "/v1/llm-router/model-catalog", None)]


@pytest.mark.parametrize("method,path,body", OUT_OF_SCOPE)
def test_out_of_scope_operations_answer_a_documented_error(http: httpx.Client, method: str, path: str,
                                                           body: Any) -> None:
    r = http.request(method, path, json=body)
    known, op = contract.lookup(method, path)
    assert known and op is not None
    assert r.status_code in op.statuses and r.status_code in (400, 500), r.status_code
    spec_path = op.template
    validate(r.json(), APIV1, spec_path.replace("/v1/files/abc", "/v1/files/{id}"), method, r.status_code)
    text = json.dumps(r.json())
    assert "not served by the flowdsl emulator" in text


def test_only_documented_statuses(http: httpx.Client) -> None:
    # A repeated name: 409 where documented (api-v1), 400 on the engine (which lists no 409).
    wid = _flow(http)
    r = http.post("/api/v1/workflows", json=VOICE_FLOW)
    assert r.status_code == 400
    validate(r.json(), ENGINE, "/workflows", "post", 400)
    r = http.post("/v1/workflows", json={"name": VOICE_FLOW["name"], "definition": VOICE_FLOW["definition"]})
    assert r.status_code == 409
    validate(r.json(), APIV1, "/v1/workflows", "post", 409)
    # A non-object body: 400 (the 422 the emulator used to answer is documented nowhere here).
    r = http.post("/api/v1/workflows", content=b"[1]", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    # workflows-v1's list documents no 400: limits outside the bounds are clamped.
    r = http.get("/v1/workflows", params={"limit": 1000, "offset": -3})
    assert r.status_code == 200 and r.json()["workflows"][0]["workflow_id"] == wid


def test_a_missing_key_answers_a_documented_status(emulator: Any) -> None:
    with httpx.Client(base_url=emulator.base_url) as anon:
        # 401 where documented ...
        r = anon.post("/v1/prediction/nope/cancel")
        assert r.status_code == 401
        # ... else the documented stand-in, the message saying what is wrong.
        r = anon.post("/v1/prediction", json={"model": "flux-2-pro", "input": {"prompt": "x"}})
        assert r.status_code == 400 and r.json()["error"] == "Invalid or missing API key"
        validate(r.json(), APIV1, "/v1/prediction", "post", 400)
        r = anon.get("/v1/prediction/some-id")
        assert r.status_code == 404 and r.json()["error"] == "Invalid or missing API key"
        validate(r.json(), APIV1, "/v1/prediction/{id}", "get", 404)
        r = anon.get("/v1/webhooks/some-id")
        assert r.status_code == 400
        r = anon.get("/api/v1/categories")  # documents only 200: served without a key
        assert r.status_code == 200
        validate(r.json(), ENGINE, "/categories", "get", 200)


def test_every_served_operation_is_documented() -> None:
    """Operations implemented / documented, per spec (the README quotes these numbers)."""
    from flowdsl.emulator.routing import match
    from flowdsl.emulator.store import ApiFailure
    served = documented = 0
    for sp in contract.paths():
        for method, op in sp.operations.items():
            documented += 1
            probe = op.template.replace("{", "x").replace("}", "x")
            try:
                served += match(method, probe) is not None
            except ApiFailure:
                pass
    assert documented == 35
    assert served == 29  # the 6 others: chat, audio x2, upload, files, llm-router


TRANSPORT = {405, 408, 413, 429, 500}  # the HTTP layer's own statuses, on any operation


def test_probing_every_operation_gets_only_documented_statuses(emulator: Any, http: httpx.Client) -> None:
    """Every documented operation, with and without a (right) key, odd bodies and odd query
    values, on unknown and on real ids: each answer's status is one the operation documents."""
    wid = _flow(http)
    http.put(f"/v1/workflows/{wid}/versions/v1", json={"allowed_to_share": True})
    eid = http.post(f"/api/v1/{wid}/trigger", json={"inputs": {"script": "s"}, "webhook_url": "https://h.invalid/"}).json()["execution_id"]
    pid = http.post("/v1/prediction", json={"model": "flux-2-pro", "input": {"prompt": "p"}}).json()["predictionID"]
    real = {"workflowID": wid, "versionID": "v1", "executionID": eid, "execution_id": eid, "id": pid,
            "nickname": "me", "slug": "voice-flow"}
    bodies: list[bytes | None] = [None, b"{", b"[1]", b'{"inputs": 5}', b"{}", b'{"inputs": [{"script": 1}]}',
                                  b'{"model": "flux-2-pro", "input": {"prompt": 1}}', b'{"api_key": "wrong"}']
    queries = ["?limit=0", "?limit=abc", "?offset=-1", "?timeout=99", "?status=nope", "?from=x"]
    wrong: set[tuple[str, str, int]] = set()
    with httpx.Client(base_url=emulator.base_url) as c:
        for sp in contract.paths():
            for method, op in sp.operations.items():
                for ids in ({}, real):
                    path = op.template
                    for name in ("workflowID", "versionID", "executionID", "execution_id", "id", "nickname", "slug"):
                        path = path.replace("{" + name + "}", ids.get(name, "nope"))
                    for key in (None, "wrong", API_KEY):
                        headers = {"Content-Type": "application/json", **({"X-API-Key": key} if key else {})}
                        for body, query in [(b, "") for b in bodies] + [(None, q) for q in queries]:
                            r = c.request(method, path + query, content=body, headers=headers)
                            if r.status_code not in op.statuses | TRANSPORT:
                                wrong.add((method, op.template, r.status_code))
    assert not wrong, sorted(wrong)
