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
from flowdsl.check.models import PLATFORM_PARAMS, ModelCall, model_calls
from flowdsl.suggest import closest

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.UNKNOWN_PARAM


def check(ctx: "Context") -> Iterator[Diagnostic]:
    for call in model_calls(ctx):
        if not reports(call):
            continue
        assert call.params is not None and call.properties is not None and call.spec is not None
        props = call.properties
        unknown = [key for key, _ in call.params.entries
                   if key.name not in props and key.name not in PLATFORM_PARAMS]
        if not unknown:
            continue  # the common case: every name is known (nothing below is needed)
        extra_ok = (call.spec.request_schema or {}).get("additionalProperties", True) is not False
        names = sorted(props)
        present = set(call.params.names())
        # A misspelt required param is one mistake: reported here, at the key, and not again
        # by missing-param at the model (see renames()).
        meant = renames(call)
        unused = [n for n in names if n not in present]
        for key in unknown:
            if key.name in meant:
                hint = f'did you mean "{meant[key.name]}"? (a required parameter, not given)'
            else:
                # Suggest a param not written yet: the one already there is not the one meant.
                best = (closest(key.name, unused) or _containing(key.name, unused)
                        or closest(key.name, names) or _containing(key.name, names))
                hint = f'did you mean "{best}"?' if best else "parameters: " + ", ".join(names)
            tail = " (the API would ignore it silently)" if extra_ok else ""
            yield error(RULE, f'{call.where} has no parameter "{key.name}"{tail}', key.span,
                        step=call.step_id, hint=hint)


def reports(call: ModelCall) -> bool:
    """Whether this rule checks ``call``'s param names: the catalog knows the model's whole
    parameter list (or its schema refuses extra properties)."""
    if call.params is None or call.properties is None or call.spec is None:
        return False
    extra_ok = (call.spec.request_schema or {}).get("additionalProperties", True) is not False
    return call.spec.schema_complete or not extra_ok


def renames(call: ModelCall) -> dict[str, str]:
    """Written params that are likely misspellings of a required param that is not given:
    {written: required} (``face_image_url`` -> ``face_url``)."""
    schema = call.spec.request_schema if call.spec is not None else None
    required = schema.get("required") if isinstance(schema, dict) else None
    if not isinstance(required, list) or call.params is None:
        return {}
    props = call.properties or {}
    strays = [k.name for k, _ in call.params.entries
              if k.name not in props and k.name not in PLATFORM_PARAMS]
    if not strays:
        return {}  # nothing written that could be a misspelling
    present = call.params.names()
    out: dict[str, str] = {}
    for name in required:
        if not isinstance(name, str) or name in present:
            continue
        free = [s for s in strays if s not in out]
        stray = closest(name, free) or next(
            (s for s in free if name.startswith(s + "_") or name.endswith("_" + s)), None)
        if stray is not None:
            out[stray] = name
    return out


def _containing(name: str, names: list[str]) -> str | None:
    """``image`` -> ``image_url``: a single parameter that extends the written name."""
    hits = [n for n in names if n.startswith(name + "_") or n.endswith("_" + name)]
    return hits[0] if len(hits) == 1 else None
