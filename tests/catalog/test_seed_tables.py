"""Every row of the docs' model parameter tables is in the bundled snapshot, faithfully.

The tables are parsed from tests/data/seeds/001_bbba5f4923c30151.txt (a copy of the docs'
llms-full text, see tests/data/seeds/README.md), so a row dropped from or altered in
tools/catalog_source/models.yaml fails here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from flowdsl.catalog import bundled_catalog

SEED = Path(__file__).resolve().parents[1] / "data" / "seeds" / "001_bbba5f4923c30151.txt"
CATEGORIES = {
    "Image Generation": "image",
    "Video Generation": "video",
    "Image Editing": "image",
    "Audio & Music": "audio",
}
TYPE_MAP = {"string": "string", "integer": "integer", "float": "number", "boolean": "boolean"}
ROW = re.compile(
    r"\|\s*`([a-z_]+)`\s*\|\s*([a-z]+)\s*\|\s*(Yes|No)\s*\|\s*([^|]*?)\s*\|\s*([^|]*?)\s*\|"
)
RANGE = re.compile(r"\((\d+(?:\.\d+)?)\s*[–-]\s*(\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class Row:
    model: str
    name: str
    type: str
    required: bool
    default: str
    description: str


def _text() -> str:
    return SEED.read_text(encoding="utf-8")


def model_index() -> dict[str, str]:
    """slug -> media, from the docs' list of model pages."""
    out: dict[str, str] = {}
    for category, media in CATEGORIES.items():
        m = re.search(
            r"- \[" + re.escape(category) + r"\]\([^)]*\): ([a-z0-9][a-z0-9, \-]*?)(?=\s+-\s+\[|\s+###|\s*$)",
            _text(),
        )
        assert m, category
        for slug in m.group(1).split(","):
            out[slug.strip()] = media
    return out


def sections() -> dict[str, str]:
    """slug -> the text of its '#### slug' section (description, table, notes)."""
    out: dict[str, str] = {}
    index = model_index()
    for chunk in _text().split("#### ")[1:]:
        slug = chunk.split()[0]
        if slug in index:
            out[slug] = re.split(r"\s---\s|\s###\s", chunk)[0]
    return out


def table_rows() -> list[Row]:
    rows = []
    for slug, body in sections().items():
        for m in ROW.finditer(body):
            name, typ, req, default, desc = m.groups()
            rows.append(Row(slug, name, typ, req == "Yes", default, desc))
    return rows


ROWS = table_rows()
CATALOG = bundled_catalog()


def _props(slug: str) -> dict[str, Any]:
    spec = CATALOG.get(slug)
    assert spec is not None and spec.request_schema is not None, slug
    props: dict[str, Any] = spec.request_schema["properties"]
    return props


def _expected_default(row: Row) -> Any:
    text = row.default.strip("`")
    if text in ("—", "random", ""):
        return None
    if row.type == "integer":
        return int(text)
    if row.type == "float":
        return float(text)
    return text


def test_the_seed_documents_23_models_and_about_90_rows() -> None:
    assert len(model_index()) == 23
    assert set(sections()) == set(model_index())
    assert {r.model for r in ROWS} == set(model_index())
    assert len(ROWS) >= 85


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.model}.{r.name}")
def test_documented_row_is_in_the_snapshot(row: Row) -> None:
    props = _props(row.model)
    assert row.name in props, f"{row.model}: param {row.name} missing"
    prop = props[row.name]
    assert prop.get("type") == TYPE_MAP[row.type]
    required = CATALOG.get(row.model).request_schema.get("required", [])  # type: ignore[union-attr]
    assert (row.name in required) == row.required
    expected = _expected_default(row)
    if expected is None:
        assert "default" not in prop
    else:
        assert prop.get("default") == expected
        assert type(prop["default"]) is type(expected)
    assert prop.get("description"), "every param has a description"


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.model}.{r.name}")
def test_documented_constraints_and_no_invented_ones(row: Row) -> None:
    prop = _props(row.model)[row.name]
    rng = RANGE.search(row.description)
    if rng:
        assert prop.get("minimum") == float(rng.group(1))
        assert prop.get("maximum") == float(rng.group(2))
    else:
        assert "minimum" not in prop and "maximum" not in prop
    ticked = re.findall(r"`([^`]+)`", row.description)
    listed = len(ticked) >= 2 and ("only" in row.description or re.fullmatch(r"(`[^`]+`[,\s]*)+", row.description))
    if listed:
        convert = int if row.type == "integer" else str
        assert prop.get("enum") == [convert(t) for t in ticked]
    else:
        assert "enum" not in prop


def test_schemas_are_complete_and_list_exactly_the_documented_params() -> None:
    nsfw = re.search(r"Models supporting NSFW disable:(.*?)For each::sense", _text())
    assert nsfw
    nsfw_models = set(re.findall(r"`([a-z0-9\-]+)`", nsfw.group(1)))
    assert nsfw_models == {"wan-v2-6-text-to-video", "wan-v2-6-image-to-video", "seedream-v4-5"}
    for slug in model_index():
        spec = CATALOG.get(slug)
        assert spec is not None and spec.schema_complete, slug
        documented = {r.name for r in ROWS if r.model == slug}
        extra = set(_props(slug)) - documented
        assert extra == ({"enable_safety_checker"} if slug in nsfw_models else set()), slug
        if slug in nsfw_models:
            flag = _props(slug)["enable_safety_checker"]
            assert flag["type"] == "boolean" and flag["default"] is True
        jsonschema.Draft202012Validator.check_schema(spec.request_schema)  # type: ignore[arg-type]


def test_output_and_media_follow_the_documented_rule() -> None:
    for slug, media in model_index().items():
        spec = CATALOG.get(slug)
        assert spec is not None
        assert spec.output_media == media, slug
        has_count = any(r.name == "num_outputs" for r in ROWS if r.model == slug)
        assert spec.output_type == ("array" if has_count else "string"), slug
        url_params = {r.name for r in ROWS if r.model == slug and r.name.endswith("_url")}
        assert spec.param_media == {p: "image" for p in url_params}, slug
        assert spec.version == "1.0.0"
        # The docs' timeouts table: image generation 10-60 s, video 60-600 s.
        if media in ("image", "video"):
            assert spec.duration_s == ((10.0, 60.0) if media == "image" else (60.0, 600.0)), slug


def test_table_notes() -> None:
    body = sections()
    assert "Does not support `3:2` or `2:3`" in body["gemini-imagen-4"]
    enum = _props("gemini-imagen-4")["aspect_ratio"]["enum"]
    assert "3:2" not in enum and "2:3" not in enum and "16:9" in enum
    assert "No `aspect_ratio` parameter" in body["kling-2-1-image-to-video"]
    assert "aspect_ratio" not in _props("kling-2-1-image-to-video")
    assert "`duration` is float" in body["stable-audio-2-5"]
    assert _props("stable-audio-2-5")["duration"]["type"] == "number"
    assert "Uses `text` instead of `prompt`" in body["elevenlabs-tts"]
    assert "prompt" not in _props("elevenlabs-tts")


def test_documented_alias_table_resolves() -> None:
    m = re.search(r"### Model Aliases (.*?) ---", _text())
    assert m
    pairs = re.findall(r"([A-Za-z0-9 ]+?) = `([a-z0-9\-]+)`", m.group(1))
    assert len(pairs) == 10
    for alias, slug in pairs:
        alias = alias.strip(" ,")
        assert CATALOG.resolve_alias(alias) == slug, alias
        assert alias in CATALOG.get(slug).aliases  # type: ignore[union-attr]


def test_the_docs_request_examples_validate() -> None:
    examples = [
        ("flux-2-max", {"prompt": "A cinematic landscape at golden hour", "aspect_ratio": "16:9"}, True),
        ("flux-2-pro", {"prompt": "x", "aspect_ratio": "16:9"}, True),
        ("topaz-upscale-image", {"image_url": "https://x/y.png", "scale": 2}, True),
        ("topaz-upscale-image", {"image_url": "https://x/y.png", "scale": 3}, False),
        ("gemini-imagen-4", {"prompt": "x", "aspect_ratio": "3:2"}, False),
        ("flux-2-max", {"prompt": "x", "num_outputs": 5}, False),
        ("elevenlabs-tts", {"text": "hi", "stability": 1.5}, False),
        ("veo-3", {"prompt": "x", "duration": 20}, False),
        ("flux-fill-pro", {"image_url": "a", "prompt": "b"}, False),
    ]
    for slug, params, ok in examples:
        schema = CATALOG.get(slug).request_schema  # type: ignore[union-attr]
        valid = jsonschema.Draft202012Validator(schema).is_valid(params)
        assert valid == ok, (slug, params)
