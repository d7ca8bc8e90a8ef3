"""Catalog and configuration for a run, found from the files being processed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flowdsl.cli.common import UsageError


def load_catalog_and_config(files: list[Path], config_path: str | None = None) -> tuple[Any, Any]:
    """The nearest config (or ``--config``) and the catalog it names: bundled snapshot,
    overlaid by the local cache, with the nearest ``flowdsl.lock``. A broken config file is
    a usage error (exit 2), not an internal one."""
    from flowdsl.checker import catalog_for
    from flowdsl.config import ConfigError, load_config
    start = files[0].resolve().parent if files else Path.cwd()
    try:
        config = load_config(Path(config_path) if config_path else None, start)
    except ConfigError as exc:
        raise UsageError(f"bad configuration: {exc}") from None
    return catalog_for(config, start), config
