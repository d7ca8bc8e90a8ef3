"""The catalog the checker and simulator use: bundled snapshot < local cache < lock check.

* Bundled snapshot (always there, offline): the docs' models and more; it does not know
  the platform's full list, so ``complete`` is False and an unknown slug is a warning.
* Local cache (``flowdsl.catalog.cache``, filled by ``catalog sync``): one API model JSON
  per slug. A cached model replaces the bundled one of the same slug; what the API does not
  say (aliases, simulation hints, media kinds of params it still has) is kept from the
  bundled spec. When sync fetched the platform's whole list it calls
  ``mark_cache_complete()``, and the catalog then reports ``complete = True``.
* Lock file (``flowdsl.lock`` found from the project dir upward): not a source of specs but
  a check: ``lock_mismatches()`` lists the models whose current schema hash differs from
  the locked one.

Nothing is read when the catalog is created: the bundled JSON on first use (once per
process), the cache directory listing on first ``slugs()``/``get()``, each cached file on
its first ``get()``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from flowdsl.catalog.bundled import bundled_aliases, bundled_slugs, bundled_spec
from flowdsl.catalog.model import ModelSpec
from flowdsl.catalog.names import NameIndex, normalize_name

# In the cache's models dir; a dot file so ``cache.cached_slugs`` never lists it.
COMPLETE_MARKER = ".complete"


def mark_cache_complete(slugs: Iterable[str], directory: Path | None = None) -> Path:
    """Record that the cache holds the platform's whole model list (call after a full sync)."""
    from flowdsl.catalog import cache

    path = (directory or cache.models_dir()) / COMPLETE_MARKER
    body = {"count": len(set(slugs))}
    cache.atomic_write(path, (json.dumps(body) + "\n").encode("utf-8"))
    return path


def clear_cache_complete(directory: Path | None = None) -> None:
    from flowdsl.catalog import cache

    try:
        ((directory or cache.models_dir()) / COMPLETE_MARKER).unlink()
    except FileNotFoundError:
        pass


class LayeredCatalog:
    """Implements the ``Catalog`` protocol of ``flowdsl.catalog.model``."""

    def __init__(
        self,
        cache_directory: Path | None = None,
        lock_path: Path | None = None,
        complete: bool | None = None,
        bundled: bool = True,
    ) -> None:
        self.cache_directory = cache_directory
        self.lock_path = lock_path
        self._bundled = bundled
        if complete is None:
            complete = cache_directory is not None and (cache_directory / COMPLETE_MARKER).is_file()
        self.complete = complete
        self._cached: set[str] | None = None
        self._specs: dict[str, ModelSpec | None] = {}
        self._names: NameIndex | None = None

    # -- sources ---------------------------------------------------------------------
    def _cached_slugs(self) -> set[str]:
        if self._cached is None:
            if self.cache_directory is None:
                self._cached = set()
            else:
                from flowdsl.catalog.cache import cached_slugs

                self._cached = set(cached_slugs(self.cache_directory))
        return self._cached

    def _bundled_spec(self, slug: str) -> ModelSpec | None:
        return bundled_spec(slug) if self._bundled else None

    def _cached_model(self, slug: str) -> dict[str, Any] | None:
        if slug not in self._cached_slugs():
            return None
        from flowdsl.catalog.cache import read_model

        model = read_model(slug, self.cache_directory)
        if model is None or model.get("slug") != slug:
            return None  # unreadable or foreign file: fall back to the bundled spec
        return model

    # -- Catalog protocol ------------------------------------------------------------
    def get(self, slug: str) -> ModelSpec | None:
        if slug in self._specs:
            return self._specs[slug]
        spec: ModelSpec | None = None
        model = self._cached_model(slug)
        base = self._bundled_spec(slug)
        if model is not None:
            from flowdsl.catalog.convert import api_to_spec

            try:
                spec = api_to_spec(model, source="cache", base=base)
            except ValueError:
                spec = None
        if spec is None:
            spec = base
        self._specs[slug] = spec
        return spec

    def slugs(self) -> list[str]:
        names = set(bundled_slugs()) if self._bundled else set()
        return sorted(names | self._cached_slugs())

    def resolve_alias(self, name: str) -> str | None:
        if self._names is None:
            aliases = bundled_aliases() if self._bundled else {}
            self._names = NameIndex(self.slugs(), aliases)
        return self._names.resolve(name)

    # -- extras ----------------------------------------------------------------------
    def __contains__(self, slug: object) -> bool:
        return isinstance(slug, str) and self.get(slug) is not None

    def api_model(self, slug: str) -> dict[str, Any] | None:
        """The API JSON behind a slug: the cached file as synced, else the bundled spec's."""
        model = self._cached_model(slug)
        if model is not None:
            return model
        spec = self._bundled_spec(slug)
        if spec is None:
            return None
        from flowdsl.catalog.convert import spec_to_api

        return spec_to_api(spec, hints=False)

    def search(self, text: str) -> list[ModelSpec]:
        """Models whose slug, alias, title or description contains every word of ``text``,
        best first (slug hits before title hits before description hits)."""
        words = [normalize_name(w) for w in text.split()]
        words = [w for w in words if w]
        scored: list[tuple[int, str, ModelSpec]] = []
        for slug in self.slugs():
            spec = self.get(slug)
            if spec is None:
                continue
            fields = [
                (0, normalize_name(slug) + " " + " ".join(normalize_name(a) for a in spec.aliases)),
                (1, normalize_name(spec.title)),
                (2, " ".join(normalize_name(w) for w in spec.description.split())),
            ]
            best = 0
            for word in words:
                hits = [rank for rank, field in fields if word in field]
                if not hits:
                    best = -1
                    break
                best = max(best, min(hits))
            if best >= 0:
                scored.append((best, slug, spec))
        scored.sort(key=lambda t: (t[0], t[1]))
        return [spec for _, _, spec in scored]

    def lock_mismatches(self, slugs: Iterable[str] | None = None) -> list[tuple[str, str, str | None]]:
        """``(slug, expected_hash, actual_hash)`` for every locked model whose schema hash
        (``cache.schema_hash`` of the cached or bundled API JSON) differs from
        ``flowdsl.lock``; ``actual_hash`` is None when the catalog no longer has the model.
        ``slugs`` limits the check (e.g. to the models a flow uses). Empty without a lock.
        """
        if self.lock_path is None:
            return []
        from flowdsl.catalog.cache import read_lock, schema_hash

        locked = read_lock(self.lock_path)
        wanted = set(slugs) if slugs is not None else None
        out: list[tuple[str, str, str | None]] = []
        for slug in sorted(locked):
            if wanted is not None and slug not in wanted:
                continue
            entry = locked[slug]
            expected = entry.get("sha256") if isinstance(entry, dict) else None
            if not isinstance(expected, str):
                continue
            model = self.api_model(slug)
            actual = schema_hash(model) if model is not None else None
            if actual != expected:
                out.append((slug, expected, actual))
        return out


def load_catalog(project_dir: Path | str | None = None, cache: bool = True) -> LayeredCatalog:
    """The catalog for a project: bundled snapshot, overlaid by the local cache
    (``$FLOWDSL_CACHE_DIR`` or the platform cache dir) unless ``cache`` is False, with the
    ``flowdsl.lock`` nearest to ``project_dir`` (a directory or a file in it) for
    ``lock_mismatches()``. Cheap: nothing is read until used.
    """
    from flowdsl.catalog import cache as cache_mod

    directory = cache_mod.models_dir() if cache else None
    lock = cache_mod.find_lock(Path(project_dir)) if project_dir is not None else None
    return LayeredCatalog(cache_directory=directory, lock_path=lock)


def bundled_catalog() -> LayeredCatalog:
    """The bundled snapshot alone (no cache, no lock)."""
    return LayeredCatalog()
