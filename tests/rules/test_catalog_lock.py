"""Tests for flowdsl/rules/catalog_lock.py: fixture cases in cases/catalog-lock/ (with the
flowdsl.lock beside them), and a lock written from the catalog itself (matching)."""

from __future__ import annotations

from pathlib import Path


from flowdsl.catalog.cache import lock_entry, write_lock
from tests.rules.harness import catalog, check_text

RULE = "catalog-lock"


def test_a_lock_written_from_the_catalog_matches(tmp_path: Path) -> None:
    lock = tmp_path / "flowdsl.lock"
    model = catalog().api_model("flux-2-pro")
    assert model is not None
    write_lock(lock, {"flux-2-pro": lock_entry(model)})
    text = "name: x\nsteps:\n  - id: gen\n    model: flux-2-pro\n    with: {prompt: a}\n"
    assert check_text(text, lock=lock) == []
    write_lock(lock, {"flux-2-pro": dict(lock_entry(model), sha256="f" * 64)})
    [d] = check_text(text, lock=lock)
    assert d.rule == RULE and d.step == "gen" and d.severity.value == "warning"
