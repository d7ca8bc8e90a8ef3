"""IR -> the engine's definition JSON, and the exact create / version request bodies.

Deterministic: the same IR gives the same bytes (fixed key order, no timestamps, no sets).

Step key dialect: the official OpenAPI request examples key steps with ``step_id`` while the
structure page says ``id``; the engine reads both. The default is ``step_id`` (what the
create and version endpoints document); ``--step-key id`` switches.
"""

from __future__ import annotations

import json
from typing import Any

from flowdsl import ir
from flowdsl.lang.conditions import to_json as condition_json
from flowdsl.frontend.nodes import num

DEFAULT_STEP_KEY = "step_id"
STEP_KEYS = ("step_id", "id")


def _retry(retry: ir.Retry) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if retry.max_attempts is not None:
        out["max_attempts"] = retry.max_attempts
    if retry.backoff_multiplier is not None:
        out["backoff_multiplier"] = num(retry.backoff_multiplier)
    if retry.initial_delay_s is not None:
        out["initial_delay_seconds"] = num(retry.initial_delay_s)
    if retry.retry_on is not None:
        out["retry_on"] = list(retry.retry_on)
    return out


def then_defaults(step: ir.ChoiceStep) -> tuple[str, str]:
    return "condition_met", ir.implicit_branch_id(step.id, 0)


def else_defaults(step: ir.ChoiceStep) -> tuple[str, str]:
    return "default", ir.implicit_branch_id(step.id, 1)


class Compiler:
    def __init__(self, step_key: str = DEFAULT_STEP_KEY) -> None:
        if step_key not in STEP_KEYS:
            raise ValueError(f"step key must be one of {STEP_KEYS}")
        self.step_key = step_key

    def definition(self, wf: ir.Workflow) -> dict[str, Any]:
        out: dict[str, Any] = {"version": wf.version}
        if wf.inputs or wf.input_schema_extra:
            out["input_schema"] = self.input_schema(wf)
        out["steps"] = self.steps(wf.steps)
        if wf.outputs:
            out["output_mapping"] = {o.name: o.value.value for o in wf.outputs}
        if wf.output_schema is not None:
            out["output_schema"] = wf.output_schema
        if wf.timeout_s is not None:
            out["timeout_seconds"] = num(wf.timeout_s)
        if wf.retry is not None:
            out["retry"] = _retry(wf.retry)
        if wf.metadata is not None:
            out["metadata"] = wf.metadata
        return out

    def input_schema(self, wf: ir.Workflow) -> dict[str, Any]:
        return wf.input_schema()

    def steps(self, steps: tuple[ir.Step, ...]) -> list[dict[str, Any]]:
        return [self.step(s) for s in steps]

    def step(self, step: ir.Step) -> dict[str, Any]:
        c = step.common
        out: dict[str, Any] = {self.step_key: c.id, "type": "choice" if step.kind == "choice" else step.kind}
        if c.name is not None:
            out["name"] = c.name
        if isinstance(step, ir.ModelStep):
            out["model"] = step.model
            if step.version is not None:
                out["version"] = step.version
            out["params"] = step.params.to_python() if step.params is not None else {}
            if step.fallback is not None:
                fb = step.fallback
                f: dict[str, Any] = {"enabled": True if fb.enabled is None else fb.enabled, "model": fb.model}
                if fb.version is not None:
                    f["version"] = fb.version
                f["params"] = fb.params.to_python() if fb.params is not None else {}
                out["fallback"] = f
        elif isinstance(step, ir.HttpStep):
            out["url"] = step.url.value
            out["method"] = step.method
            if step.headers is not None:
                out["headers"] = step.headers.to_python()
            if step.query is not None:
                out["query_params"] = step.query.to_python()
            if step.body is not None:
                out["body"] = step.body.to_python()
            if step.auth is not None:
                out["auth"] = self.auth(step.auth)
            if c.timeout_s is not None:
                out["timeout"] = int(round(c.timeout_s * 1000))
            if step.follow_redirects is not None:
                out["follow_redirects"] = step.follow_redirects
            if step.validate_ssl is not None:
                out["validate_ssl"] = step.validate_ssl
        elif isinstance(step, ir.PythonStep):
            out["code"] = step.code.text
            if step.inputs is not None:
                out["inputs"] = step.inputs.to_python()
        elif isinstance(step, ir.ParallelStep):
            branches = []
            for b in step.branches:
                bo: dict[str, Any] = {}
                if b.name is not None:
                    bo["name"] = b.name
                bo["steps"] = self.steps(b.steps)
                branches.append(bo)
            out["branches"] = branches
        elif isinstance(step, ir.ChoiceStep):
            if step.condition is not None:
                out["condition"] = condition_json(step.condition)
            out["condition_met_branch"] = self.branch(step.then, then_defaults(step))
            if step.otherwise is not None:
                out["default_branch"] = self.branch(step.otherwise, else_defaults(step))
        elif isinstance(step, ir.PassStep):
            # `pass: null` and no result mean the same: the step passes nothing on.
            if step.result is not None and not (isinstance(step.result, ir.Scalar) and step.result.value is None):
                out["result"] = step.result.to_python()
            if step.result_path is not None:
                out["result_path"] = step.result_path
        if c.continue_on_error is not None:
            out["continue_on_error"] = c.continue_on_error
        if c.timeout_s is not None and not isinstance(step, ir.HttpStep):
            out["timeout_seconds"] = num(c.timeout_s)
        if c.retry is not None:
            out["retry"] = _retry(c.retry)
        return out

    def branch(self, b: ir.Branch, defaults: tuple[str, str]) -> dict[str, Any]:
        return {"name": b.name if b.name is not None else defaults[0],
                "step_id": b.step_id if b.step_id is not None else defaults[1],
                "steps": self.steps(b.steps)}

    @staticmethod
    def auth(auth: ir.HttpAuth) -> dict[str, Any]:
        out: dict[str, Any] = {"type": auth.type}
        fields = auth.fields.to_python()
        if auth.type == "api_key" and "key" in fields:
            # Engine spelling: the key travels as `token`, like bearer.
            fields["token"] = fields.pop("key")
        out.update(fields)
        return out


def compile_definition(wf: ir.Workflow, step_key: str = DEFAULT_STEP_KEY) -> dict[str, Any]:
    return Compiler(step_key).definition(wf)


def create_request(wf: ir.Workflow, step_key: str = DEFAULT_STEP_KEY) -> dict[str, Any]:
    """The body of ``POST /workflows``."""
    out: dict[str, Any] = {"name": wf.name or "", "description": wf.description or ""}
    if wf.categories:
        out["categories"] = list(wf.categories)
    out["definition"] = compile_definition(wf, step_key)
    return out


def version_request(wf: ir.Workflow, version_id: str, step_key: str = DEFAULT_STEP_KEY) -> dict[str, Any]:
    """The body of ``PUT /workflows/{id}/versions/{version_id}``."""
    definition = compile_definition(wf, step_key)
    # The version endpoint asks that definition.version match the version id.
    definition["version"] = version_id
    return {"version_id": version_id, "definition": definition}


def dumps(obj: Any) -> str:
    """Deterministic JSON text: two-space indent, UTF-8 kept, trailing newline. Always RFC 8259
    JSON: a non-finite number raises ValueError (the loader reports such numbers as findings,
    so a checked flow never has one) instead of being written as ``NaN`` or ``Infinity``."""
    return json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
