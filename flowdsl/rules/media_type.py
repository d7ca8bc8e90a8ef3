"""media-type: a reference of one media kind fed to a param that expects another.

Model outputs are URLs of generated files; the catalog knows which media each model
produces (image, video, audio) and which media a param expects (``image_url`` of an
upscaler: an image). A video URL sent to an image param fails at run time or, worse,
"works" on the first frame. Fires only when both media kinds are known; a video into an
audio param is accepted (the file carries its audio track).

    steps:
      - id: clip
        model: veo-3
        with: {prompt: a wave}
      - id: upscale
        model: topaz-upscale-image
        with: {image_url: "{{clip.primary}}"}   # media-type: a video into an image param
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flowdsl import codes
from flowdsl.diagnostics import Diagnostic, error
from flowdsl.check.models import templated_args

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.MEDIA_TYPE

_URL_MEDIA = frozenset({"image", "video", "audio"})
# A video file carries its audio track: speech-to-text and dubbing models take videos.
_COMPATIBLE = frozenset({("video", "audio")})


def check(ctx: "Context") -> Iterator[Diagnostic]:
    for arg in templated_args(ctx):
        got, want = arg.type.media, arg.media
        if not got or not want or got == want:
            continue
        if got not in _URL_MEDIA or want not in _URL_MEDIA:
            continue  # text/json outputs are not file URLs: reference-type's business
        if (got, want) in _COMPATIBLE:
            continue
        t = arg.scalar.template
        source = t.refs[0].text() if t is not None else "the value"
        yield error(RULE, f'{arg.call.where}: "{arg.name}" expects {want}, but {source} is '
                    f"{'an' if got[0] in 'aeiou' else 'a'} {got}", arg.span,
                    step=arg.call.step_id, hint=f"pass the output of a step that produces {want}")
