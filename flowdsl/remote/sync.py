"""``catalog sync``: fetch model schemas into the cache and pin them in ``flowdsl.lock``.

Details are fetched by a bounded thread pool sharing one client (and so one ``Pacer``): the
pool hides latency, the pacer keeps the request rate at the advertised limit. Cache files are
written atomically (``flowdsl.catalog.cache.write_model``) as each model arrives, so an
interrupted sync leaves whole files only; the lock is written once at the end.

A model whose schema no longer matches its lock entry is *reported*, and neither its cache
file nor its lock entry is touched, unless ``update`` is set: CI stays reproducible until
someone re-locks on purpose.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from flowdsl.catalog import cache
from flowdsl.remote.client import ApiClient
from flowdsl.remote.errors import NotFoundError, RemoteError


@dataclass
class SyncResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # differs from the lock, not updated
    missing: list[str] = field(default_factory=list)  # offline: in the lock, not in the cache
    failed: dict[str, str] = field(default_factory=dict)
    lock_written: bool = False

    @property
    def ok(self) -> bool:
        return not (self.changed or self.failed or self.missing)

    def to_json(self) -> dict[str, Any]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "changed": self.changed, "missing": self.missing, "failed": self.failed,
                "lock_written": self.lock_written}


Progress = Callable[[str], None]


def _classify(model: dict[str, Any], lock: dict[str, dict[str, Any]], update: bool) -> str:
    slug = str(model["slug"])
    old = lock.get(slug)
    new = cache.lock_entry(model)
    if old is None:
        return "added"
    if old.get("sha256") == new["sha256"]:
        return "unchanged"
    return "updated" if update else "changed"


def sync_models(client: ApiClient, slugs: list[str], *, lock_path: Path,
                cache_directory: Path | None = None, update: bool = False, jobs: int = 8,
                progress: Progress | None = None) -> SyncResult:
    lock = cache.read_lock(lock_path) if lock_path.is_file() else {}
    result = SyncResult()
    new_lock = dict(lock)

    def fetch(slug: str) -> dict[str, Any]:
        model = client.get_model(slug)
        if model.get("slug") != slug:
            model = {**model, "slug": slug}
        return model

    unique = list(dict.fromkeys(slugs))
    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="flowdsl-sync") as pool:
        futures = {pool.submit(fetch, s): s for s in unique}
        for fut in as_completed(futures):
            slug = futures[fut]
            try:
                model = fut.result()
            except NotFoundError:
                result.failed[slug] = "not found"
            except RemoteError as exc:
                result.failed[slug] = str(exc)
            else:
                kind = _classify(model, lock, update)
                getattr(result, kind).append(slug)
                if kind != "changed":
                    cache.write_model(model, cache_directory)
                    new_lock[slug] = cache.lock_entry(model)
            if progress is not None:
                progress(slug)
    for bucket in (result.added, result.updated, result.unchanged, result.changed):
        bucket.sort()
    if result.added or result.updated or not lock_path.is_file():
        cache.write_lock(lock_path, new_lock)
        result.lock_written = True
    return result


def verify_offline(slugs: list[str], *, lock_path: Path,
                   cache_directory: Path | None = None) -> SyncResult:
    """``--offline``: compare cache with lock; opens no socket at all."""
    lock = cache.read_lock(lock_path) if lock_path.is_file() else {}
    result = SyncResult()
    for slug in sorted(set(slugs or lock)):
        model = cache.read_model(slug, cache_directory)
        entry = lock.get(slug)
        if model is None:
            result.missing.append(slug)
        elif entry is None:
            result.failed[slug] = "cached but not in the lock (run catalog sync without --offline)"
        elif entry.get("sha256") != cache.schema_hash(model):
            result.changed.append(slug)
        else:
            result.unchanged.append(slug)
    return result
