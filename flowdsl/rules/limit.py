"""limit: a documented platform limit is exceeded.

* a prompt (a param whose name contains ``prompt``) longer than 10,000 characters;
* more than 4 images in one param (a list under an image param);
* more than 3 workflow tags;
* a workflow timeout over 15 minutes (the execution limit);
* a step timeout longer than the workflow's (or than 15 minutes when the workflow sets
  none): the workflow is cancelled first;
* an http step timeout under the 5 second floor.

A bare number is seconds (``timeout: 30000`` is over 8 hours); when it looks like
milliseconds the hint says to write ``30000ms`` or ``30s``.

    defaults:
      timeout: 20m          # limit: workflow executions are limited to 15 minutes
    steps:
      - id: ping
        http: https://example.com/health
        timeout: 2s         # limit: http timeouts have a 5 s floor
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flowdsl import codes
from flowdsl import ir
from flowdsl.diagnostics import Diagnostic, error
from flowdsl.check.models import model_calls

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.LIMIT

MAX_PROMPT_CHARS = 10_000
MAX_IMAGES = 4
MAX_TAGS = 3
MAX_WORKFLOW_S = 15 * 60
MIN_HTTP_TIMEOUT_S = 5


def _duration(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        return f"{int(seconds // 60)} min"
    return f"{seconds:g} s"


def check(ctx: "Context") -> Iterator[Diagnostic]:
    wf = ctx.workflow
    if len(wf.tags) > MAX_TAGS:
        yield error(RULE, f"{len(wf.tags)} tags; a workflow has at most {MAX_TAGS}",
                    wf.tags_span or wf.span)
    if wf.timeout_s is not None and wf.timeout_s > MAX_WORKFLOW_S:
        yield error(RULE, f"workflow timeout {_duration(wf.timeout_s)} is over the 15 min "
                    "execution limit", wf.timeout_span or wf.span,
                    hint="executions are stopped after 15 minutes whatever the timeout says")
    ceiling = wf.timeout_s if wf.timeout_s is not None and wf.timeout_s <= MAX_WORKFLOW_S \
        else MAX_WORKFLOW_S
    for step in ctx.steps():
        c = step.common
        if c.timeout_s is not None and c.timeout_s > ceiling:
            whose = (f"the workflow's ({_duration(ceiling)})" if ceiling == wf.timeout_s
                     else "the 15 min execution limit")
            raw = ctx.source_text(c.timeout_span) if c.timeout_span is not None else None
            hint = None
            if raw is not None and raw.strip().isdigit() and c.timeout_s >= 1000:
                # 30000 meant as milliseconds: a bare number is seconds in a flow.
                n = raw.strip()
                hint = (f"durations are seconds unless written 30s/500ms: for milliseconds "
                        f"write {n}ms ({_duration(c.timeout_s / 1000)})")
            yield error(RULE, f"step timeout {_duration(c.timeout_s)} is longer than {whose}",
                        c.timeout_span or c.id_span, step=c.id, hint=hint)
        if isinstance(step, ir.HttpStep) and c.timeout_s is not None \
                and c.timeout_s < MIN_HTTP_TIMEOUT_S:
            yield error(RULE, f"http timeout {_duration(c.timeout_s)} is under the "
                        f"{MIN_HTTP_TIMEOUT_S} s floor", c.timeout_span or c.id_span, step=c.id)
    for call in model_calls(ctx):
        if call.params is None:
            continue
        media = call.spec.param_media if call.spec is not None else {}
        for key, value in call.params.entries:
            # The sizes first: the names are only looked at for a value over a limit.
            if isinstance(value, ir.Scalar) and isinstance(value.value, str) \
                    and len(value.value) > MAX_PROMPT_CHARS and "prompt" in key.name.lower():
                yield error(RULE, f'"{key.name}" is {len(value.value):,} characters; prompts '
                            f"are limited to {MAX_PROMPT_CHARS:,}", value.span,
                            step=call.step_id)
            if isinstance(value, ir.ListValue) and len(value.items) > MAX_IMAGES \
                    and ("image" in key.name.lower() or media.get(key.name) == "image"):
                yield error(RULE, f'"{key.name}" has {len(value.items)} images; a request '
                            f"takes at most {MAX_IMAGES}", value.span, step=call.step_id)
