"""Execution semantics, driven by the case flows and mocks files in cases/."""

from __future__ import annotations

from typing import Any

import pytest

from flowdsl.catalog import bundled_catalog
from flowdsl.frontend.source import load_workflow
from flowdsl.simulate import Simulator, load_mocks

from tests.simulate.helpers import CASES, PYTHON, sim, trace


def run_case(flow_name: str, mocks_name: str | None, inputs: dict[str, Any] | None = None,
             seed: int | None = None) -> dict[str, Any]:
    wf = load_workflow(CASES / flow_name).workflow
    assert wf is not None
    mocks = None
    if mocks_name is not None:
        mocks, diags = load_mocks(CASES / mocks_name, wf)
        assert mocks is not None, [d.message for d in diags]
    from flowdsl.simulate.inputs import prepare
    return Simulator(wf, bundled_catalog(), mocks, PYTHON).run(prepare(wf, inputs or {}), seed=seed).trace()


def test_retry_then_succeed() -> None:
    t = run_case("pipeline.flow.yaml", "retry.mocks.yaml")
    gen = t["steps"]["gen"]
    assert t["status"] == "completed"
    assert [a["status"] for a in gen["attempts"]] == ["failed", "failed", "completed"]
    # 10 s attempts, backoff delays of 1 s then 2 s (delay 1s, backoff 2), all virtual.
    assert [(a["started_s"], a["ended_s"]) for a in gen["attempts"]] == [(0, 10), (11, 21), (23, 33)]
    assert gen["attempts"][1]["delay_s"] == 1 and gen["attempts"][2]["delay_s"] == 2
    assert gen["fallback_used"] is False and "gen_fallback" not in t["steps"]
    assert gen["cost_usd"] == 0.04 and gen["primary"] == "https://cdn.example.com/kite.png"
    assert t["steps"]["tag"]["params"]["body"] == {"image": "https://cdn.example.com/kite.png"}
    assert t["output"]["image"] == "https://cdn.example.com/kite.png"


def test_fallback_after_the_primary_fails_for_good() -> None:
    t = run_case("pipeline.flow.yaml", "fallback.mocks.yaml")
    gen, fb = t["steps"]["gen"], t["steps"]["gen_fallback"]
    assert len(gen["attempts"]) == 3 and gen["status"] == "completed"
    assert gen["fallback_used"] and fb["fallback_used"]
    assert gen["primary_error"] == fb["primary_error"] == {"error": "server_error", "cause": "model unavailable"}
    assert fb["model"] == "flux-2-max" and fb["params"] == {"prompt": "a red kite, fallback"}
    assert fb["started_s"] == 18 and fb["ended_s"] == 38  # 5+1+5+2+5, then 20 s
    assert gen["primary"] == fb["primary"] == "https://cdn.example.com/kite-fallback.png"
    assert t["output"]["image"] == "https://cdn.example.com/kite-fallback.png"
    assert t["cost_usd"] == 0.02
    assert "gen_fallback" in t["critical_path"]


def test_continue_on_error() -> None:
    t = run_case("pipeline.flow.yaml", "continue.mocks.yaml")
    tag = t["steps"]["tag"]
    assert tag["status"] == "failed" and len(tag["attempts"]) == 1  # its own retry: 1 attempt
    assert tag["error"] == {"error": "http_error", "cause": "502 Bad Gateway"}
    assert t["status"] == "completed"
    assert t["steps"]["summary"]["output"]["tag"] is None


def test_step_timeout_caps_each_attempt_then_fallback() -> None:
    t = run_case("pipeline.flow.yaml", "timeout.mocks.yaml")
    gen = t["steps"]["gen"]
    assert [a["error"]["error"] for a in gen["attempts"]] == ["timeout"] * 3
    assert [a["ended_s"] - a["started_s"] for a in gen["attempts"]] == [60, 60, 60]
    fb = t["steps"]["gen_fallback"]
    assert fb["status"] == "completed" and fb["ended_s"] - fb["started_s"] == 20  # middle of [15, 25]
    assert t["status"] == "completed"


def test_workflow_timeout_cancels_what_is_running() -> None:
    t = run_case("limit.flow.yaml", "limit.mocks.yaml")
    s = t["steps"]
    assert t["status"] == "failed" and t["timed_out"] and t["duration_s"] == 120
    assert t["error"]["error"] == "timeout"
    assert s["slow"]["status"] == "cancelled" and s["slow"]["ended_s"] == 120
    assert s["slow"]["cost_usd"] == 0  # cancelled before it returned: not billed
    assert s["quick"]["status"] == "completed" and s["quick"]["ended_s"] == 40
    assert s["both"]["status"] == "cancelled"
    assert s["after"]["status"] == "not_run" and s["after"]["started_s"] is None
    assert t["output"] is None


def test_the_fifteen_minute_ceiling() -> None:
    t = trace("defaults: {timeout: 1h}\nsteps:\n  - {id: a, model: veo-3, with: {prompt: x}}\n",
              mocks={"steps": {"a": {"duration_s": 1000}}})
    assert t["time_limit_s"] == 900 and t["timed_out"] and t["duration_s"] == 900


def test_parallel_ends_with_its_slowest_branch() -> None:
    t = trace("""
steps:
  - id: p
    parallel:
      - {id: a, model: flux-2-pro, with: {prompt: x}}
      - steps:
          - {id: b1, model: flux-2-pro, with: {prompt: x}}
          - {id: b2, model: flux-2-pro, with: {prompt: x}}
  - {id: after, pass: "{{b2.primary}}"}
""", mocks={"steps": {"a": {"duration_s": 50}, "b1": {"duration_s": 20}, "b2": {"duration_s": 20}}})
    s = t["steps"]
    assert s["a"]["started_s"] == s["b1"]["started_s"] == 0
    assert s["b2"]["started_s"] == 20 and s["p"]["ended_s"] == 50 and s["after"]["started_s"] == 50
    assert t["critical_path"] == ["p", "a", "after"]
    assert s["p"]["output"] == [s["a"]["output"], s["b2"]["output"]]


def test_a_failed_branch_cancels_its_siblings() -> None:
    t = trace("""
steps:
  - id: p
    parallel:
      - {id: bad, model: flux-2-pro, with: {prompt: x}}
      - steps:
          - {id: ok1, model: flux-2-pro, with: {prompt: x}}
          - {id: ok2, model: flux-2-pro, with: {prompt: x}}
  - {id: after, pass: 1}
""", mocks={"steps": {"bad": {"duration_s": 15, "responses": {"0": {"throw": {"error": "boom", "cause": "no"}}}},
                      "ok1": {"duration_s": 10}, "ok2": {"duration_s": 10}}})
    s = t["steps"]
    assert s["p"]["status"] == "failed" and s["p"]["ended_s"] == 15
    assert s["ok1"]["status"] == "completed"
    assert s["ok2"]["status"] == "cancelled" and s["ok2"]["ended_s"] == 15
    assert s["after"]["status"] == "not_run"
    assert t["status"] == "failed" and t["error"]["step"] == "bad"


CHOICE = """
inputs:
  url: {type: string}
steps:
  - id: route
    if: $.inputs.url matches ".mp4"
    then: [{id: vid, model: topaz-upscale-video, with: {video: "{{inputs.url}}"}}]
    else: [{id: img, model: topaz-upscale-image, with: {image_url: "{{inputs.url}}"}}]
  - {id: after, pass: "{{route.output}}"}
"""


@pytest.mark.parametrize("url, selected, ran, skipped", [
    ("https://x/a.mp4", "condition_met", "vid", "img"),
    ("https://x/a.png", "default", "img", "vid"),
])
def test_choice_on_actual_values(url: str, selected: str, ran: str, skipped: str) -> None:
    t = trace(CHOICE, {"url": url})
    s = t["steps"]
    assert s["route"]["selected"] == selected
    assert s[ran]["status"] == "completed" and s[skipped]["status"] == "skipped"
    assert s["route"]["condition"][0]["actual"] == url
    assert s["after"]["output"] == s[ran]["output"]


def test_a_reference_to_a_branch_not_taken_fails_the_step() -> None:
    t = trace(CHOICE.replace('pass: "{{route.output}}"', 'pass: "{{img.primary}}"'), {"url": "https://x/a.mp4"})
    after = t["steps"]["after"]
    assert after["status"] == "failed" and after["error"]["error"] == "unresolved_reference"
    assert "branch was not taken" in after["error"]["cause"]


def test_choice_without_else_and_condition_on_a_step_output() -> None:
    t = trace("""
steps:
  - {id: gen, model: flux-2-pro, with: {prompt: x, num_outputs: 3}}
  - id: c
    if: $.gen.primary matches ".mp4"
    then: [{id: never, pass: 1}]
""")
    assert len(t["steps"]["gen"]["output"]) == 3
    assert t["steps"]["c"]["selected"] == "default" and t["steps"]["never"]["status"] == "skipped"
    assert t["status"] == "completed"


def test_default_outputs_follow_the_model_media() -> None:
    t = trace("""
steps:
  - {id: img, model: flux-2-pro, with: {prompt: x}}
  - {id: vid, model: veo-3, with: {prompt: x}}
  - {id: tts, model: elevenlabs-tts, with: {text: x}}
  - {id: hook, http: "POST https://example.com/h", body: {u: "{{vid.primary}}"}}
""")
    s = t["steps"]
    assert isinstance(s["img"]["output"], list) and s["img"]["primary"].endswith(".png")
    assert s["vid"]["output"].endswith(".mp4") and s["tts"]["output"].endswith(".mp3")
    assert s["vid"]["ended_s"] - s["vid"]["started_s"] == 330  # middle of the docs' 60-600 s
    assert s["hook"]["output"]["status"] == 200 and s["hook"]["params"]["body"] == {"u": s["vid"]["output"]}
    assert t["output"] == s["hook"]["output"]  # no output_mapping: the last step's output


def test_pass_keeps_types_and_http_auth_is_masked() -> None:
    t = trace("""
inputs:
  n: {type: integer}
  token: {type: string}
steps:
  - {id: p, pass: {n: "{{inputs.n}}", label: "n is {{inputs.n}}", list: ["{{inputs.n}}", 2]}}
  - id: h
    http: GET https://example.com/x
    query: {n: "{{p.output.n}}"}
    auth: {bearer: "{{inputs.token}}"}
""", {"n": 7, "token": "s3cret"})
    assert t["steps"]["p"]["output"] == {"n": 7, "label": "n is 7", "list": [7, 2]}
    params = t["steps"]["h"]["params"]
    assert params["query"] == {"n": 7}
    assert "s3cret" not in str(t["steps"]) and params["auth"] == {"type": "bearer", "token": "***"}


def test_python_steps_really_run_sandboxed() -> None:
    t = run_case("python.flow.yaml", None, {"n": 5})
    s = t["steps"]
    assert s["square"]["output"] == {"n": 5, "square": 25}
    assert s["describe"]["output"] == "square of 5 is 25"
    assert s["sneaky"]["status"] == "failed" and s["sneaky"]["error"]["error"] == "PermissionError"
    assert "network" in s["sneaky"]["error"]["cause"]
    assert s["reader"]["status"] == "failed" and "outside" in s["reader"]["error"]["cause"]
    assert s["broken"]["error"] == {"error": "ZeroDivisionError", "cause": "division by zero (line 1)"}


def test_python_time_limit() -> None:
    t = trace("steps:\n  - id: spin\n    python: \"while True: pass\"\n    timeout: 1s\n")
    spin = t["steps"]["spin"]
    assert spin["status"] == "failed" and spin["error"]["error"] == "timeout"
    assert spin["ended_s"] == 1


def test_a_mocked_python_step_is_not_run() -> None:
    s = sim("steps:\n  - {id: py, python: 'result = 1/0'}\n",
            mocks={"steps": {"py": {"responses": {"0": {"return": 42}}}}})
    before = s.python.runs
    assert s.run({}).trace()["steps"]["py"]["output"] == 42
    assert s.python.runs == before


def test_workflow_retry_is_the_default_and_retry_on_filters() -> None:
    text = """
defaults:
  retry: {attempts: 4, backoff: 3, delay: 2s, on: [timeout]}
steps:
  - {id: a, model: flux-2-pro, with: {prompt: x}, continue_on_error: true}
  - {id: b, model: flux-2-pro, with: {prompt: x}}
"""
    mocks = {"steps": {"a": {"duration_s": 1, "responses": {"0+": {"throw": {"error": "server_error"}}}},
                       "b": {"duration_s": 1, "responses": {"0-2": {"throw": {"error": "timeout"}},
                                                             "3": {"return": "ok"}}}}}
    t = trace(text, mocks=mocks)
    assert len(t["steps"]["a"]["attempts"]) == 1  # server_error is not in `on`
    b = t["steps"]["b"]["attempts"]
    assert [x.get("delay_s", 0) for x in b] == [0, 2, 6, 18] and b[-1]["status"] == "completed"


def test_determinism_with_a_seed() -> None:
    text = (CASES / "pipeline.flow.yaml").read_text()
    mocks = {"steps": {"gen": {"duration_s": [10, 60], "failure_probability": 0.5},
                       "gen_fallback": {"duration_s": [5, 9]}}}
    runs = {seed: [trace(text, mocks=mocks, seed=seed) for _ in range(2)] for seed in (1, 2, 3)}
    for seed, (a, b) in runs.items():
        assert a == b and a["seed"] == seed and a["mode"] == "seeded"
    assert len({r[0]["duration_s"] for r in runs.values()}) == 3  # different seeds draw differently
    nominal = trace(text, mocks=mocks)
    assert nominal["steps"]["gen"]["ended_s"] == 35 and nominal["mode"] == "nominal"


def test_monte_carlo_summary() -> None:
    from flowdsl.simulate.montecarlo import monte_carlo, percentile
    wf = load_workflow(CASES / "pipeline.flow.yaml").workflow
    assert wf is not None
    mocks, _ = load_mocks(CASES / "flaky.mocks.yaml", wf)
    s = Simulator(wf, bundled_catalog(), mocks, PYTHON)
    a = monte_carlo(s, {"prompt": "x"}, 400, seed=5)
    assert a == monte_carlo(s, {"prompt": "x"}, 400, seed=5)
    # The primary fails all 3 attempts with p = 0.5**3; the fallback then fails 3 times with 0.2**3.
    assert 0.07 < a["fallbacks"]["gen"]["rate"] < 0.19
    assert a["success_rate"] > 0.98 and a["time_limit_hits"] == 0
    assert 10 <= a["duration_s"]["p50"] <= a["duration_s"]["p95"] <= a["duration_s"]["max"]
    limit = load_workflow(CASES / "limit.flow.yaml").workflow
    assert limit is not None
    lm, _ = load_mocks(CASES / "limit.mocks.yaml", limit)
    b = monte_carlo(Simulator(limit, bundled_catalog(), lm, PYTHON), {}, 20)
    assert b["time_limit_hits"] == 20 and b["success_rate"] == 0
    assert percentile([1, 2, 3, 4], 50) == 2 and percentile([1, 2, 3, 4], 95) == 4
