"""Extract model input specs from legacy console exports into ``legacy_console.yaml``.

The legacy each::labs console exported workflows whose ``nodes_json`` embeds, for every
model node, the model's full input spec as the console knew it (type, UI component,
default, min/max, select options, required flag, media ``flow_type``) plus its output
kind, average response time and GPU price. Those specs are real, so we keep them as a
catalog source. This script is run by hand (the corpus is not part of the repo)::

    python3 tools/catalog_source/extract_legacy.py /work/shared/corpus/legacy-console \
        > tools/catalog_source/legacy_console.yaml

and its output is committed; ``tools/gen_catalog.py`` then reads it like any other source.

Merging rules (a slug appears in many exports, not always with identical specs):

* properties: the union over all occurrences;
* type: kept only when every occurrence agrees;
* required: only when every occurrence says so (the console flag; the corpus never
  omits a required param, checked when this script was written);
* default: coerced to the type; empty values, file-upload defaults (sample URLs), strings
  over 200 characters (pasted sample payloads) and defaults that differ between
  occurrences are dropped;
* minimum/maximum: ``0/0`` means "no range" in the console; a range is kept only when
  ``maximum > minimum`` and all occurrences that state one agree;
* enum: from a ``select`` component's comma-separated options, skipping mangled option
  strings; dropped when occurrences disagree or the default is not among the options
  (an enum we are unsure of would produce false positives);
* media: from ``flow_type`` (image/video/audio/voice), else (file uploads) the name
  heuristic of ``flowdsl.catalog.convert.infer_param_media``; none when the two disagree;
* descriptions: the console's short field *title* (not its prose);
* output: ``output_type``/``flow_output_type``/``output_object_key`` mapped to the API's
  output_type and a media kind (see ``_output``);
* duration: average response time ``t`` -> ``[t/2, 3t/2]`` seconds; cost: GPU price per
  second x ``t`` (an estimate; None when ``t`` is 0).
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from flowdsl.catalog.convert import infer_param_media  # noqa: E402

_TYPES = {"string", "integer", "number", "boolean"}
_MAX_DEFAULT = 200
_FLOW_MEDIA = {"image": "image", "video": "video", "audio": "audio", "voice": "audio"}

# Output kinds the mapping in _output cannot read off the export (checked by hand).
_OUTPUT_OVERRIDES: dict[str, tuple[str | None, str | None]] = {
    # Console "code" outputs: a JSON analysis / a dataset archive.
    "1019-face-analyzer": ("object", "json"),
    "rvc-dataset-generator": (None, None),
    # Transcription: text.
    "incredibly-fast-whisper": ("string", "text"),
    # Returns several stems / a trained model: nothing we can type.
    "spleeter": (None, "audio"),
    "train-rvc-model": (None, None),
    # array output whose items are videos.
    "video-retalking": ("array", "video"),
}


def _coerce(value: Any, typ: str | None) -> Any:
    """The console stores many defaults as strings; None when not a usable value."""
    if value is None or value == "" or (value is False and typ != "boolean"):
        return None
    try:
        if typ == "integer":
            if isinstance(value, bool):
                return None
            f = float(value)
            return int(f) if f.is_integer() else None
        if typ == "number":
            if isinstance(value, bool):
                return None
            f = float(value)
            return int(f) if f.is_integer() else f
        if typ == "boolean":
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("true", "false"):
                return str(value).lower() == "true"
            return None
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, str) else None


def _clean_title(title: str) -> str:
    # Exports repeat suffixes ("X by Each AI by Each AI", "A - A - A - B").
    parts = [p.strip() for p in title.split(" - ")]
    out: list[str] = []
    for p in parts:
        if p not in out:
            out.append(p)
    title = " - ".join(out)
    while title.count(" by Each AI") > 1:
        title = title.replace(" by Each AI", "", 1)
    return title


def _output(m: dict[str, Any]) -> tuple[str | None, str | None]:
    slug = m["slug"]
    if slug in _OUTPUT_OVERRIDES:
        return _OUTPUT_OVERRIDES[slug]
    out, flow = m.get("output_type"), m.get("flow_output_type")
    media = {"image": "image", "video": "video", "audio": "audio", "voice": "audio",
             "text": "text", "string": "text"}
    kind = media.get(str(flow)) or media.get(str(out))
    if isinstance(m.get("output_object_key"), str) and m["output_object_key"]:
        return "object", kind
    if out == "array":
        return "array", kind
    return ("string", kind) if kind else (None, None)


def _merge_param(name: str, occurrences: list[dict[str, Any]], total: int) -> dict[str, Any]:
    types = {o.get("type") for o in occurrences}
    only = next(iter(types)) if len(types) == 1 else None
    typ = only if only in _TYPES else None
    row: dict[str, Any] = {"name": name, "type": typ}
    row["required"] = len(occurrences) == total and all(o.get("required") is True for o in occurrences)
    is_file = any(o.get("component") == "file" for o in occurrences)

    defaults = {json.dumps(_coerce(o.get("default"), typ)) for o in occurrences}
    defaults.discard("null")
    default = json.loads(defaults.pop()) if len(defaults) == 1 and not is_file else None
    if isinstance(default, str) and len(default) > _MAX_DEFAULT:
        default = None  # a pasted sample payload (a long shop URL), not a setting

    ranges = set()
    for o in occurrences:
        lo, hi = o.get("minimum"), o.get("maximum")
        if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and hi > lo:
            ranges.add((lo, hi))
    extras: dict[str, Any] = {}
    if len(ranges) == 1 and typ in ("integer", "number"):
        lo, hi = ranges.pop()
        if default is None or lo <= default <= hi:
            extras["minimum"], extras["maximum"] = lo, hi

    option_sets = set()
    for o in occurrences:
        opts = o.get("options")
        if o.get("component") == "select" and isinstance(opts, str) and opts:
            if "[" in opts or "'" in opts:
                continue  # mangled export of a Python list
            option_sets.add(tuple(x.strip() for x in opts.split(",")))
    if len(option_sets) == 1:
        values = [_coerce(x, typ) if typ != "string" else x for x in option_sets.pop()]
        if None not in values and (default is None or default in values):
            extras["enum"] = values

    media = None
    for o in occurrences:
        media = media or _FLOW_MEDIA.get(str(o.get("flow_type")).lower())
    by_name = infer_param_media(name, {"type": "string"}) if typ == "string" else None
    if media is None and is_file:
        media = by_name
    elif media and by_name and media != by_name:
        media = None  # the export contradicts the name (audio_file tagged Image): unsure
    if media:
        extras["media"] = media

    titles = Counter(str(o.get("title") or "") for o in occurrences)
    title = titles.most_common(1)[0][0]
    row["description"] = "" if title.lower() == name.lower() else title
    row["default"] = default
    row["extras"] = extras
    row["order"] = min(int(o.get("order") or 0) for o in occurrences)
    return row


def _fmt_scalar(value: Any) -> str:
    if value is None:
        return "—"
    return json.dumps(value, ensure_ascii=False)


def extract(corpus: Path) -> str:
    occurrences: dict[str, list[dict[str, Any]]] = defaultdict(list)
    sources: dict[str, set[str]] = defaultdict(set)
    for path in sorted(corpus.glob("*.json")):
        export = json.loads(path.read_text(encoding="utf-8"))
        for node in json.loads(export.get("nodes_json") or "[]"):
            model = (node.get("data") or {}).get("model")
            if isinstance(model, dict) and model.get("slug"):
                occurrences[model["slug"]].append(model)
                sources[model["slug"]].add(path.name)

    lines = [
        "# GENERATED by tools/catalog_source/extract_legacy.py from the legacy console exports",
        "# (corpus/legacy-console/*.json, nodes_json model specs). Row format: see models.yaml.",
        "# Edit by re-running the extractor, or by hand if the corpus is unavailable.",
        "models:",
    ]
    for slug in sorted(occurrences):
        models = occurrences[slug]
        first = models[0]
        per_param: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for m in models:
            for name, spec in (m.get("inputs") or {}).items():
                if isinstance(spec, dict):
                    per_param[name].append(spec)
        rows = [_merge_param(n, occ, len(models)) for n, occ in per_param.items()]
        rows.sort(key=lambda r: (r["order"], r["name"]))
        output_type, media = _output(first)
        avg = first.get("average_response_time") or 0
        price = (first.get("gpu_device_id") or {}).get("price")
        entry: dict[str, Any] = {
            "title": _clean_title(str(first.get("title") or slug)),
            "version": str(first.get("version") or "0.0.1"),
            "origin": "legacy-console",
            "output_type": output_type,
            "media": media,
            "duration_s": [round(avg * 0.5, 1), round(avg * 1.5, 1)] if avg else None,
            "cost_usd": round(price * avg, 4) if avg and isinstance(price, (int, float)) else None,
            "seen_in": len(sources[slug]),
        }
        lines.append(f"  {slug}:")
        for key, value in entry.items():
            lines.append(f"    {key}: {json.dumps(value, ensure_ascii=False)}")
        lines.append("    params:")
        for r in rows:
            assert "|" not in r["description"], r
            cells = [r["name"], r["type"] or "any", "yes" if r["required"] else "no",
                     _fmt_scalar(r["default"]), r["description"] or "—"]
            if r["extras"]:
                cells.append(json.dumps(r["extras"], ensure_ascii=False))
            lines.append("      - " + json.dumps(" | ".join(cells), ensure_ascii=False))
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: extract_legacy.py CORPUS_DIR > legacy_console.yaml", file=sys.stderr)
        return 2
    sys.stdout.write(extract(Path(argv[1])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
