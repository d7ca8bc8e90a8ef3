"""The model catalog the emulator serves: the bundled snapshot or a directory of model files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def load_models_dir(directory: Path) -> list[dict[str, Any]]:
    """Every ``*.json`` in ``directory``: one model object, or a list of them, per file."""
    models: list[dict[str, Any]] = []
    for path in sorted(directory.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"bad model file {path}: {exc}") from exc
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict) and isinstance(item.get("slug"), str):
                models.append(item)
    return models


def bundled_models() -> list[dict[str, Any]]:
    """The bundled snapshot as API model objects; empty if the catalog package has none yet."""
    try:
        from flowdsl.catalog import api_models  # type: ignore[attr-defined]
    except ImportError:
        return []
    return [dict(m) for m in api_models()]


def index(models: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for m in models:
        out[str(m["slug"])] = {
            "title": str(m.get("title") or m["slug"]),
            "slug": str(m["slug"]),
            "version": str(m.get("version") or "0.0.1"),
            "output_type": m.get("output_type") or "array",
            "request_schema": m.get("request_schema") or {"type": "object", "properties": {}},
        }
    return out


def generate_models(count: int, start: int = 0) -> list[dict[str, Any]]:
    """Synthetic models for scale tests and the sync benchmark."""
    kinds = [("image", "array"), ("video", "string"), ("text", "string"), ("audio", "string")]
    out = []
    for i in range(start, start + count):
        kind, otype = kinds[i % len(kinds)]
        out.append({
            "title": f"Generated {kind.title()} Model {i}",
            "slug": f"gen-{kind}-model-{i:04d}",
            "version": "0.0.1",
            "output_type": otype,
            "request_schema": {
                "type": "object",
                "required": ["prompt"],
                "properties": {
                    "prompt": {"type": "string", "maxLength": 10000},
                    "seed": {"type": "integer", "minimum": 0},
                    "steps": {"type": "integer", "minimum": 1, "maximum": 50 + i % 7, "default": 28},
                },
            },
        })
    return out
