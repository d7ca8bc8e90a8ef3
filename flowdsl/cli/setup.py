"""Catalog and configuration for a run, found from the files being processed."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any


def load_catalog_and_config(files: list[Path], config_path: str | None = None) -> tuple[Any, Any]:
    start = files[0].resolve().parent if files else Path.cwd()
    config = None
    if importlib.util.find_spec("flowdsl.config") is not None:
        from flowdsl.config import load_config
        config = load_config(Path(config_path) if config_path else None, start)
    catalog = None
    if importlib.util.find_spec("flowdsl.catalog.bundled") is not None or hasattr(
            __import__("flowdsl.catalog", fromlist=["load_catalog"]), "load_catalog"):
        from flowdsl.catalog import load_catalog
        catalog = load_catalog(project_dir=start)
    return catalog, config
