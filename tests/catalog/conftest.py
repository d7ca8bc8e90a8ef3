"""Every catalog test runs against an empty, private cache dir (never the user's)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "flowdsl-cache"
    monkeypatch.setenv("FLOWDSL_CACHE_DIR", str(cache))
    return cache
