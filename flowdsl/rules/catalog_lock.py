"""catalog-lock: a model's schema no longer matches the one pinned in ``flowdsl.lock``.

``flowdsl catalog sync`` records the hash of every synced model's schema in the project's
``flowdsl.lock``. When the schema the checker now uses (cached or bundled) hashes
differently, the model changed (or the cache was edited) since the flow was last reviewed:
the other findings are computed against a schema nobody has looked at. Fires once per model
step using such a model; a warning, because the flow itself may be fine.

    steps:
      - id: gen
        model: flux-2-pro        # catalog-lock: the schema of flux-2-pro differs from
        with: {prompt: a cat}    #   flowdsl.lock

Review the change, then ``flowdsl catalog sync --update`` to re-lock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flowdsl import codes
from flowdsl.diagnostics import Diagnostic, warning
from flowdsl.check.models import model_calls

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.CATALOG_LOCK


def check(ctx: "Context") -> Iterator[Diagnostic]:
    lock_mismatches = getattr(ctx.catalog, "lock_mismatches", None)
    if lock_mismatches is None:
        return  # a catalog without a lock (the protocol does not require one)
    calls = model_calls(ctx)
    if not calls:
        return
    changed = {slug: actual for slug, _, actual in lock_mismatches({c.slug for c in calls})}
    for call in calls:
        if call.slug not in changed:
            continue
        what = ("is locked in flowdsl.lock but no longer in the catalog"
                if changed[call.slug] is None else "differs from the one in flowdsl.lock")
        yield warning(RULE, f'the schema of {call.where} {what}', call.slug_span,
                      step=call.step_id,
                      hint="review the change, then run `flowdsl catalog sync --update`")
