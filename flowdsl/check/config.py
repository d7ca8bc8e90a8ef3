"""Project configuration: ``[tool.flowdsl]`` in ``pyproject.toml`` or ``flowdsl.toml``.

    [tool.flowdsl]                # in flowdsl.toml the table may also be top-level
    disable = ["unused-input"]    # rules off
    catalog = ".flowdsl/models"   # directory of cached model schemas (relative to the file)

    [tool.flowdsl.rules]          # per-rule severity, or "off"
    conditional-reference = "error"
    limit = "warning"

The nearest ``flowdsl.toml`` or ``pyproject.toml`` with a ``[tool.flowdsl]`` table, from the
checked path upwards, wins; ``flowdsl.toml`` wins over ``pyproject.toml`` in one directory.
A broken config is a :class:`ConfigError` (one line for the user), never a traceback.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from flowdsl.diagnostics import Severity
from flowdsl.rules import REGISTRY
from flowdsl.suggest import did_you_mean

CONFIG_FILES = ("flowdsl.toml", "pyproject.toml")


class ConfigError(Exception):
    """The configuration file is unreadable or names something unknown."""


@dataclass(frozen=True)
class Config:
    disabled: frozenset[str] = frozenset()
    severities: Mapping[str, Severity] = field(default_factory=dict)
    catalog: Path | None = None  # directory holding cached model JSON files
    path: Path | None = None  # the file this came from, if any

    def enabled(self, rule: str) -> bool:
        return rule not in self.disabled

    def severity_for(self, rule: str) -> Severity | None:
        return self.severities.get(rule)


def _rule_id(name: Any, where: str) -> str:
    if not isinstance(name, str) or name not in REGISTRY:
        raise ConfigError(f"{where}: unknown rule {name!r}{did_you_mean(str(name), REGISTRY)}")
    return name


def parse_config(table: Mapping[str, Any], path: Path | None = None) -> Config:
    """A Config from the ``[tool.flowdsl]`` table (already parsed TOML)."""
    where = str(path) if path else "[tool.flowdsl]"
    known = {"disable", "rules", "severity", "catalog"}
    for key in table:
        if key not in known:
            raise ConfigError(f"{where}: unknown key {key!r}{did_you_mean(key, known)}")
    disable = table.get("disable", [])
    if not isinstance(disable, list):
        raise ConfigError(f"{where}: 'disable' must be a list of rule ids")
    disabled = {_rule_id(r, where) for r in disable}
    severities: dict[str, Severity] = {}
    for key in ("rules", "severity"):
        section = table.get(key, {})
        if not isinstance(section, Mapping):
            raise ConfigError(f"{where}: '{key}' must be a table of rule = severity")
        for rule, level in section.items():
            _rule_id(rule, where)
            if level in ("off", False):
                disabled.add(rule)
            elif isinstance(level, str) and level in {s.value for s in Severity}:
                severities[rule] = Severity(level)
            else:
                raise ConfigError(
                    f"{where}: rule {rule!r}: severity must be error, warning, note or off, "
                    f"not {level!r}")
    catalog = table.get("catalog")
    catalog_path: Path | None = None
    if catalog is not None:
        if not isinstance(catalog, str):
            raise ConfigError(f"{where}: 'catalog' must be a path")
        catalog_path = Path(catalog)
        if path is not None and not catalog_path.is_absolute():
            catalog_path = path.parent / catalog_path
    return Config(frozenset(disabled), severities, catalog_path, path)


def _table(path: Path) -> Mapping[str, Any] | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    tool = data.get("tool", {})
    table = tool.get("flowdsl") if isinstance(tool, dict) else None
    if table is None and path.name == "flowdsl.toml":
        table = {k: v for k, v in data.items() if k != "tool"}
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.flowdsl] must be a table")
    return table


def find_config(start: Path) -> Path | None:
    """The nearest config file (with a flowdsl table) at or above ``start``."""
    start = start.resolve()
    here = start if start.is_dir() else start.parent
    for d in (here, *here.parents):
        for name in CONFIG_FILES:
            candidate = d / name
            if candidate.is_file() and _table(candidate) is not None:
                return candidate
    return None


def _not_a_file(path: Path) -> str:
    """Why ``path`` cannot be a config file (it is not a regular file)."""
    if path.is_dir():
        return "is a directory, not a config file"
    if path.exists():
        return "is not a regular file (a FIFO, device or socket); give a flowdsl.toml or pyproject.toml"
    return "no such config file"


def load_config(explicit: Path | str | None = None, start: Path | str | None = None) -> Config:
    """The config named explicitly (``--config``), else the nearest one at or above
    ``start`` (default: the current directory); defaults when there is none."""
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"{path}: {_not_a_file(path)}")
        table = _table(path)
        return parse_config(table or {}, path)
    found = find_config(Path(start) if start is not None else Path.cwd())
    if found is None:
        return Config()
    return parse_config(_table(found) or {}, found)
