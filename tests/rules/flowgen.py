"""Generate valid flows (and flows with one seeded defect) for property tests and bench/.

A flow is built as plain Python data and dumped as ``.flow.yaml`` text. Every generated
flow is meant to be *clean*: params fit the bundled catalog's schemas, every reference
reads a step that certainly ran before, every input is used. ``Chooser`` abstracts the
source of randomness so that the same generator serves hypothesis (``draw``, with
shrinking) and a seeded ``random.Random`` (bench/, thousands of files).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol, Sequence, TypeVar

import yaml

T = TypeVar("T")


class Chooser(Protocol):
    def choice(self, seq: Sequence[T]) -> T: ...

    def randint(self, a: int, b: int) -> int: ...


class DrawChooser:
    """A Chooser over hypothesis' ``draw`` (so failures shrink)."""

    def __init__(self, draw: Callable[[Any], Any]) -> None:
        from hypothesis import strategies as st

        self._draw, self._st = draw, st

    def choice(self, seq: Sequence[T]) -> T:
        return self._draw(self._st.sampled_from(list(seq)))  # type: ignore[no-any-return]

    def randint(self, a: int, b: int) -> int:
        return self._draw(self._st.integers(a, b))  # type: ignore[no-any-return]


IMAGE_MODELS = ("flux-2-pro", "flux-2-max", "nano-banana-pro", "gemini-imagen-4")
ASPECTS = ("1:1", "16:9", "9:16", "4:3", "3:4")  # in every image model's enum
WORDS = ("a cat", "a red fox", "mountains at dawn", "a product shot", "neon city")


@dataclass
class Gen:
    rng: Chooser
    n: int = 0
    images: list[str] = field(default_factory=list)  # certainly-run steps with image output
    videos: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)  # certainly-run steps of any kind
    ids: list[str] = field(default_factory=list)  # every step id, in order

    def new_id(self, kind: str) -> str:
        self.n += 1
        sid = f"{kind}_{self.n}"
        self.ids.append(sid)
        return sid

    # ---------------------------------------------------------------- leaf steps

    def prompt(self) -> str:
        # Always reads the input: a step of literals whose output nothing reads is an
        # isolated-step finding (the draw is kept so the flows are otherwise the same).
        if self.rng.randint(0, 1):
            return "{{inputs.prompt}}, " + self.rng.choice(WORDS)
        return "{{inputs.prompt}} " + self.rng.choice(WORDS)

    def image_step(self) -> tuple[dict[str, Any], str]:
        sid = self.new_id("img")
        model = self.rng.choice(IMAGE_MODELS)
        params: dict[str, Any] = {"prompt": self.prompt()}
        if self.rng.randint(0, 1):
            params["aspect_ratio"] = self.rng.choice(ASPECTS)
        if model in ("flux-2-pro", "flux-2-max") and self.rng.randint(0, 1):
            params["num_outputs"] = self.rng.randint(1, 4)
        step: dict[str, Any] = {"id": sid, "model": model, "with": params}
        if self.rng.randint(0, 3) == 0:
            step["fallback"] = {"model": "flux-2-pro", "with": {"prompt": params["prompt"]}}
        return step, "image"

    def upscale_step(self) -> tuple[dict[str, Any], str]:
        sid = self.new_id("up")
        src = self.rng.choice(self.images)
        return {"id": sid, "model": "topaz-upscale-image",
                "with": {"image_url": "{{" + src + ".primary}}",
                         "scale": self.rng.choice((2, 4))}}, "image"

    def animate_step(self) -> tuple[dict[str, Any], str]:
        sid = self.new_id("vid")
        src = self.rng.choice(self.images)
        params: dict[str, Any] = {"image_url": "{{" + src + ".primary}}"}
        if self.rng.randint(0, 1):
            params["duration"] = "{{inputs.seconds}}"
        return {"id": sid, "model": "kling-2-1-image-to-video", "with": params}, "video"

    def text_video_step(self) -> tuple[dict[str, Any], str]:
        sid = self.new_id("clip")
        return {"id": sid, "model": "veo-3",
                "with": {"prompt": self.prompt(), "duration": self.rng.randint(5, 15)}}, "video"

    def speech_step(self) -> tuple[dict[str, Any], str]:
        sid = self.new_id("tts")
        return {"id": sid, "model": "elevenlabs-tts",
                "with": {"text": self.prompt(), "stability": self.rng.choice((0, 0.5, 1))}}, "other"

    def python_step(self) -> tuple[dict[str, Any], str]:
        sid = self.new_id("py")
        src = self.rng.choice(self.others) if self.others else None
        value = "{{" + src + ".output}}" if src else "{{inputs.prompt}}"
        code = "value = inputs['value']\nresult = {'text': str(value), 'size': len(str(value))}\n"
        return {"id": sid, "python": code, "with": {"value": value}}, "other"

    def http_step(self) -> tuple[dict[str, Any], str]:
        sid = self.new_id("hook")
        src = self.rng.choice(self.others) if self.others else None
        body = {"result": "{{" + src + ".output}}" if src else "none", "source": "flowdsl"}
        return {"id": sid, "http": "POST https://hooks.example.com/" + sid,
                "headers": {"Content-Type": "application/json"},
                "auth": {"bearer": "{{inputs.token}}"}, "body": body,
                "timeout": self.rng.choice(("10s", "30s", "1m"))}, "other"

    def pass_step(self) -> tuple[dict[str, Any], str]:
        sid = self.new_id("keep")
        if self.others and self.rng.randint(0, 1):
            return {"id": sid, "pass": "{{" + self.rng.choice(self.others) + ".output}}"}, "other"
        return {"id": sid, "pass": {"style": self.rng.choice(WORDS), "n": self.rng.randint(1, 9)}}, "other"

    def leaf(self) -> tuple[dict[str, Any], str]:
        makers = [self.image_step, self.text_video_step, self.speech_step, self.python_step,
                  self.http_step, self.pass_step]
        if self.images:
            makers += [self.upscale_step, self.animate_step]
        return self.rng.choice(makers)()

    def record(self, sid: str, kind: str) -> None:
        self.others.append(sid)
        if kind == "image":
            self.images.append(sid)
        elif kind == "video":
            self.videos.append(sid)

    # ---------------------------------------------------------------- nesting

    def block(self, budget: int) -> tuple[dict[str, Any], int]:
        """One top-level step (maybe a parallel or choice with children) and its size."""
        shape = self.rng.randint(0, 9) if budget >= 3 else 0
        if shape == 8:  # parallel: siblings read only what ran before the parallel step
            sid = self.new_id("par")
            done: list[tuple[str, str]] = []
            branches = []
            used = 1
            for _ in range(2):
                steps = []
                for _ in range(self.rng.randint(1, max(1, min(2, (budget - used) // 2)))):
                    child, kind = self.leaf()
                    steps.append(child)
                    done.append((child["id"], kind))
                    used += 1
                branches.append({"steps": steps})
            for child_id, kind in done:  # all finished once the parallel step ends
                self.record(child_id, kind)
            return {"id": sid, "parallel": branches}, used
        if shape == 9:  # choice: branch steps may not have run, so later steps never read them
            sid = self.new_id("pick")
            then_child, _ = self.leaf()
            else_child, _ = self.leaf()
            return {"id": sid, "if": "$.inputs.upscale == true",
                    "then": [then_child], "else": [else_child]}, 3
        step, kind = self.leaf()
        self.record(step["id"], kind)
        return step, 1


def flow_data(rng: Chooser, n_steps: int = 20) -> dict[str, Any]:
    g = Gen(rng)
    steps: list[dict[str, Any]] = []
    count = 0
    while count < n_steps:
        step, size = g.block(n_steps - count)
        steps.append(step)
        count += size
    data: dict[str, Any] = {
        "name": f"Generated flow {g.n}",
        "description": "A generated flow for tests and benchmarks.",
        "inputs": {
            "prompt": {"type": "string", "required": True},
            "seconds": {"type": "integer", "minimum": 5, "maximum": 10, "default": 5},
            "upscale": {"type": "boolean", "default": False},
            "token": {"type": "string", "required": True},
        },
        "defaults": {"timeout": "10m"},
        "steps": steps,
    }
    if g.others:
        data["outputs"] = {"result": "{{" + g.others[-1] + ".output}}"}
    # Every input must be read somewhere: pin the ones the dice may have skipped.
    data["steps"].append({"id": "summary", "pass": {
        "prompt": "{{inputs.prompt}}", "seconds": "{{inputs.seconds}}",
        "token_used": "{{inputs.token}}", "upscale": "{{inputs.upscale}}"}})
    return data


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def flow_text(seed: int, n_steps: int = 20) -> str:
    return dump(flow_data(random.Random(seed), n_steps))


# ---------------------------------------------------------------- seeded defects


def _model_steps(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in data["steps"] if "model" in s]


def _defect_unknown_param(data: dict[str, Any], rng: Chooser) -> str | None:
    steps = _model_steps(data)
    if not steps:
        return None
    step = rng.choice(steps)
    step["with"]["aspec_ratio"] = "1:1"
    return str(step["id"])


def _defect_missing_param(data: dict[str, Any], rng: Chooser) -> str | None:
    steps = _model_steps(data)
    if not steps:
        return None
    step = rng.choice(steps)
    first = next(iter(step["with"]))  # every generated model step leads with a required param
    del step["with"][first]
    return str(step["id"])


def _defect_param_value(data: dict[str, Any], rng: Chooser) -> str | None:
    steps = _model_steps(data)
    if not steps:
        return None
    step = rng.choice(steps)
    step["model"], step["with"] = "topaz-upscale-image", {"image_url": "x.png", "scale": 3}
    step.pop("fallback", None)
    return str(step["id"])


def _defect_undefined_reference(data: dict[str, Any], rng: Chooser) -> str | None:
    step = rng.choice(data["steps"][:-1] or data["steps"])
    if "parallel" in step or "if" in step:
        return None
    data["steps"].insert(data["steps"].index(step) + 1, {
        "id": "reader", "pass": "{{" + step["id"] + "x.output}}"})
    return "reader"


def _defect_forward_reference(data: dict[str, Any], rng: Chooser) -> str | None:
    data["steps"].insert(0, {"id": "early", "pass": "{{summary.output}}"})
    return "early"


def _defect_dollar(data: dict[str, Any], rng: Chooser) -> str | None:
    data["steps"].insert(0, {"id": "dollar", "model": "flux-2-pro",
                             "with": {"prompt": "$.inputs.prompt, " + rng.choice(WORDS)}})
    return "dollar"


def _defect_python_result(data: dict[str, Any], rng: Chooser) -> str | None:
    data["steps"].insert(0, {"id": "noresult", "python": "x = 1\n"})
    return "noresult"


def _defect_secret(data: dict[str, Any], rng: Chooser) -> str | None:
    data["steps"].insert(0, {"id": "leak", "http": "POST https://hooks.example.com/x",
                             "headers": {"Authorization": "Bearer abcdef0123456789"}})
    return "leak"


def _defect_media(data: dict[str, Any], rng: Chooser) -> str | None:
    data["steps"][:0] = [{"id": "wave", "model": "veo-3", "with": {"prompt": "a wave"}},
                         {"id": "bad_up", "model": "topaz-upscale-image",
                          "with": {"image_url": "{{wave.primary}}"}}]
    return "bad_up"


def _defect_duplicate(data: dict[str, Any], rng: Chooser) -> str | None:
    first = data["steps"][0]["id"]
    data["steps"].append({"id": first, "pass": 1})
    return str(first)


def _defect_param_type(data: dict[str, Any], rng: Chooser) -> str | None:
    data["steps"].insert(0, {"id": "typed", "model": "veo-3",
                             "with": {"prompt": "a wave", "duration": str(rng.randint(5, 15))}})
    return "typed"


def _defect_reference_type(data: dict[str, Any], rng: Chooser) -> str | None:
    data["steps"].insert(0, {"id": "typed_ref", "model": "veo-3",
                             "with": {"prompt": "a wave", "duration": "{{inputs.prompt}}"}})
    return "typed_ref"


def _defect_sibling(data: dict[str, Any], rng: Chooser) -> str | None:
    data["steps"].insert(0, {"id": "both", "parallel": [
        {"steps": [{"id": "left", "pass": rng.choice(WORDS)}]},
        {"steps": [{"id": "right", "pass": "{{left.output}}"}]}]})
    return "right"


def _defect_conditional(data: dict[str, Any], rng: Chooser) -> str | None:
    data["steps"][:0] = [{"id": "maybe", "if": "$.inputs.upscale == true",
                          "then": [{"id": "inside", "pass": 1}]},
                         {"id": "after", "pass": "{{inside.output}}"}]
    return "after"


def _defect_injection(data: dict[str, Any], rng: Chooser) -> str | None:
    data["steps"].insert(0, {"id": "inject", "python": 'result = "{{inputs.prompt}}".upper()\n'})
    return "inject"


def _defect_python_input(data: dict[str, Any], rng: Chooser) -> str | None:
    data["steps"].insert(0, {"id": "reads", "python": "result = inputs['missing']\n",
                             "with": {"present": "{{inputs.prompt}}"}})
    return "reads"


def _defect_operator(data: dict[str, Any], rng: Chooser) -> str | None:
    data["steps"].insert(0, {"id": "compare", "if": '$.inputs.seconds > "many"',
                             "then": [{"id": "compare_then", "pass": 1}]})
    return "compare"


DEFECTS: dict[str, Callable[[dict[str, Any], Chooser], str | None]] = {
    "param-type": _defect_param_type,
    "reference-type": _defect_reference_type,
    "parallel-sibling-reference": _defect_sibling,
    "conditional-reference": _defect_conditional,
    "template-injection": _defect_injection,
    "python-undefined-input": _defect_python_input,
    "condition-operator": _defect_operator,
    "unknown-param": _defect_unknown_param,
    "missing-param": _defect_missing_param,
    "param-value": _defect_param_value,
    "undefined-reference": _defect_undefined_reference,
    "forward-reference": _defect_forward_reference,
    "dollar-in-template": _defect_dollar,
    "python-result": _defect_python_result,
    "hardcoded-secret": _defect_secret,
    "media-type": _defect_media,
    "duplicate-id": _defect_duplicate,
}
