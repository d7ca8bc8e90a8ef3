"""A structural diff of two definitions, rendered like ``terraform plan``: ``+`` added,
``-`` removed, ``~`` changed, each under the path of its parent (steps named by their id, not
their index, so an inserted step does not show every later step as changed)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

_MISSING: Any = object()
PathPart = str | int


@dataclass(frozen=True)
class Change:
    op: str  # "+", "-", "~"
    path: tuple[PathPart, ...]
    old: Any = _MISSING
    new: Any = _MISSING

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"op": self.op, "path": format_path(self.path)}
        if self.old is not _MISSING:
            out["old"] = self.old
        if self.new is not _MISSING:
            out["new"] = self.new
        return out


def _step_key(item: Any) -> str | None:
    if isinstance(item, dict):
        key = item.get("step_id", item.get("id"))
        return str(key) if isinstance(key, (str, int)) else None
    return None


def _keyed(items: list[Any]) -> dict[str, Any] | None:
    keys = [_step_key(i) for i in items]
    if not items or any(k is None for k in keys) or len(set(keys)) != len(keys):
        return None
    return dict(zip(keys, items))  # type: ignore[arg-type]


def diff(old: Any, new: Any, path: tuple[PathPart, ...] = ()) -> list[Change]:
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[Change] = []
        for key in list(old) + [k for k in new if k not in old]:
            if key not in new:
                out.append(Change("-", path + (key,), old=old[key]))
            elif key not in old:
                out.append(Change("+", path + (key,), new=new[key]))
            else:
                out.extend(diff(old[key], new[key], path + (key,)))
        return out
    if isinstance(old, list) and isinstance(new, list):
        ko, kn = _keyed(old), _keyed(new)
        if ko is not None and kn is not None:
            out = []
            for key in list(ko) + [k for k in kn if k not in ko]:
                if key not in kn:
                    out.append(Change("-", path + (f"[{key}]",), old=ko[key]))
                elif key not in ko:
                    out.append(Change("+", path + (f"[{key}]",), new=kn[key]))
                else:
                    out.extend(diff(ko[key], kn[key], path + (f"[{key}]",)))
            common_old = [k for k in ko if k in kn]
            common_new = [k for k in kn if k in ko]
            if common_old != common_new:
                out.append(Change("~", path + ("(order)",), old=common_old, new=common_new))
            return out
        out = []
        for i in range(max(len(old), len(new))):
            if i >= len(new):
                out.append(Change("-", path + (i,), old=old[i]))
            elif i >= len(old):
                out.append(Change("+", path + (i,), new=new[i]))
            else:
                out.extend(diff(old[i], new[i], path + (i,)))
        return out
    if old == new and type(old) is type(new):
        return []
    return [Change("~", path, old=old, new=new)]


def format_path(path: tuple[PathPart, ...]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith("[") or part == "(order)":
            out += part if part.startswith("[") else " " + part
        else:
            out += ("." if out else "") + part
    return out or "(root)"


def _short(value: Any, width: int = 72) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= width else text[: width - 3] + "..."


def _leaf(part: PathPart) -> str:
    return f"[{part}]" if isinstance(part, int) else str(part)


def render(changes: list[Change], indent: str = "    ") -> list[str]:
    """Lines grouped under their parent path, so each change reads with its context."""
    lines: list[str] = []
    parent: tuple[PathPart, ...] | None = None
    for ch in changes:
        here = ch.path[:-1]
        if here != parent:
            lines.append(f"  {indent}{format_path(here)}:" if here else f"  {indent}(definition):")
            parent = here
        key = _leaf(ch.path[-1]) if ch.path else "(root)"
        pad = indent + "  "
        if ch.op == "~":
            lines.append(f"~ {pad}{key}: {_short(ch.old)} -> {_short(ch.new)}")
        else:
            value = ch.new if ch.op == "+" else ch.old
            if isinstance(value, (dict, list)) and len(_short(value, 10_000)) > 72:
                lines.append(f"{ch.op} {pad}{key}:")
                for row in json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True).splitlines():
                    lines.append(f"{ch.op} {pad}  {row}")
            else:
                lines.append(f"{ch.op} {pad}{key}: {_short(value)}")
    return lines
