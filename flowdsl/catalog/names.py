"""Resolving what a user wrote (``Flux Max``, ``veo 3``, ``Kling-3.0``) to a slug.

Names compare after ``normalize_name``: lower case, everything but letters and digits
removed, so case, spaces and punctuation never matter. Precedence, first hit wins:

1. the exact slug;
2. an alias from the docs' alias table, exactly as written;
3. an alias, normalized;
4. a slug, normalized, when exactly one slug normalizes that way.

Titles are deliberately not names: they collide (``Imagen 4`` is both the docs' alias of
``gemini-imagen-4`` and the title of ``imagen4-preview``), and a guess there would be a
false "did you mean".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def normalize_name(name: str) -> str:
    return _NOT_ALNUM.sub("", name.lower())


class NameIndex:
    def __init__(self, slugs: Iterable[str], aliases: Mapping[str, str]) -> None:
        self._slugs = set(slugs)
        self._aliases = {a: s for a, s in aliases.items() if s in self._slugs}
        self._norm_aliases: dict[str, str | None] = {}
        for alias, slug in self._aliases.items():
            key = normalize_name(alias)
            previous = self._norm_aliases.get(key, slug)
            self._norm_aliases[key] = slug if previous == slug else None
        self._norm_slugs: dict[str, str | None] = {}
        for slug in sorted(self._slugs):
            key = normalize_name(slug)
            self._norm_slugs[key] = None if key in self._norm_slugs else slug

    def resolve(self, name: str) -> str | None:
        if name in self._slugs:
            return name
        if name in self._aliases:
            return self._aliases[name]
        key = normalize_name(name)
        if not key:
            return None
        return self._norm_aliases.get(key) or self._norm_slugs.get(key)
