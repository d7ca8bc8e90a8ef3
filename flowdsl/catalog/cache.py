"""The local model cache (filled by ``catalog sync``) and the project lock file.

Cache: ``<cache dir>/models/<slug>.json``, each file the API's model object
``{title, slug, version, output_type, request_schema}`` exactly as ``GET /v1/model`` returned
it. The cache dir is ``$FLOWDSL_CACHE_DIR`` or the platform cache dir + ``/flowdsl``.

Lock: ``flowdsl.lock`` (JSON) in the project root:
``{"lock_version": 1, "models": {slug: {"sha256": HEX, "output_type": T}}}`` where HEX is the
SHA-256 of the canonical JSON (sorted keys, no blanks) of
``{"output_type": T, "request_schema": S}``. Every write is atomic (temp file + rename) so an
interrupted sync never leaves a half-written file.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

LOCK_NAME = "flowdsl.lock"
LOCK_VERSION = 1


def cache_dir() -> Path:
    env = os.environ.get("FLOWDSL_CACHE_DIR")
    if env:
        return Path(env)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "flowdsl"


def models_dir() -> Path:
    return cache_dir() / "models"


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def schema_hash(model: dict[str, Any]) -> str:
    payload = {"output_type": model.get("output_type"), "request_schema": model.get("request_schema")}
    import hashlib  # only with a lock file: ~3 ms of import a check of one file need not pay

    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _safe_name(slug: str) -> str:
    # Slugs are kebab-case; anything else must not escape the cache dir.
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in slug).lstrip(".") or "_"


def model_path(slug: str, directory: Path | None = None) -> Path:
    return (directory or models_dir()) / f"{_safe_name(slug)}.json"


def write_model(model: dict[str, Any], directory: Path | None = None) -> Path:
    path = model_path(str(model["slug"]), directory)
    atomic_write(path, (json.dumps(model, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    return path


def read_model(slug: str, directory: Path | None = None) -> dict[str, Any] | None:
    path = model_path(slug, directory)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def cached_slugs(directory: Path | None = None) -> list[str]:
    d = directory or models_dir()
    if not d.is_dir():
        return []
    return sorted(p.stem for p in d.glob("*.json"))


def find_lock(start: Path) -> Path | None:
    """The nearest ``flowdsl.lock`` in ``start`` or a parent directory."""
    here = start if start.is_dir() else start.parent
    for d in (here, *here.parents):
        candidate = d / LOCK_NAME
        if candidate.is_file():
            return candidate
    return None


def read_lock(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    models = data.get("models") if isinstance(data, dict) else None
    return models if isinstance(models, dict) else {}


def write_lock(path: Path, models: dict[str, dict[str, Any]]) -> None:
    body = {"lock_version": LOCK_VERSION, "models": {k: models[k] for k in sorted(models)}}
    atomic_write(path, (json.dumps(body, indent=2, sort_keys=True) + "\n").encode("utf-8"))


def lock_entry(model: dict[str, Any]) -> dict[str, Any]:
    return {"sha256": schema_hash(model), "output_type": model.get("output_type")}
