"""The "also fix in simulate" list of issue #10: workflow-limit wording, "not run" steps,
secret inputs redacted in the trace, an ASCII timeline on a non-UTF-8 stdout, missing mock
fields, a null required param."""

from __future__ import annotations

import json

from flowdsl.simulate.timeline import render, render_step

from tests.simulate.helpers import sim, trace


def test_an_attempt_cut_by_the_workflow_limit_says_so() -> None:
    t = trace("""
defaults: {timeout: 5m}
steps:
  - {id: a, model: veo-3, with: {prompt: x}, timeout: 600s}
  - {id: b, pass: 1}
""", mocks={"steps": {"a": {"duration_s": 1000}}})
    a = t["steps"]["a"]
    assert t["timed_out"] and t["duration_s"] == 300
    assert a["status"] == "cancelled" and a["ended_s"] == 300
    (att,) = a["attempts"]
    assert att["status"] == "cancelled" and att["ended_s"] == 300
    assert "600 s timeout" not in json.dumps(a)
    assert att["error"] == {"error": "cancelled", "cause": "the workflow reached its 300 s time limit"}
    assert a["error"]["cause"] == "the workflow reached its 300 s time limit"
    assert t["steps"]["b"]["status"] == "not_run"


FAILING = """
steps:
  - {id: a, model: flux-2-pro, with: {prompt: x}}
  - {id: b, model: flux-2-pro, with: {prompt: x}}
  - {id: c, pass: "{{b.primary}}"}
"""


def test_steps_after_a_failure_are_not_run() -> None:
    mocks = {"steps": {"a": {"responses": {"0": {"throw": {"error": "boom", "cause": "no"}}}}}}
    result = sim(FAILING, mocks).run({})
    t = result.trace()
    assert t["status"] == "failed"
    for sid in ("b", "c"):
        assert t["steps"][sid]["status"] == "not_run" and t["steps"][sid]["started_s"] is None
    assert "cancelled" not in json.dumps(t["steps"])
    text = render(result)
    assert "(not run)" in text and "cancelled" not in text.lower()
    assert "not run" in render_step(result, "b")


SECRETS = """
inputs:
  tok: {type: string}
  key: {type: string}
  sess: {type: string}
  bearer: {type: string}
  prompt: {type: string}
steps:
  - id: call
    http: POST https://api.example.com/x
    headers:
      X-API-Key: "{{inputs.key}}"
      X-Session-Token: "{{inputs.sess}}"
      Authorization: "Bearer {{inputs.bearer}}"
      X-Prompt: "{{inputs.prompt}}"
    auth: {bearer: "{{inputs.tok}}"}
"""


def test_the_trace_redacts_inputs_that_feed_auth_or_secret_headers() -> None:
    values = {"tok": "T0K-secret", "key": "K3Y-secret", "sess": "S3SS-secret", "bearer": "B34R-secret",
              "prompt": "hello"}
    t = trace(SECRETS, inputs=values)
    assert t["status"] == "completed"
    assert t["inputs"] == {"tok": "***", "key": "***", "sess": "***", "bearer": "***", "prompt": "hello"}
    headers = t["steps"]["call"]["params"]["headers"]
    assert headers["X-Prompt"] == "hello"
    assert headers["X-API-Key"] == headers["X-Session-Token"] == headers["Authorization"] == "***"
    text = json.dumps(t)
    for v in values.values():
        if v != "hello":
            assert v not in text


def test_a_null_required_param_fails_the_step() -> None:
    flow = """
inputs:
  p: {type: [string, "null"]}
steps:
  - {id: a, model: flux-2-pro, with: {prompt: "{{inputs.p}}"}}
"""
    t = trace(flow, inputs={"p": None})
    a = t["steps"]["a"]
    assert t["status"] == "failed" and a["status"] == "failed"
    assert a["attempts"] == [] and a["cost_usd"] == 0
    assert a["error"]["error"] == "validation_error" and "'prompt'" in a["error"]["cause"]
    assert trace(flow, inputs={"p": "a cat"})["status"] == "completed"


READS = """
steps:
  - {id: gen, model: flux-2-pro, with: {prompt: x}, fallback: {model: flux-2-max, with: {prompt: x}}}
  - {id: use, pass: {url: "{{gen.output.url}}", w: "{{gen.primary.meta.width}}"}}
"""


def test_a_mock_missing_a_field_the_flow_reads_is_an_error_in_the_mocks_file() -> None:
    from flowdsl import codes
    from flowdsl.simulate import mocks_from_dict
    from tests.simulate.helpers import flow

    wf = flow(READS)
    good = {"url": "https://x/y.png", "meta": {"width": 3}}
    mocks, diags = mocks_from_dict({"steps": {"gen": {"responses": {"0": {"return": good}}}}}, wf)
    assert mocks is not None and not diags
    for sid in ("gen", "gen_fallback"):
        bad = {"steps": {sid: {"responses": {"0": {"return": {"url": "https://x/y.png"}}}}}}
        mocks, diags = mocks_from_dict(bad, wf)
        assert mocks is None
        (d,) = diags
        assert d.rule == codes.MOCKS and d.severity.value == "error"
        assert "`meta.width`" in d.message and '"use"' in d.message and "{{gen.primary.meta.width}}" in d.message
        assert d.span.line > 0
    # a throw needs no fields; a mock without responses keeps the default output
    _, diags = mocks_from_dict({"steps": {"gen": {"responses": {"0": {"throw": "boom"}}, "duration_s": 3}}}, wf)
    assert not diags


def test_a_non_utf8_stdout_gets_an_ascii_timeline() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    from flowdsl.simulate.timeline import needs_ascii, to_ascii
    from tests.simulate.helpers import CASES

    assert needs_ascii("latin-1") and needs_ascii("ascii") and needs_ascii(None) and needs_ascii("no-such-codec")
    assert not needs_ascii("utf-8")
    assert to_ascii("a █▒│╟ → b … — é") == "a #=|+ -> b ... - ?"
    root = Path(__file__).resolve().parents[2]
    flow_file, mocks_file = str(CASES / "limit.flow.yaml"), str(CASES / "limit.mocks.yaml")
    for enc in ("latin-1", "ascii", "cp1252"):
        for extra in ([], ["--step", "slow"], ["--format", "json"]):
            env = dict(os.environ, PYTHONIOENCODING=enc, PYTHONPATH=str(root))
            p = subprocess.run([sys.executable, "-m", "flowdsl", "simulate", flow_file, "--mocks", mocks_file,
                                "--python", "mock", *extra], capture_output=True, env=env, timeout=120)
            assert p.returncode == 1, (enc, extra, p.stderr.decode("utf-8", "replace"))  # the run fails: a limit
            assert b"Traceback" not in p.stderr
            out = p.stdout.decode("ascii")  # nothing but ASCII
            if not extra:
                assert "#" in out and "->" in out and "(not run)" in out
