"""unknown-model: a model slug the catalog does not know.

Checked for every model step and every fallback, with the display-name aliases
(``Flux Max`` -> ``flux-2-max``) and a did-you-mean from the known slugs. It is an error
only when the catalog holds the platform's full model list (a synced cache); with the
bundled snapshot, which lists the documented models only, it is a warning. The params of an
unknown model are not checked.

    steps:
      - id: gen
        model: Flux Max          # unknown-model: "Flux Max" is a display name;
        with: {prompt: a cat}    #   the slug is flux-2-max

Run ``flowdsl catalog sync`` to check against the full, current list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flowdsl import codes
from flowdsl.diagnostics import Diagnostic, error, warning
from flowdsl.check.models import model_calls
from flowdsl.suggest import closest

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.UNKNOWN_MODEL


def check(ctx: "Context") -> Iterator[Diagnostic]:
    catalog = ctx.catalog
    if catalog is None:
        return
    slugs: list[str] | None = None
    for call in model_calls(ctx):
        if call.spec is not None:
            continue
        alias = catalog.resolve_alias(call.slug)
        hint: str | None
        if alias is not None and alias != call.slug:
            hint = f'"{call.slug}" is the display name of {alias}: write model: {alias}'
        else:
            if slugs is None:
                slugs = catalog.slugs()
            best = closest(call.slug, slugs)
            hint = f'did you mean "{best}"?' if best else None
        if catalog.complete:
            yield error(RULE, f'unknown {call.where}', call.slug_span, step=call.step_id,
                        hint=hint)
        else:
            yield warning(RULE, f'{call.where} is not in the model catalog; its params are not '
                          "checked", call.slug_span, step=call.step_id,
                          hint=hint or "run `flowdsl catalog sync` to check against the full list")
