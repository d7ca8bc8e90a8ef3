"""schemathesis against the running emulator, for every operation of the three official
specs (the copies shipped in flowdsl/emulator/specs/): those it serves, and those outside its
scope, which must still answer a documented status in the documented error shape.

Bounded and deterministic (derandomized hypothesis, few examples per operation) so it runs in
the ordinary suite; ``FLOWDSL_SCHEMATHESIS=1`` runs many more examples. Every unique failure
(operation, check) fails the test unless it is one of the KNOWN deviations below, each with
its reason, so a new drift from the contract is caught and the known ones stay listed.
"""

from __future__ import annotations

import copy
import os
from typing import Any

import pytest

from flowdsl.emulator import contract
from flowdsl.emulator.routing import match
from flowdsl.emulator.store import ApiFailure
from tests.remote.conftest import API_KEY

schemathesis = pytest.importorskip("schemathesis")
hypothesis = pytest.importorskip("hypothesis")

LONG = os.environ.get("FLOWDSL_SCHEMATHESIS") == "1"
EXAMPLES = 200 if LONG else 12

TRIGGER_400 = "an empty definition or inputs breaking the flow's input schema: a documented 400"
# (spec, METHOD, path, check title) -> why the emulator deviates
KNOWN: dict[tuple[str, str, str, str], str] = {
    ("engine", "POST", "/workflows", "Schema-valid request rejected"):
        "an empty name has no slug; the emulator answers 400 (a documented status)",
    ("api-v1", "POST", "/v1/workflows", "Schema-valid request rejected"):
        "an empty name has no slug; the emulator answers 400 (a documented status)",
    ("api-v1", "GET", "/v1/model", "Schema-valid request rejected"):
        "an unknown slug is a 404 (documented); schemathesis counts it as rejecting valid data",
    ("engine", "GET", "/categories", "API accepts requests without authentication"):
        "the spec declares security here but documents no 401 (only 200): answering documented "
        "statuses only, the static category list is served without a key",
    ("api-v1", "POST", "/v1/prediction", "Schema-valid request rejected"):
        "a model the catalog does not serve (any generated slug) is a 400, the documented status",
    ("api-v1", "POST", "/v1/prediction/run", "Schema-valid request rejected"):
        "a model the catalog does not serve (any generated slug) is a 400, the documented status",
    ("api-v1", "GET", "/v1/executions", "Schema-valid request rejected"):
        "status and error_classification take listed tokens only, from/to RFC 3339; the spec's "
        "prose documents the 400 its schema (plain strings) does not express",
    # Triggering data the spec's request schema allows but the workflow cannot run (a 400,
    # documented): a version created earlier in the run with an empty definition (`{}`, which
    # the create schema allows; seen: "version v1 has no definition"), or `inputs` that break
    # the flow's own input schema, which the spec's schema (any object) cannot express.
    ("engine", "POST", "/{workflowID}/trigger", "Schema-valid request rejected"): TRIGGER_400,
    ("api-v1", "POST", "/v1/workflows/trigger/{workflowID}/{versionID}", "Schema-valid request rejected"):
        TRIGGER_400,
    ("workflows-v1", "POST", "/public/@{nickname}/workflows/{slug}/versions/{versionID}/trigger",
     "Schema-valid request rejected"): TRIGGER_400,
    ("api-v1", "GET", "/v1/llm-router/model-catalog", "Server error"):
        "outside the emulator's scope; 500 is the only error status this operation documents",
}
# Operations outside the emulator's scope (README: Emulator) answer a documented error in the
# documented shape to every request; schemathesis counts that as rejecting valid data.
OUT_OF_SCOPE_TITLES = {"Schema-valid request rejected"}
# We always send a valid key ourselves, so "accepts invalid auth" is about our header, not the API.
IGNORED = {"API accepts invalid authentication"}


def _implemented(method: str, path: str) -> bool:
    try:
        return match(method, path) is not None
    except ApiFailure:
        return False


def _run_spec(name: str, base_url: str) -> tuple[int, dict[tuple[str, str, str, str], str]]:
    from hypothesis import HealthCheck, given, settings

    _, prefix = contract.SPECS[name]
    raw = copy.deepcopy(contract.spec(name))
    raw["servers"] = [{"url": base_url + prefix}]
    schema = schemathesis.openapi.from_dict(raw)
    cases = 0
    failures: dict[tuple[str, str, str, str], str] = {}
    for result in schema.get_all_operations():
        op = result.ok()
        method = op.method.upper()
        served = _implemented(method, prefix + op.path)

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy())
        def check(case: Any) -> None:
            nonlocal cases
            cases += 1
            try:
                case.call_and_validate(base_url=base_url + prefix, headers={"X-API-Key": API_KEY})
            except BaseException as exc:  # schemathesis raises a FailureGroup (an ExceptionGroup)
                if isinstance(exc, KeyboardInterrupt):
                    raise
                for sub in getattr(exc, "exceptions", [exc]):
                    title = str(getattr(sub, "title", type(sub).__name__))
                    if title not in IGNORED and (served or title not in OUT_OF_SCOPE_TITLES):
                        failures[(name, method, op.path, title)] = str(getattr(sub, "message", sub))[:1500]

        check()
    return cases, failures


@pytest.mark.parametrize("name", list(contract.SPECS))
def test_schemathesis_finds_no_new_failures(emulator: Any, name: str, capfd: Any) -> None:
    cases, failures = _run_spec(name, emulator.base_url)
    new = {k: v for k, v in failures.items() if k not in KNOWN}
    with capfd.disabled():
        print(f"\nschemathesis {name}: {cases} cases, {len(failures)} unique failures "
              f"({len(failures) - len(new)} known)")
    assert cases > 0
    assert not new, new
    assert "Traceback" not in capfd.readouterr().err
