"""When a string may be written plain (unquoted): shared by the printer and ``fmt``.

A string is left plain only when YAML 1.1 (PyYAML, which flowdsl and many tools use) **and**
YAML 1.2 (ruamel.yaml, yaml-language-server) both read it back as that same string; so
``"08540"``, ``"1e5"``, ``"09"`` (numbers in 1.2), ``"16:9"`` (a number in 1.1) and ``yes``/``on``
(booleans in 1.1) stay quoted.
"""

from __future__ import annotations

import re
from functools import lru_cache

import yaml
from ruamel.yaml.nodes import ScalarNode as _RScalarNode
from ruamel.yaml.resolver import VersionedResolver

_PLAIN_BLOCK = re.compile(r"^[^-?:,\[\]{}#&*!|>'\"%@`\s][^\n\t\r]*$")
_PLAIN_FLOW = re.compile(r"^[^-?:,\[\]{}#&*!|>'\"%@`\s][^\n\t\r,\[\]{}]*$")
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_YAML11_SHORT_BOOLS = frozenset({"y", "Y", "n", "N"})
_STR = "tag:yaml.org,2002:str"
_R11 = yaml.resolver.Resolver()
_R12 = VersionedResolver(version=(1, 2))


@lru_cache(maxsize=4096)
def plain_ok(s: str, flow: bool) -> bool:
    """Whether ``s`` may be written without quotes (``flow``: inside ``{...}`` / ``[...]``)."""
    pattern = _PLAIN_FLOW if flow else _PLAIN_BLOCK
    if not s or s != s.strip() or not pattern.match(s) or ": " in s or " #" in s or s.endswith(":"):
        return False
    if not s.isprintable():  # line/paragraph separators, NEL, BOM, controls: quoted (escaped)
        return False
    if s in _YAML11_SHORT_BOOLS:  # booleans in the YAML 1.1 spec, though PyYAML reads them as text
        return False
    if _R11.resolve(yaml.ScalarNode, s, (True, False)) != _STR:
        return False
    if str(_R12.resolve(_RScalarNode, s, (True, False))) != _STR:
        return False
    try:
        if flow:  # PyYAML ends a plain scalar at '?' or ':' inside [...] where others do not
            return bool(yaml.load(f"[{s}]", Loader=_SAFE_LOADER) == [s])
        return bool(yaml.load(s, Loader=_SAFE_LOADER) == s)
    except yaml.YAMLError:
        return False


# -- folded block scalars for long one-line strings ---------------------------------------------
# Keys whose values are not prose: never folded, however long (a URL after "POST", a condition).
NOT_FOLDED = frozenset({"id", "model", "version", "http", "if", "result_path", "python", "timeout",
                        "type", "format", "step_id", "url", "method"})
WIDTH = 100


@lru_cache(maxsize=4096)  # fmt asks again for the same strings (attachment, layout, checks)
def fold_points(s: str, key_col: int, key: str, width: int = WIDTH) -> tuple[int, ...] | None:
    """Where to break ``s`` (indices of single spaces) when it is written as a ``>-`` block
    under ``key`` at column ``key_col``; None when it stays on its line: it fits in ``width``,
    is not prose (see NOT_FOLDED), has nowhere to break, or would not read back unchanged.

    A folded scalar turns each line break back into one space, so only a single space
    between two non-blank characters is a break point; every line then starts with a
    non-blank character and ``s`` comes back as it was (checked with YAML 1.1 and 1.2).
    """
    from flowdsl.emit.printer import scalar  # the quoted form measures "does it fit"
    if key in NOT_FOLDED:
        return None
    full = s
    if s.endswith("\n"):  # one line and its line break: a ">" block (clip) keeps the break
        s = s[:-1]
    if "\n" in s or not s or s != s.strip() or not s.isprintable():
        return None
    if key_col + len(key) + 2 + len(scalar(full, flow=False)) <= width:
        return None
    budget = max(width - (key_col + 2), 20)
    points: list[int] = []
    start = 0
    prev: int | None = None
    for i in range(1, len(s) - 1):
        if s[i] != " " or s[i - 1] == " " or s[i + 1] == " ":
            continue
        if i - start > budget and prev is not None and prev >= start:
            points.append(prev)  # the line up to here would be too long: break at the last space
            start = prev + 1
        prev = i
    if len(s) - start > budget and prev is not None and prev >= start:
        points.append(prev)
    if not points:
        return None
    return tuple(points) if folded_reads_back(full, points) else None


def folded_lines(s: str, points: tuple[int, ...]) -> list[str]:
    """The lines of ``s`` (its final line break, if any, aside) broken at ``points``."""
    s = s.removesuffix("\n")
    bounds = [-1, *points, len(s)]
    return [s[a + 1:b] for a, b in zip(bounds, bounds[1:])]


@lru_cache(maxsize=1024)
def _reads_back(s: str, points: tuple[int, ...]) -> bool:
    import io

    from ruamel.yaml import YAML
    header = ">" if s.endswith("\n") else ">-"
    text = f"k: {header}\n" + "".join(f"  {ln}\n" for ln in folded_lines(s, points))
    try:
        v11 = yaml.load(text, Loader=_SAFE_LOADER)
        v12 = YAML(typ="safe", pure=True).load(io.StringIO(text))
    except Exception:  # noqa: BLE001 - any reader failure means "do not fold"
        return False
    return bool(v11 == {"k": s} and v12 == {"k": s})


def folded_reads_back(s: str, points: list[int] | tuple[int, ...]) -> bool:
    return _reads_back(s, tuple(points))
