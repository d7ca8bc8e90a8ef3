"""unknown-param: a param the model's schema does not define.

The model API ignores a param it does not know, silently: a typo'd ``aspec_ratio`` costs a
run with the default aspect ratio, and ``image`` where the model reads ``image_url`` costs a
run with no image at all. Fires when the catalog knows the model's full parameter list
(even if its schema allows additional properties), with a did-you-mean from the
parameter names. Fallback params are checked against the fallback model.

    steps:
      - id: animate
        model: kling-2-1-image-to-video
        with:
          image: "{{portrait.primary}}"   # unknown-param: no parameter "image"
                                          #   (did you mean "image_url"?)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flowdsl import codes
from flowdsl.diagnostics import Diagnostic, error
from flowdsl.check.models import PLATFORM_PARAMS, model_calls
from flowdsl.suggest import closest

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.UNKNOWN_PARAM


def check(ctx: "Context") -> Iterator[Diagnostic]:
    for call in model_calls(ctx):
        props = call.properties
        if call.params is None or props is None or call.spec is None:
            continue
        schema = call.spec.request_schema or {}
        extra_ok = schema.get("additionalProperties", True) is not False
        if not call.spec.schema_complete and extra_ok:
            continue  # a partial schema: an unlisted param may well exist
        names = sorted(props)
        for key, _ in call.params.entries:
            if key.name in props or key.name in PLATFORM_PARAMS:
                continue
            best = closest(key.name, names) or _containing(key.name, names)
            hint = f'did you mean "{best}"?' if best else "parameters: " + ", ".join(names)
            tail = " (the API would ignore it silently)" if extra_ok else ""
            yield error(RULE, f'{call.where} has no parameter "{key.name}"{tail}', key.span,
                        step=call.step_id, hint=hint)


def _containing(name: str, names: list[str]) -> str | None:
    """``image`` -> ``image_url``: a single parameter that extends the written name."""
    hits = [n for n in names if n.startswith(name + "_") or n.endswith("_" + name)]
    return hits[0] if len(hits) == 1 else None
