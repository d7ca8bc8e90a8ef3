"""Catalog layering (bundled < cache), lock mismatches, aliases and API JSON conversion."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flowdsl.catalog import (
    Catalog,
    api_models,
    api_to_spec,
    bundled_slugs,
    bundled_spec,
    infer_output_media,
    infer_param_media,
    load_catalog,
    mark_cache_complete,
    normalize_name,
    spec_to_api,
)
from flowdsl.catalog import cache as cache_mod
from flowdsl.catalog.names import NameIndex


def _api(slug: str, **props: Any) -> dict[str, Any]:
    return {
        "title": slug.replace("-", " ").title(),
        "slug": slug,
        "version": "0.0.1",
        "output_type": "string",
        "request_schema": {"type": "object", "properties": props, "required": list(props)[:1]},
    }


def test_load_catalog_satisfies_the_protocol_and_is_not_complete() -> None:
    cat = load_catalog()
    assert isinstance(cat.complete, bool) and not cat.complete
    _: Catalog = cat  # structural typing: get / slugs / resolve_alias / complete
    assert cat.slugs() == bundled_slugs()
    assert cat.get("no-such-model") is None
    spec = cat.get("flux-2-max")
    assert spec is not None and spec.source == "bundled" and spec.origin == "docs-table"
    assert cat.get("flux-2-max") is spec  # memoized


def test_cache_overrides_bundled_and_keeps_what_the_api_cannot_say(private_cache: Path) -> None:
    models = cache_mod.models_dir()
    assert models == private_cache / "models"
    cache_mod.write_model(_api("flux-2-max", prompt={"type": "string"}, image_url={"type": "string"},
                               guidance={"type": "number"}))
    cache_mod.write_model(_api("brand-new-video-model", prompt={"type": "string"},
                               start_frame_url={"type": "string"}))
    cat = load_catalog()
    spec = cat.get("flux-2-max")
    assert spec is not None and spec.source == "cache" and spec.origin == "api"
    assert set(spec.request_schema["properties"]) == {"prompt", "image_url", "guidance"}  # type: ignore[index]
    assert spec.schema_complete and spec.version == "0.0.1" and spec.output_type == "string"
    assert spec.aliases == ("Flux Max",)  # from the bundled spec
    assert spec.output_media == "image" and spec.duration_s == (10.0, 60.0)
    assert spec.param_media == {"image_url": "image"}  # inferred: the API says nothing
    new = cat.get("brand-new-video-model")
    assert new is not None and new.output_media == "video" and new.param_media == {"start_frame_url": "image"}
    assert "brand-new-video-model" in cat.slugs() and "veo-3" in cat.slugs()
    assert cat.resolve_alias("Brand New Video Model") == "brand-new-video-model"
    assert cat.get("veo-3").source == "bundled"  # type: ignore[union-attr]
    # cache=False: the bundled snapshot alone
    plain = load_catalog(cache=False)
    assert plain.get("flux-2-max").source == "bundled"  # type: ignore[union-attr]
    assert plain.get("brand-new-video-model") is None


def test_unreadable_cache_file_falls_back_to_bundled() -> None:
    path = cache_mod.model_path("veo-3")
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    # A file whose content names another slug is not trusted for this one either.
    cache_mod.model_path("kling-3-0").write_text(json.dumps(_api("someone-else")), encoding="utf-8")
    cat = load_catalog()
    assert {"veo-3", "kling-3-0"} <= set(cat.slugs())
    for slug in ("veo-3", "kling-3-0"):
        spec = cat.get(slug)
        assert spec is not None and spec.source == "bundled"


def test_complete_marker(private_cache: Path) -> None:
    cache_mod.write_model(_api("only-model", prompt={"type": "string"}))
    assert not load_catalog().complete
    mark_cache_complete(["only-model"])
    assert load_catalog().complete
    assert not load_catalog(cache=False).complete
    assert cache_mod.cached_slugs() == ["only-model"]  # the marker is not a model


def _lock(tmp: Path, slugs: list[str]) -> Path:
    cat = load_catalog()
    entries = {s: cache_mod.lock_entry(cat.api_model(s)) for s in slugs}  # type: ignore[arg-type]
    path = tmp / "project" / cache_mod.LOCK_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    cache_mod.write_lock(path, entries)
    return path


def test_lock_matches_bundled_then_detects_a_changed_cached_schema(tmp_path: Path) -> None:
    lock = _lock(tmp_path, ["flux-2-max", "veo-3", "topaz-upscale-image"])
    nested = tmp_path / "project" / "flows" / "deep"
    nested.mkdir(parents=True)
    cat = load_catalog(nested)
    assert cat.lock_path == lock
    assert cat.lock_mismatches() == []
    expected = cache_mod.read_lock(lock)["veo-3"]["sha256"]

    changed = bundled_spec("veo-3")
    assert changed is not None
    api = spec_to_api(changed, hints=False)
    api["request_schema"] = json.loads(json.dumps(api["request_schema"]))
    api["request_schema"]["properties"]["duration"]["maximum"] = 8
    cache_mod.write_model(api)
    mismatches = load_catalog(nested / "x.flow.yaml").lock_mismatches()
    assert mismatches == [("veo-3", expected, cache_mod.schema_hash(api))]
    assert load_catalog(nested).lock_mismatches(["flux-2-max"]) == []
    assert load_catalog(nested, cache=False).lock_mismatches() == []


def test_lock_entry_for_a_model_the_catalog_lacks(tmp_path: Path) -> None:
    path = tmp_path / cache_mod.LOCK_NAME
    cache_mod.write_lock(path, {"vanished-model": {"sha256": "ab" * 32, "output_type": "string"}})
    assert load_catalog(tmp_path).lock_mismatches() == [("vanished-model", "ab" * 32, None)]
    assert load_catalog().lock_mismatches() == []  # no project dir: no lock


def test_output_type_change_alone_is_a_mismatch(tmp_path: Path) -> None:
    _lock(tmp_path, ["kling-face-swap"])
    api = load_catalog().api_model("kling-face-swap")
    assert api is not None
    cache_mod.write_model(dict(api, output_type="array"))
    assert [m[0] for m in load_catalog(tmp_path / "project").lock_mismatches()] == ["kling-face-swap"]


@pytest.mark.parametrize(
    "name, slug",
    [
        ("Flux Max", "flux-2-max"),
        ("flux max", "flux-2-max"),
        ("FLUX-MAX", "flux-2-max"),
        ("Veo 3", "veo-3"),
        ("veo3", "veo-3"),
        ("VEO_3", "veo-3"),
        ("Kling 3", "kling-3-0"),
        ("Kling 3.0", "kling-3-0"),
        ("sora", "sora-2-pro"),
        ("ElevenLabs", "elevenlabs-tts"),
        ("Imagen 4", "gemini-imagen-4"),
        ("flux fill", "flux-fill-pro"),
        ("Topaz Upscale Image", "topaz-upscale-image"),
        ("veo3-1-fast", "veo3-1-fast"),
        ("Veo 3.1 Fast", "veo3-1-fast"),
        ("kling", None),
        ("", None),
        ("---", None),
    ],
)
def test_resolve_alias(name: str, slug: str | None) -> None:
    assert load_catalog(cache=False).resolve_alias(name) == slug


def test_name_index_refuses_ambiguous_normalized_slugs() -> None:
    index = NameIndex(["veo-3-1", "veo3-1", "sora-2"], {"Sora Two": "sora-2", "Ghost": "missing"})
    assert index.resolve("veo 31") is None
    assert index.resolve("veo-3-1") == "veo-3-1"
    assert index.resolve("SORA two") == "sora-2"
    assert index.resolve("Ghost") is None
    assert normalize_name("Flux 2 [Max]!") == "flux2max"


def test_no_two_bundled_slugs_normalize_alike() -> None:
    seen: dict[str, str] = {}
    for slug in bundled_slugs():
        key = normalize_name(slug)
        assert key not in seen, (slug, seen.get(key))
        seen[key] = slug


def test_api_models_cover_every_bundled_model_and_round_trip() -> None:
    models = api_models()
    assert [m["slug"] for m in models] == bundled_slugs()
    for model in models:
        assert {"title", "slug", "version", "output_type", "request_schema"} <= set(model)
        assert model["output_type"] in (None, "string", "array", "object")
        json.dumps(model)
        back = api_to_spec(model, source="cache")
        original = bundled_spec(model["slug"])
        assert original is not None
        for field in ("title", "version", "output_type", "output_media", "request_schema",
                      "schema_complete", "param_media", "duration_s", "cost_usd"):
            assert getattr(back, field) == getattr(original, field), (model["slug"], field)
    plain = api_models(hints=False)
    assert all(set(m) == {"title", "slug", "version", "output_type", "request_schema"} for m in plain)


def test_api_to_spec_without_hints_and_with_junk() -> None:
    spec = api_to_spec({"slug": "x-image-to-video", "title": "X", "output_type": "weird",
                        "request_schema": {"type": "object", "properties": {"image_url": {"type": "string"}},
                                           "additionalProperties": True}})
    assert spec.output_type is None and spec.output_media == "video"
    assert not spec.schema_complete and spec.param_media == {"image_url": "image"}
    assert not api_to_spec({"slug": "y", "request_schema": None}).schema_complete
    with pytest.raises(ValueError):
        api_to_spec({"title": "no slug"})


@pytest.mark.parametrize(
    "slug, title, media",
    [
        ("kling-2-1-image-to-video", "", "video"),
        ("flux-2-turbo-text-to-image", "", "image"),
        ("elevenlabs-text-to-speech", "", "audio"),
        ("whisper-speech-to-text", "", "text"),
        ("topaz-upscale-video", "", "video"),
        ("eachlabs-bg-remover-v1", "", "image"),
        ("mureka-generate-music", "", "audio"),
        ("openai-chatgpt-5", "", "text"),
        ("sora-2-pro", "", "video"),
        ("z-image-trainer", "", None),
        ("kling-3-0", "", None),
        ("mystery-model", "Mystery", None),
        ("face-swap", "video", None),
    ],
)
def test_infer_output_media(slug: str, title: str, media: str | None) -> None:
    assert infer_output_media(slug, title) == media


@pytest.mark.parametrize(
    "name, schema, media",
    [
        ("image_url", {"type": "string"}, "image"),
        ("start_image_url", {"type": "string"}, "image"),
        ("image_urls", {"type": "array", "items": {"type": "string"}}, "image"),
        ("input_image2", {"type": "string"}, "image"),
        ("mask_url", {"type": "string"}, "image"),
        ("face_url", {"type": "string"}, "image"),
        ("video", {"type": "string"}, "video"),
        ("audio_url", None, "audio"),
        ("music_file", {"type": "string"}, "audio"),
        ("mask", {"type": "string", "format": "uri"}, "image"),
        ("mask", {"type": "string"}, None),
        ("face", {"type": "string"}, None),
        ("voice", {"type": "string"}, None),
        ("num_images", {"type": "integer"}, None),
        ("image_size", {"type": "string"}, None),
        ("prompt", {"type": "string"}, None),
        ("url", {"type": "string"}, None),
    ],
)
def test_infer_param_media(name: str, schema: dict[str, Any] | None, media: str | None) -> None:
    assert infer_param_media(name, schema) == media


DOCS_EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "docs-examples"


def _model_steps(node: Any) -> list[dict[str, Any]]:
    """Every dict with a string ``model`` and a ``params`` mapping, anywhere in ``node``."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if isinstance(node.get("model"), str) and isinstance(node.get("params"), dict):
            found.append(node)
        for value in node.values():
            found += _model_steps(value)
    elif isinstance(node, list):
        for value in node:
            found += _model_steps(value)
    return found


@pytest.mark.skipif(not DOCS_EXAMPLES.is_dir(), reason="tests/data/docs-examples not present")
def test_every_model_of_the_docs_examples_is_known_with_the_params_they_use() -> None:
    cat = load_catalog(cache=False)
    steps = [s for p in sorted(DOCS_EXAMPLES.glob("*.json")) for s in _model_steps(json.loads(p.read_text()))]
    assert len(steps) >= 20
    for step in steps:
        spec = cat.get(step["model"])
        assert spec is not None, step["model"]
        if spec.origin == "docs-example":  # partial schemas were written from these very steps
            assert set(step["params"]) <= set(spec.request_schema["properties"]), step  # type: ignore[index]


def test_legacy_console_specs_are_carried_over() -> None:
    cat = load_catalog(cache=False)
    hailuo = cat.get("hailuo-video")
    assert hailuo is not None and hailuo.origin == "legacy-console" and not hailuo.schema_complete
    assert hailuo.request_schema["required"] == ["prompt"]  # type: ignore[index]
    assert hailuo.param_media == {"first_frame_image": "image"}
    assert hailuo.output_type == "string" and hailuo.output_media == "video"
    assert hailuo.duration_s == (150.0, 450.0) and hailuo.cost_usd == pytest.approx(0.1011)
    flux = cat.get("flux-1-1-pro")
    assert flux is not None
    assert "custom" in flux.request_schema["properties"]["aspect_ratio"]["enum"]  # type: ignore[index]
    assert flux.request_schema["properties"]["safety_tolerance"]["maximum"] == 5  # type: ignore[index]
    # the export tags an audio file param as Image: contradictory, so no media at all
    rvc = cat.get("rvc-dataset-generator")
    assert rvc is not None and rvc.param_media == {}
    photomaker = cat.get("photomaker")
    assert photomaker is not None and photomaker.output_type == "array"
    assert photomaker.title == "Photomaker - Image Generation"


def test_partial_bundled_schema_echoed_without_hints_stays_partial() -> None:
    base = bundled_spec("kling-lip-sync")
    assert base is not None and not base.schema_complete
    echoed = api_to_spec(spec_to_api(base, hints=False), base=base)
    assert not echoed.schema_complete and echoed.param_media == base.param_media
    grown = spec_to_api(base, hints=False)
    grown["request_schema"] = {"type": "object", "properties": {"image": {"type": "string"}}, "required": ["image"]}
    assert api_to_spec(grown, base=base).schema_complete  # a real, different API schema
