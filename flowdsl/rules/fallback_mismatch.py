"""fallback-mismatch: the fallback model produces a different kind of output.

When the primary model fails, the fallback's output takes its place under the same step
id. If the fallback returns another output type (an array where the primary returns a
string) or another media kind (an image where the primary returns a video), every step
reading this one receives something it was not written for. A warning: it only bites when
the fallback actually runs.

    steps:
      - id: clip
        model: veo-3
        with: {prompt: a wave}
        fallback: {model: flux-2-pro, with: {prompt: a wave}}   # fallback-mismatch:
                                                                #   image instead of video
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flowdsl import codes
from flowdsl.diagnostics import Diagnostic, warning
from flowdsl.check.models import model_calls

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.FALLBACK_MISMATCH


def check(ctx: "Context") -> Iterator[Diagnostic]:
    for call in model_calls(ctx):
        if not call.fallback or call.spec is None:
            continue
        primary = ctx.spec(call.step.model)
        if primary is None:
            continue
        fb = call.spec
        what = []
        if primary.output_media and fb.output_media and primary.output_media != fb.output_media:
            what.append(f"{fb.output_media} instead of {primary.output_media}")
        if primary.output_type and fb.output_type and primary.output_type != fb.output_type:
            what.append(f"output type {fb.output_type} instead of {primary.output_type}")
        if what:
            yield warning(RULE, f'{call.where} returns {" and ".join(what)} '
                          f'(primary model "{primary.slug}")', call.slug_span,
                          step=call.step_id,
                          hint="pick a fallback with the same kind of output")
