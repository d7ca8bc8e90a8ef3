"""``flowdsl catalog list/show/search`` and the lazily attached ``sync``."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from flowdsl.catalog import bundled_slugs
from flowdsl.catalog import cache as cache_mod
from flowdsl.cli import catalog_cmd
from flowdsl.cli.catalog_cmd import catalog
from flowdsl.cli.main import cli


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(catalog, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_list_text_and_json() -> None:
    code, out, _ = _run("list")
    assert code == 0
    assert "flux-2-max" in out and "docs-table" in out and "not the platform's full list" in out
    code, out, _ = _run("list", "--json")
    data = json.loads(out)
    assert [m["slug"] for m in data] == bundled_slugs()
    flux = next(m for m in data if m["slug"] == "flux-2-max")
    assert flux["params"] == 4 and flux["schema_complete"] and flux["output_type"] == "array"
    assert flux["aliases"] == ["Flux Max"]


def test_show_renders_the_schema_as_a_table() -> None:
    code, out, err = _run("show", "topaz-upscale-image")
    assert code == 0 and err == ""
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("PARAM"))
    assert header.split() == ["PARAM", "TYPE", "REQUIRED", "DEFAULT", "CONSTRAINTS", "MEDIA", "DESCRIPTION"]
    scale = next(line for line in lines if line.startswith("scale"))
    assert scale.split()[:4] == ["scale", "integer", "no", "2"] and "one of 2, 4" in scale
    image = next(line for line in lines if line.startswith("image_url"))
    assert image.split()[:3] == ["image_url", "string", "yes"] and "image" in image.split()[3:]


def test_show_json_and_alias() -> None:
    code, out, _ = _run("show", "Flux Max", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["slug"] == "flux-2-max"
    assert data["request_schema"]["properties"]["num_outputs"]["maximum"] == 4
    assert data["request_schema"]["required"] == ["prompt"]


def test_show_unknown_model_is_one_line_with_did_you_mean() -> None:
    code, out, err = _run("show", "flux-2-maxx")
    assert code == 1 and out == ""
    assert err.strip().splitlines() == ['flowdsl: error: unknown model "flux-2-maxx" (did you mean "flux-2-max"?)']
    code, _, err = _run("show", "qqqqqqqq")
    assert code == 1 and err.strip() == 'flowdsl: error: unknown model "qqqqqqqq"'


def test_show_partial_and_unknown_schemas() -> None:
    code, out, _ = _run("show", "topaz-upscale-video")
    assert code == 0 and "partial schema" in out
    code, out, _ = _run("show", "reve-text-to-image")
    assert code == 0 and "params unknown" in out


def test_search() -> None:
    code, out, _ = _run("search", "upscale")
    assert code == 0
    slugs = [line.split()[0] for line in out.splitlines()[1:]]
    assert slugs == ["topaz-upscale-image", "topaz-upscale-video"]
    code, out, _ = _run("search", "lip", "sync", "--json")
    assert code == 0 and "kling-lip-sync" in [m["slug"] for m in json.loads(out)]
    code, _, err = _run("search", "zzzz-nothing")
    assert code == 1 and "no model matches" in err


def test_cached_models_show_up_and_no_cache_hides_them() -> None:
    cache_mod.write_model({"title": "Fresh", "slug": "fresh-model", "version": "0.0.1", "output_type": "string",
                           "request_schema": {"type": "object", "properties": {"prompt": {"type": "string"}}}})
    code, out, _ = _run("show", "fresh-model")
    assert code == 0 and "cache" in out
    code, _, _ = _run("show", "fresh-model", "--no-cache")
    assert code == 1


def test_sync_is_attached_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(catalog_cmd.LAZY_COMMANDS, "sync", "flowdsl.cli.no_such_module_xyz:sync")
    ctx = click.Context(catalog)
    assert "sync" not in catalog.list_commands(ctx)
    assert catalog.get_command(ctx, "sync") is None
    monkeypatch.setitem(catalog_cmd.LAZY_COMMANDS, "sync", "flowdsl.cli.catalog_cmd:search_cmd")
    assert "sync" in catalog.list_commands(ctx)
    assert catalog.get_command(ctx, "sync") is catalog_cmd.search_cmd


def test_reachable_from_the_main_cli() -> None:
    result = CliRunner().invoke(cli, ["catalog", "show", "veo-3"])
    assert result.exit_code == 0 and "duration" in result.stdout
