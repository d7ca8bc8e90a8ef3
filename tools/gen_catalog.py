#!/usr/bin/env python3
"""Generate flowdsl's bundled model catalog from tools/catalog_source/.

    python3 tools/gen_catalog.py            # rewrite flowdsl/catalog/data/models.json
    python3 tools/gen_catalog.py --check    # exit 1 if the committed file is stale
    python3 tools/gen_catalog.py -o PATH    # write elsewhere

Sources: ``tools/catalog_source/models.yaml`` (hand-written: the docs' parameter tables,
aliases, models named in docs and seeds) and ``tools/catalog_source/legacy_console.yaml``
(extracted from console exports by ``tools/catalog_source/extract_legacy.py``). The row
format is described at the top of models.yaml. Output is deterministic (models sorted by
slug, params in source order, no timestamps) so ``--check`` can compare bytes.

output_type rule (applied when a model does not state one):
  * a count param (``num_outputs``/``num_images``) -> ``array`` (a list of URLs);
  * media ``json`` -> ``object``;
  * media video/audio/text -> ``string`` (one URL, or the text);
  * media image -> ``string`` only when the schema is complete (the docs tables: no count
    param means one image); for a partial or unknown schema we cannot tell -> null;
  * no media -> null.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIR = ROOT / "tools" / "catalog_source"
SOURCES = ("models.yaml", "legacy_console.yaml")
OUTPUT = ROOT / "flowdsl" / "catalog" / "data" / "models.json"
FORMAT = 1

TYPES = {"string", "integer", "number", "boolean", "array", "object", "any"}
MEDIA = {"image", "video", "audio", "text", "json"}
ORIGINS = {"docs-table", "docs-example", "seed-list", "legacy-console"}
COUNT_PARAMS = ("num_outputs", "num_images")
NONE_MARK = "—"


class SourceError(Exception):
    """A mistake in a source file; reported as one line, exit 1."""


def _coerce(value: Any, typ: str, where: str) -> Any:
    if typ == "integer":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
            raise SourceError(f"{where}: {value!r} is not an integer")
        return int(value)
    if typ == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SourceError(f"{where}: {value!r} is not a number")
        return float(value)
    if typ == "boolean":
        if not isinstance(value, bool):
            raise SourceError(f"{where}: {value!r} is not a boolean")
        return value
    if typ == "string":
        if not isinstance(value, str):
            raise SourceError(f"{where}: {value!r} is not a string (quote it)")
        return value
    return value


def _scalar(text: str) -> Any:
    """A cell's value: JSON when it parses (numbers, true/false, "quoted"), else the raw
    text. Never YAML: YAML 1.1 reads 16:9 as the sexagesimal number 969."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _extras(text: str, where: str) -> dict[str, Any]:
    text = text.strip()
    if not text:
        return {}
    if text.startswith("{"):
        data = json.loads(text)
        if not isinstance(data, dict):
            raise SourceError(f"{where}: extras must be an object")
        return data
    out: dict[str, Any] = {}
    for token in text.split():
        key, sep, value = token.partition("=")
        if not sep:
            raise SourceError(f"{where}: extras token {token!r} is not key=value")
        if key == "enum":
            out["enum"] = [_scalar(v) for v in value.split(",")]
        elif key in ("min", "max"):
            out["minimum" if key == "min" else "maximum"] = _scalar(value)
        elif key == "media":
            out["media"] = value
        else:
            raise SourceError(f"{where}: unknown extras key {key!r}")
    return out


def parse_row(row: str, where: str) -> tuple[str, dict[str, Any], bool, str | None]:
    """One table row -> (name, property schema, required, media)."""
    cells = [c.strip() for c in str(row).split("|")]
    if len(cells) < 5:
        raise SourceError(f"{where}: a row needs name | type | required | default | description")
    name, typ, req, default_text, description = cells[:5]
    extras = _extras(" | ".join(cells[5:]), f"{where} {name}")
    where = f"{where} param {name}"
    if typ not in TYPES:
        raise SourceError(f"{where}: unknown type {typ!r}")
    if req not in ("yes", "no"):
        raise SourceError(f"{where}: required must be yes or no, not {req!r}")
    prop: dict[str, Any] = {}
    if typ != "any":
        prop["type"] = typ
    if description and description != NONE_MARK:
        prop["description"] = description
    if default_text != NONE_MARK:
        prop["default"] = _coerce(_scalar(default_text), typ, f"{where} default") if typ != "any" else _scalar(default_text)
    if "enum" in extras:
        prop["enum"] = [_coerce(v, typ, f"{where} enum") if typ != "any" else v for v in extras["enum"]]
        if "default" in prop and prop["default"] not in prop["enum"]:
            raise SourceError(f"{where}: default {prop['default']!r} not in enum")
    for bound in ("minimum", "maximum"):
        if bound in extras:
            value = extras[bound]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise SourceError(f"{where}: {bound} must be a number")
            prop[bound] = value
    if "default" in prop and isinstance(prop["default"], (int, float)):
        if "minimum" in prop and prop["default"] < prop["minimum"]:
            raise SourceError(f"{where}: default below minimum")
        if "maximum" in prop and prop["default"] > prop["maximum"]:
            raise SourceError(f"{where}: default above maximum")
    media = extras.get("media")
    if media is not None and media not in MEDIA:
        raise SourceError(f"{where}: unknown media {media!r}")
    return name, prop, req == "yes", media


def output_type_rule(media: str | None, props: dict[str, Any] | None, complete: bool) -> str | None:
    if props and any(p in props for p in COUNT_PARAMS):
        return "array"
    if media == "json":
        return "object"
    if media in ("video", "audio", "text"):
        return "string"
    if media == "image" and complete:
        return "string"
    return None


def build_model(slug: str, entry: dict[str, Any], defaults: dict[str, Any], where: str) -> dict[str, Any]:
    known = {"title", "description", "media", "origin", "version", "output_type", "complete",
             "duration_s", "cost_usd", "params", "seen_in"}
    unknown = set(entry) - known
    if unknown:
        raise SourceError(f"{where}: unknown keys {sorted(unknown)}")
    origin = entry.get("origin")
    if origin not in ORIGINS:
        raise SourceError(f"{where}: origin must be one of {sorted(ORIGINS)}")
    media = entry.get("media")
    if media is not None and media not in MEDIA:
        raise SourceError(f"{where}: unknown media {media!r}")
    complete = bool(entry.get("complete", origin == "docs-table"))

    schema: dict[str, Any] | None = None
    param_media: dict[str, str] = {}
    rows = entry.get("params")
    if rows is not None:
        props: dict[str, Any] = {}
        required: list[str] = []
        for row in rows:
            name, prop, req, pmedia = parse_row(row, where)
            if name in props:
                raise SourceError(f"{where}: param {name} twice")
            props[name] = prop
            if req:
                required.append(name)
            if pmedia:
                param_media[name] = pmedia
        schema = {"type": "object", "properties": props}
        if required or complete:
            schema["required"] = required
    elif complete:
        raise SourceError(f"{where}: complete without params")

    output_type = entry.get("output_type", "__rule__")
    if output_type == "__rule__":
        output_type = output_type_rule(media, schema["properties"] if schema else None, complete)
    if output_type not in (None, "string", "array", "object"):
        raise SourceError(f"{where}: bad output_type {output_type!r}")

    duration = entry.get("duration_s")
    if duration is None and media is not None:
        duration = defaults["duration_s"].get(media)
    if duration is not None:
        if len(duration) != 2 or not all(isinstance(x, (int, float)) for x in duration) or duration[0] > duration[1]:
            raise SourceError(f"{where}: duration_s must be [low, high]")
        duration = [float(duration[0]), float(duration[1])]
    cost = entry.get("cost_usd")
    version = entry.get("version", defaults["version_by_origin"].get(origin))

    return {
        "title": str(entry.get("title") or slug),
        "description": str(entry.get("description") or ""),
        "version": None if version is None else str(version),
        "origin": origin,
        "output_type": output_type,
        "output_media": media,
        "schema_complete": complete,
        "request_schema": schema,
        "param_media": param_media,
        "aliases": [],
        "duration_s": duration,
        "cost_usd": None if cost is None else float(cost),
    }


def _load(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SourceError(f"{path.name}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("models"), dict):
        raise SourceError(f"{path.name}: expected a mapping with 'models'")
    return data


def _check_schema(slug: str, schema: dict[str, Any]) -> None:
    import jsonschema

    try:
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(schema)
        defaults = {k: v["default"] for k, v in schema["properties"].items() if "default" in v}
        for error in validator.iter_errors(defaults):
            if error.validator != "required":
                raise SourceError(f"{slug}: default does not fit its schema: {error.message}")
    except jsonschema.SchemaError as exc:
        raise SourceError(f"{slug}: invalid JSON Schema: {exc.message}") from exc


def build(source_dir: Path = SOURCE_DIR) -> bytes:
    """The bytes of models.json for the given source directory."""
    main = _load(source_dir / SOURCES[0])
    defaults = main.get("defaults") or {}
    models: dict[str, dict[str, Any]] = {}
    for name in SOURCES:
        data = main if name == SOURCES[0] else _load(source_dir / name)
        for slug, entry in data["models"].items():
            where = f"{name}: {slug}"
            if slug in models:
                raise SourceError(f"{where}: defined twice")
            if not isinstance(entry, dict):
                raise SourceError(f"{where}: expected a mapping")
            models[slug] = build_model(slug, entry, defaults, where)
            if models[slug]["request_schema"] is not None:
                _check_schema(slug, models[slug]["request_schema"])

    aliases: dict[str, str] = {}
    for alias, target in (main.get("aliases") or {}).items():
        if target not in models:
            raise SourceError(f"aliases: {alias!r} points at unknown model {target!r}")
        aliases[str(alias)] = target
        models[target]["aliases"].append(str(alias))

    body = {
        "format": FORMAT,
        "generated_by": "tools/gen_catalog.py from tools/catalog_source/ (do not edit by hand)",
        "aliases": dict(sorted(aliases.items())),
        "models": {slug: models[slug] for slug in sorted(models)},
    }
    return (json.dumps(body, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the output file is stale")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    try:
        data = build()
    except SourceError as exc:
        print(f"gen_catalog: {exc}", file=sys.stderr)
        return 1
    if args.check:
        try:
            current = args.output.read_bytes()
        except OSError:
            current = b""
        if current != data:
            print(f"gen_catalog: {args.output} is stale; run tools/gen_catalog.py", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    count = len(json.loads(data)["models"])
    print(f"gen_catalog: wrote {args.output} ({count} models, {len(data)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
