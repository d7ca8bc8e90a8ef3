"""`flowdsl catalog sync`: concurrent fetch, cache + lock, changed schemas, --update, --offline."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from flowdsl.catalog import cache
from flowdsl.emulator import generate_models


def cached(project: Path) -> list[str]:
    return sorted(p.stem for p in (project.parent / "cache" / "models").glob("*.json"))


def test_sync_all_then_unchanged(make_emulator: Any, project: Path, run: Any) -> None:
    models = generate_models(120)
    emu = make_emulator(models=models)
    r = run("catalog", "sync", "--all", "--api-url", emu.base_url)
    assert r.exit_code == 0, r.output
    assert "120 added" in r.output
    assert cached(project) == sorted(m["slug"] for m in models)
    lock = cache.read_lock(project / "flowdsl.lock")
    assert len(lock) == 120
    m0 = models[0]
    assert lock[m0["slug"]] == cache.lock_entry(m0)
    assert not list((project.parent / "cache" / "models").glob(".*tmp"))  # atomic writes only
    r = run("catalog", "sync", "--api-url", emu.base_url)  # no args: the locked slugs
    assert r.exit_code == 0 and "120 unchanged" in r.output


def test_changed_schema_is_reported_not_relocked(make_emulator: Any, project: Path, run: Any) -> None:
    emu = make_emulator(models=generate_models(5))
    slug = generate_models(1)[0]["slug"]
    assert run("catalog", "sync", "--all", "--api-url", emu.base_url).exit_code == 0
    lock_before = (project / "flowdsl.lock").read_text()
    cache_before = cache.read_model(slug)
    emu.models[slug]["request_schema"]["properties"]["new_param"] = {"type": "string"}
    r = run("catalog", "sync", "--all", "--api-url", emu.base_url)
    assert r.exit_code == 1
    assert f"changed: {slug}" in r.output and "--update" in r.output
    assert (project / "flowdsl.lock").read_text() == lock_before
    assert cache.read_model(slug) == cache_before
    r = run("catalog", "sync", "--all", "--update", "--api-url", emu.base_url)
    assert r.exit_code == 0 and "1 re-locked" in r.output
    assert cache.read_lock(project / "flowdsl.lock")[slug] == cache.lock_entry(emu.models[slug])
    assert "new_param" in cache.read_model(slug)["request_schema"]["properties"]  # type: ignore[index]


def test_named_slugs_and_unknown_slug(make_emulator: Any, project: Path, run: Any) -> None:
    emu = make_emulator(models=generate_models(5))
    slugs = [m["slug"] for m in generate_models(2)]
    r = run("catalog", "sync", *slugs, "no-such-model", "--json", "--api-url", emu.base_url)
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert doc["added"] == sorted(slugs) and doc["failed"] == {"no-such-model": "not found"}


def test_offline_never_opens_a_socket(make_emulator: Any, project: Path, run: Any,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    emu = make_emulator(models=generate_models(3))
    run("catalog", "sync", "--all", "--api-url", emu.base_url)

    def no_network(*args: Any, **kw: Any) -> None:
        raise AssertionError("--offline opened a socket")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    r = run("catalog", "sync", "--offline", "--api-url", emu.base_url)
    assert r.exit_code == 0 and "3 cached model(s) match the lock" in r.output
    # a tampered cache file is a finding, still without network
    slug = generate_models(1)[0]["slug"]
    path = cache.model_path(slug)
    data = json.loads(path.read_text())
    data["output_type"] = "object"
    path.write_text(json.dumps(data))
    r = run("catalog", "sync", "--offline")
    assert r.exit_code == 1 and f"changed: {slug}" in r.output
    path.unlink()
    r = run("catalog", "sync", "--offline")
    assert r.exit_code == 1 and f"missing: {slug}" in r.output


def test_sync_survives_faults(make_emulator: Any, project: Path, run: Any) -> None:
    emu = make_emulator(models=generate_models(60), fault_rate=0.3, seed=3)
    r = run("catalog", "sync", "--all", "--api-url", emu.base_url)
    assert r.exit_code == 0, r.output
    assert len(cache.read_lock(project / "flowdsl.lock")) == 60
    assert sum(emu.faults.counts.values()) > 0


def test_sync_respects_rate_limit(make_emulator: Any, project: Path, run: Any) -> None:
    # 1200/min with a bucket of 20: the pacer keeps 40 fetches (plus the listing) from
    # collecting more than a couple of 429s.
    emu = make_emulator(models=generate_models(40), rate_limit_per_min=1200, burst=20)
    r = run("catalog", "sync", "--all", "-v", "--api-url", emu.base_url)
    assert r.exit_code == 0, r.output
    assert emu.stats.rate_limited <= 2
    assert "rate-limited (429)" in r.output


def test_nothing_to_sync_is_usage(emulator: Any, project: Path, run: Any) -> None:
    r = run("catalog", "sync", "--api-url", emulator.base_url)
    assert r.exit_code == 2 and "nothing to sync" in r.output
    assert run("catalog", "sync", "--offline", "--all").exit_code == 2
