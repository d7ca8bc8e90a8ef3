"""unknown-model: a model slug the catalog does not know.

Checked for every model step and every fallback, with the display-name aliases
(``Flux Max`` -> ``flux-2-max``) and a did-you-mean from the known slugs. It is an error
only when the catalog holds the platform's full model list (a synced cache); with the
bundled snapshot, which lists the documented models only, it is a warning, except for a
slug one edit (a letter added, dropped, changed or two swapped) from a documented model
whose schema the catalog knows completely: that is a typo, an error, since deploy would
ship it and the execution fail with "model not found". The params of an unknown model are
not checked. The docs' aliases (``Flux Kontext``) resolve to their slug when the flow is
read, so they are not unknown.

    steps:
      - id: gen
        model: topaz-upscale-imag   # unknown-model (error): one edit from
        with: {image_url: x}        #   topaz-upscale-image

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
        near = _one_edit(call.slug, slugs if slugs is not None else catalog.slugs(), ctx)
        if near is not None and not catalog.complete:
            # A typo of a documented model: deploy would ship it and the run fail.
            yield error(RULE, f'unknown {call.where}: one edit from "{near}", a documented '
                        "model (deploy would fail with model not found)", call.slug_span,
                        step=call.step_id, hint=f"write model: {near}")
        elif catalog.complete:
            yield error(RULE, f'unknown {call.where}', call.slug_span, step=call.step_id,
                        hint=hint)
        else:
            yield warning(RULE, f'{call.where} is not in the model catalog; its params are not '
                          "checked", call.slug_span, step=call.step_id,
                          hint=hint or "run `flowdsl catalog sync` to check against the full list")


def _one_edit(slug: str, slugs: list[str], ctx: "Context") -> str | None:
    """The slug with a complete schema one edit (insert, delete, substitute, swap) away."""
    for candidate in slugs:
        if abs(len(candidate) - len(slug)) <= 1 and _within_one(slug, candidate):
            spec = ctx.spec(candidate)
            if spec is not None and spec.schema_complete:
                return candidate
    return None


def _within_one(a: str, b: str) -> bool:
    if a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                   and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]
