"""tools/gen_catalog.py: reproducible output and strict parsing of the source tables."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
GEN = ROOT / "tools" / "gen_catalog.py"
DATA = ROOT / "flowdsl" / "catalog" / "data" / "models.json"


def _load_gen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_catalog", GEN)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _load_gen()


def test_generated_file_is_byte_identical_to_a_fresh_build() -> None:
    assert gen.build() == DATA.read_bytes(), "stale: run python3 tools/gen_catalog.py"
    assert gen.build() == gen.build()


def test_check_mode_via_the_command_line(tmp_path: Path) -> None:
    ok = subprocess.run([sys.executable, str(GEN), "--check"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    stale = tmp_path / "models.json"
    stale.write_text("{}\n")
    bad = subprocess.run([sys.executable, str(GEN), "--check", "-o", str(stale)], capture_output=True, text=True)
    assert bad.returncode == 1 and "stale" in bad.stderr


def test_an_edited_source_changes_the_output(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOT / "tools" / "catalog_source", src)
    text = (src / "models.yaml").read_text(encoding="utf-8")
    edited = text.replace("- scale     | integer | no  | 2 | Upscale factor (2 or 4) | enum=2,4",
                          "- scale     | integer | no  | 4 | Upscale factor (2 or 4) | enum=2,4")
    assert edited != text
    (src / "models.yaml").write_text(edited, encoding="utf-8")
    data = json.loads(gen.build(src))
    assert data["models"]["topaz-upscale-image"]["request_schema"]["properties"]["scale"]["default"] == 4


def test_aspect_ratios_stay_strings_not_sexagesimal_numbers() -> None:
    name, prop, required, media = gen.parse_row(
        "aspect_ratio | string | no | 16:9 | Ratio | enum=1:1,16:9,3:2", "t"
    )
    assert (name, required, media) == ("aspect_ratio", False, None)
    assert prop == {"type": "string", "description": "Ratio", "default": "16:9", "enum": ["1:1", "16:9", "3:2"]}


def test_row_types_defaults_and_extras() -> None:
    _, prop, req, media = gen.parse_row("image_url | string | yes | — | Image | media=image", "t")
    assert prop == {"type": "string", "description": "Image"} and req and media == "image"
    _, prop, _, _ = gen.parse_row("stability | number | no | 0.5 | S | min=0 max=1", "t")
    assert prop["default"] == 0.5 and (prop["minimum"], prop["maximum"]) == (0, 1)
    _, prop, _, _ = gen.parse_row("duration | number | no | 10 | D", "t")
    assert prop["default"] == 10.0 and isinstance(prop["default"], float)
    _, prop, _, _ = gen.parse_row("scale | any | no | — | Factor", "t")
    assert "type" not in prop
    _, prop, _, _ = gen.parse_row('mode | string | no | "1.5" | — | {"enum": ["1.5", "2"]}', "t")
    assert prop == {"type": "string", "default": "1.5", "enum": ["1.5", "2"]}


@pytest.mark.parametrize(
    "row, message",
    [
        ("x | floaty | no | — | d", "unknown type"),
        ("x | integer | maybe | — | d", "required must be"),
        ("x | integer | no | 1.5 | d", "not an integer"),
        ("x | string | no | 5 | d", "not a string"),
        ("x | integer | no | 3 | d | enum=2,4", "not in enum"),
        ("x | integer | no | 9 | d | min=1 max=4", "above maximum"),
        ("x | string | no | — | d | media=hologram", "unknown media"),
        ("x | string | no | — | d | colour=red", "unknown extras key"),
        ("x | string", "a row needs"),
    ],
)
def test_bad_rows_are_one_line_errors(row: str, message: str) -> None:
    with pytest.raises(gen.SourceError, match=message):
        gen.parse_row(row, "models.yaml: m")


def test_output_type_rule() -> None:
    rule = gen.output_type_rule
    assert rule("image", {"prompt": {}, "num_outputs": {}}, True) == "array"
    assert rule("image", {"prompt": {}, "num_images": {}}, False) == "array"
    assert rule("image", {"prompt": {}}, True) == "string"
    assert rule("image", {"prompt": {}}, False) is None
    assert rule("image", None, False) is None
    assert rule("video", None, False) == "string"
    assert rule("audio", {"text": {}}, True) == "string"
    assert rule("json", {}, False) == "object"
    assert rule(None, None, False) is None


def test_unknown_alias_target_and_duplicates_are_rejected(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOT / "tools" / "catalog_source", src)
    text = (src / "models.yaml").read_text(encoding="utf-8")
    (src / "models.yaml").write_text(text.replace("Sora: sora-2-pro", "Sora: sora-9"), encoding="utf-8")
    with pytest.raises(gen.SourceError, match="unknown model 'sora-9'"):
        gen.build(src)
    legacy = (src / "legacy_console.yaml").read_text(encoding="utf-8")
    (src / "models.yaml").write_text(text, encoding="utf-8")
    (src / "legacy_console.yaml").write_text(legacy.replace("  flux-dev:\n", "  flux-2-max:\n"), encoding="utf-8")
    with pytest.raises(gen.SourceError, match="defined twice"):
        gen.build(src)
