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
