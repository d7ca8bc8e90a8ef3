"""YAML (and JSON, which is YAML) into a tree of nodes that know where they came from.

libyaml's C composer does the parsing when present (the pure-Python composer otherwise);
we never construct Python objects through PyYAML's constructor, because that loses
positions, silently keeps the last of two duplicate keys and expands aliases without bound.
Instead the composed node graph is converted here, with an expansion budget.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Union

import yaml

from flowdsl import codes
from flowdsl.diagnostics import Diagnostic, error
from flowdsl.spans import Span

try:  # libyaml when the wheel has it: several times faster than the Python composer
    _Loader: type = yaml.CSafeLoader  # type: ignore[attr-defined]
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader

# Expanded nodes allowed per file. A 20-step flow has a few hundred; a billion-laughs
# file wants 10^9. Aliases are legitimate YAML, so we bound expansion instead of banning them.
MAX_NODES = 200_000

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"


@dataclass(frozen=True, slots=True)
class YScalar:
    value: str | int | float | bool | None
    span: Span
    style: str | None  # None plain, "'", '"', "|", ">"
    start: int  # character offsets of the node in the source text
    end: int


@dataclass(frozen=True, slots=True)
class YSeq:
    items: tuple["YNode", ...]
    span: Span


@dataclass(frozen=True, slots=True)
class YMap:
    items: tuple[tuple[YScalar, "YNode"], ...]
    span: Span
    # key -> value (the first one, should a key be duplicated); built once by the loader.
    index: dict[str, "YNode"] = field(default_factory=dict, compare=False, repr=False)

    def get(self, key: str) -> "YNode | None":
        if self.index or not self.items:
            return self.index.get(key)
        for k, v in self.items:
            if k.value == key:
                return v
        return None

    def keys(self) -> list[str]:
        return [str(k.value) for k, _ in self.items]

    def key_span(self, key: str) -> Span:
        for k, _ in self.items:
            if k.value == key:
                return k.span
        return self.span


YNode = Union[YScalar, YSeq, YMap]


@dataclass
class Document:
    file: str
    text: str
    root: YNode | None
    diagnostics: list[Diagnostic]


class _Budget(Exception):
    pass


def _expanded_size(node: yaml.Node, memo: dict[int, int], active: set[int]) -> int:
    """Nodes the tree would have once aliases are expanded, computed on the (small) graph
    with memoisation, so a billion-laughs file is measured without being expanded."""
    key = id(node)
    if key in memo:
        return memo[key]
    if key in active:
        raise RecursionError("recursive alias")
    if isinstance(node, yaml.ScalarNode):
        return 1
    active.add(key)
    total = 1
    children = (node.value if isinstance(node, yaml.SequenceNode)
                else [n for pair in node.value for n in pair])
    for child in children:
        total += _expanded_size(child, memo, active)
        if total > MAX_NODES:
            break
    active.discard(key)
    memo[key] = total
    return total


def _span(file: str, node: yaml.Node) -> Span:
    s, e = node.start_mark, node.end_mark
    return Span(file, s.line + 1, s.column + 1, e.line + 1, e.column + 1)


_BOOL_VALUES = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}


def _scalar_value(node: yaml.ScalarNode) -> str | int | float | bool | None:
    """Resolve a plain scalar the way YAML 1.1 (PyYAML) does, for the core types only."""
    tag, raw = node.tag, node.value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return _BOOL_VALUES.get(raw.lower(), bool(raw))
    if tag == _INT:
        text = raw.replace("_", "")
        sign = -1 if text.startswith("-") else 1
        text = text.lstrip("+-")
        try:
            if text.startswith("0x"):
                return sign * int(text[2:], 16)
            if text.startswith("0b"):
                return sign * int(text[2:], 2)
            if ":" in text:  # sexagesimal, as YAML 1.1 defines it
                total = 0
                for part in text.split(":"):
                    total = total * 60 + int(part)
                return sign * total
            if len(text) > 1 and text.startswith("0"):
                return sign * int(text, 8)
            return sign * int(text)
        except ValueError:
            return raw
    if tag == _FLOAT:
        text = raw.replace("_", "").lower()
        if text in (".inf", "+.inf"):
            return math.inf
        if text == "-.inf":
            return -math.inf
        if text == ".nan":
            return math.nan
        try:
            return float(text)
        except ValueError:
            return raw
    return raw


class _Converter:
    def __init__(self, file: str, merge_keys: bool = True) -> None:
        self.file = file
        self.merge_keys = merge_keys
        self.count = 0
        self.diagnostics: list[Diagnostic] = []

    def convert(self, node: yaml.Node) -> YNode:
        self.count += 1
        if self.count > MAX_NODES:
            raise _Budget()
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return YSeq(tuple(self.convert(n) for n in node.value), _span(self.file, node))
        assert isinstance(node, yaml.MappingNode)
        items: list[tuple[YScalar, YNode]] = []
        seen: dict[object, YScalar] = {}
        for knode, vnode in (self._merged(node) if self.merge_keys else node.value):
            if not isinstance(knode, yaml.ScalarNode):
                self.count += 1
                self.diagnostics.append(error(
                    codes.YAML_SYNTAX, "a mapping key must be a plain value, found a "
                    + ("list" if isinstance(knode, yaml.SequenceNode) else "mapping"),
                    _span(self.file, knode)))
                continue
            # Keys stay text: in YAML 1.1 a plain `on:` or `no:` key would become a boolean,
            # which no one writing a flow means.
            key = YScalar(knode.value, _span(self.file, knode), knode.style or None,
                          knode.start_mark.index, knode.end_mark.index)
            hashable = key.value if not isinstance(key.value, float) or key.value == key.value else "nan"
            if hashable in seen:
                first = seen[hashable].span
                self.diagnostics.append(error(
                    codes.YAML_SYNTAX,
                    f'duplicate key "{key.value}" (first defined on line {first.line}); '
                    "YAML keeps only the last one",
                    key.span, hint="remove or rename one of them"))
            else:
                seen[hashable] = key
            items.append((key, self.convert(vnode)))
        index: dict[str, YNode] = {}
        for k, v in items:
            index.setdefault(str(k.value), v)
        return YMap(tuple(items), _span(self.file, node), index)

    def _merged(self, node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
        """Apply YAML merge keys (``<<: *base``): explicit keys win over merged ones."""
        pairs: list[tuple[yaml.Node, yaml.Node]] = []
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for k, v in node.value:
            if k.tag == "tag:yaml.org,2002:merge":
                sources = v.value if isinstance(v, yaml.SequenceNode) else [v]
                for src in sources:
                    if isinstance(src, yaml.MappingNode):
                        merged.extend(self._merged(src))
                    else:
                        self.diagnostics.append(error(
                            codes.YAML_SYNTAX, "a merge key (<<) needs a mapping or a list of mappings",
                            _span(self.file, src)))
            else:
                pairs.append((k, v))
        explicit = {k.value for k, _ in pairs if isinstance(k, yaml.ScalarNode)}
        return [(k, v) for k, v in merged
                if not (isinstance(k, yaml.ScalarNode) and k.value in explicit)] + pairs

    def scalar(self, node: yaml.ScalarNode) -> YScalar:
        value = node.value if node.style else _scalar_value(node)
        return YScalar(value, _span(self.file, node), node.style or None,
                       node.start_mark.index, node.end_mark.index)


_TAB_INDENT = re.compile(r"^( *)\t", re.M)
_SURROGATES = re.compile(r"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})")


def _join_surrogates(m: re.Match[str]) -> str:
    hi, lo = int(m.group(1), 16), int(m.group(2), 16)
    return f"\\U{0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00):08X}"


def _decode(data: bytes, file: str) -> tuple[str | None, Diagnostic | None]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, error(codes.YAML_SYNTAX,
                           f"the file is not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded",
                           Span.point(file, line, col), hint="save the file as UTF-8")


def load_text(text: str, file: str, *, json_like: bool = False) -> Document:
    diags: list[Diagnostic] = []
    # JSON allows tabs between tokens, YAML does not; a tab is one character either way,
    # so swapping it for a blank keeps every offset, line and column.
    text_for_yaml = text.replace("\t", " ") if json_like else text
    if json_like and "\\u" in text:
        # JSON spells characters outside the BMP as UTF-16 surrogate pairs, which YAML rejects;
        # rewrite them as YAML's \U escape (2 characters shorter: later columns on that line
        # shift, lines do not). The document keeps the rewritten text so offsets agree.
        text = text_for_yaml = _SURROGATES.sub(_join_surrogates, text_for_yaml)
    try:
        loader = _Loader(text_for_yaml)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        tab = _TAB_INDENT.search(text)
        if tab and "\t" in (exc.problem or "") + (exc.context or "") or (
                tab and text.count("\n", 0, tab.start()) + 1 == line):
            tline = text.count("\n", 0, tab.start()) + 1
            diags.append(error(codes.YAML_SYNTAX, "tab character used for indentation; YAML allows only spaces",
                               Span.point(file, tline, len(tab.group(1)) + 1), hint="indent with spaces"))
            return Document(file, text, None, diags)
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        diags.append(error(codes.YAML_SYNTAX, f"{problem}{context}", Span.point(file, line, col)))
        return Document(file, text, None, diags)
    except yaml.YAMLError as exc:
        diags.append(error(codes.YAML_SYNTAX, str(exc).splitlines()[0], Span.point(file, 1, 1)))
        return Document(file, text, None, diags)
    if node is None:  # nothing but blanks and comments
        diags.append(error(codes.YAML_SYNTAX, "the file is empty: expected a mapping with `steps`",
                           Span.point(file, 1, 1)))
        return Document(file, text, None, diags)
    conv = _Converter(file, merge_keys="<<" in text)
    try:
        # Only a document with anchors can expand beyond its own size.
        if "&" in text and _expanded_size(node, {}, set()) > MAX_NODES:
            raise _Budget()
        root = conv.convert(node)
    except _Budget:
        diags.append(error(codes.YAML_SYNTAX,
                           f"aliases expand to more than {MAX_NODES:,} nodes; refusing to expand "
                           "(a 'billion laughs' document?)", _span(file, node)))
        return Document(file, text, None, diags)
    except RecursionError:
        diags.append(error(codes.YAML_SYNTAX, "the document is nested too deeply (or has a recursive alias)",
                           _span(file, node)))
        return Document(file, text, None, diags)
    diags.extend(conv.diagnostics)
    return Document(file, text, root, diags)


def load_bytes(data: bytes, file: str) -> Document:
    text, problem = _decode(data, file)
    if text is None:
        assert problem is not None
        return Document(file, "", None, [problem])
    return load_text(text, file, json_like=file.endswith(".json"))


def load_file(path: str) -> Document:
    with open(path, "rb") as fh:
        return load_bytes(fh.read(), path)
