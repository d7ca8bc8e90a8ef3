"""The project (configuration + catalog) for a run, found from the files being processed."""

from __future__ import annotations

from pathlib import Path

from flowdsl.check.run import ConfigError, Project
from flowdsl.cli.common import UsageError


def project_for(files: list[Path], config_path: str | None = None) -> Project:
    """The nearest config (or ``--config``) and the catalog it names. A broken config file
    is a usage error (exit 2), not an internal one."""
    try:
        return Project.for_paths(files, config_path)
    except ConfigError as exc:
        raise UsageError(f"bad configuration: {exc}") from None
