"""YAML (and JSON, which is YAML) into a tree of nodes that know where they came from.

libyaml's C composer does the parsing when present (the pure-Python composer otherwise);
we never construct Python objects through PyYAML's constructor, because that loses
positions, silently keeps the last of two duplicate keys and expands aliases without bound.
Instead the composed node graph is converted here, with an expansion budget.

Nothing here recurses deeper than :data:`MAX_DEPTH`: the node graph is composed by our own
loop over the parser's event stream (libyaml's C composer recurses and dies by SIGSEGV near
25,000 nested lists), and the nesting is measured while composing, before any recursive
stage runs. Positions count only ``\n``, ``\r\n`` and ``\r`` as line breaks (YAML 1.2), not
U+2028/U+2029/U+0085: they are libyaml's own line and column where it counts the same way,
and come from character offsets and our line table otherwise.
"""

from __future__ import annotations

import bisect
import gc
import itertools
import math
import operator
import re
import sys
from dataclasses import dataclass, field
from typing import NamedTuple, Union

import yaml

from flowdsl import codes
from flowdsl.diagnostics import Diagnostic, Severity, error
from flowdsl.spans import Span

try:  # libyaml when the wheel has it: several times faster than the Python composer
    _Base: type = yaml.CSafeLoader  # type: ignore[attr-defined]
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Base = yaml.SafeLoader

# A plain scalar's tag depends on its text alone (the safe loader has no path resolvers).
# Flows repeat the same words (keys, models, types), so the regex tests are remembered.
_PLAIN_TAGS: dict[str, str] = {}
_PLAIN_TAGS_MAX = 50_000


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """The safe loader with a faster tag resolver: the composer asks it for every node, and
    PyYAML's own tries up to six regular expressions per plain scalar (a third of the time
    libyaml's composer spends on a flow)."""

    # The composer calls these around every node to track paths for path resolvers, which
    # the safe loader has none of: C callables that do nothing with their arguments stand
    # in for PyYAML's Python methods (a class attribute that is a type is not bound).
    descend_resolver = slice  # (parent, index) -> a throwaway slice
    ascend_resolver = tuple  # () -> the empty tuple

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if not implicit[0]:
                return "tag:yaml.org,2002:str"
            tag = _PLAIN_TAGS.get(value)  # type: ignore[arg-type]
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(_PLAIN_TAGS) >= _PLAIN_TAGS_MAX:
                    _PLAIN_TAGS.clear()
                _PLAIN_TAGS[value] = tag  # type: ignore[index]
            return tag
        # Collections: the default tags (the safe loader has no path resolvers).
        return "tag:yaml.org,2002:map" if kind is yaml.MappingNode else "tag:yaml.org,2002:seq"

# Nodes that aliases may add to a file once expanded. A flow with a few shared anchors adds a
# few hundred; a billion-laughs file wants 10^9. Aliases are legitimate YAML, so we bound what
# they add (not the size of the file itself: that is MAX_FILE_BYTES's job).
MAX_NODES = 200_000
# Nesting of lists and mappings (also counted through aliases). Every later stage walks values
# recursively; this keeps each of them far from Python's recursion limit.
MAX_DEPTH = 128
# Bytes of one flow file (also enforced by the CLI, which never reads more than this). The
# largest real flow we know of is 28 KB; at 1 MiB (~8,000 steps) the whole check of the worst
# shapes we measured (bench/bench_limits.py) stays within a few seconds, where 16 MiB took a
# minute and a gigabyte.
MAX_FILE_BYTES = 1024 * 1024

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_STR = "tag:yaml.org,2002:str"


# Named tuples, not frozen dataclasses: the loader makes one per node of every file, and a
# tuple costs a fifth of a frozen dataclass's ``__init__`` (issue 16). Built in the hot
# loop with ``_new(YScalar, (...))``, which skips the keyword-aware ``__new__``.
class YScalar(NamedTuple):
    value: str | int | float | bool | None
    span: Span
    style: str | None  # None plain, "'", '"', "|", ">"
    start: int  # character offsets of the node in the source text
    end: int


class YSeq(NamedTuple):
    items: tuple["YNode", ...]
    span: Span


class YMap(NamedTuple):
    items: tuple[tuple[YScalar, "YNode"], ...]
    span: Span
    # key -> value (the first one, should a key be duplicated); built once by the loader.
    by_key: dict[str, "YNode"]

    def get(self, key: str) -> "YNode | None":
        return self.by_key.get(key)

    def keys(self) -> list[str]:
        return [str(k.value) for k, _ in self.items]

    # The index is derived from the items: equality and hashing ignore it (comparing it too
    # would compare every nested value twice per level, exponentially in the depth).
    def __eq__(self, other: object) -> bool:
        return (type(other) is YMap and self.items == other.items  # type: ignore[union-attr]
                and self.span == other.span)  # type: ignore[union-attr]

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash((self.items, self.span))

    def key_span(self, key: str) -> Span:
        for k, _ in self.items:
            if k.value == key:
                return k.span
        return self.span


_new = tuple.__new__
# Where libyaml's line/column differ from ours (see _Converter.marks).
_MARKS_DIFFER = re.compile("[\x85\u2028\u2029\ufeff]")
_bisect = bisect.bisect_right
_ScalarNode, _SequenceNode = yaml.ScalarNode, yaml.SequenceNode

YNode = Union[YScalar, YSeq, YMap]


@dataclass
class Document:
    file: str
    text: str
    root: YNode | None
    diagnostics: list[Diagnostic]
    lines: "LineTable | None" = field(default=None, repr=False, compare=False)


class _Budget(Exception):
    pass


class _TooDeep(Exception):
    """The converter met a collection nested beyond MAX_DEPTH (the event loop reports it)."""


class _Stop(Exception):
    """The composer gives up: ``code`` and ``message`` at character offset ``index``."""

    def __init__(self, code: codes.Code, message: str, index: int, hint: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.index, self.hint = code, message, index, hint


_BREAK = re.compile(r"\r\n|\r|\n")


class LineTable:
    """Character offset -> 1-based line and column, counting only ``\n``, ``\r\n`` and ``\r``."""

    def __init__(self, text: str) -> None:
        if "\r" in text:
            self.starts = [0] + [m.end() for m in _BREAK.finditer(text)]
        else:  # the usual case, in C: each line starts one past the previous line's end
            lengths = map(len, text.split("\n"))
            self.starts = [0, *itertools.accumulate(map((1).__add__, lengths))][:-1]

    def position(self, index: int) -> tuple[int, int]:
        row = bisect.bisect_right(self.starts, index) - 1
        return row + 1, index - self.starts[row] + 1

    def span(self, file: str, start: int, end: int) -> Span:
        # Called for every node of every file: one bisect for the start and, as most nodes
        # end on the line they start on, a look at the next line start for the end.
        starts = self.starts
        row = _bisect(starts, start) - 1
        if end <= start:
            col = start - starts[row] + 1
            return _new(Span, (file, row + 1, col, row + 1, col))
        if row + 1 == len(starts) or end < starts[row + 1]:
            base = starts[row] - 1
            return _new(Span, (file, row + 1, start - base, row + 1, end - base))
        erow = _bisect(starts, end, row + 1) - 1
        return _new(Span, (file, row + 1, start - starts[row] + 1, erow + 1, end - starts[erow] + 1))

    def point(self, file: str, index: int) -> Span:
        line, col = self.position(index)
        return Span.point(file, line, col)


@dataclass(slots=True)
class _Open:
    """A collection being composed."""

    node: yaml.SequenceNode | yaml.MappingNode
    anchor: str | None
    key: yaml.Node | None = None  # a mapping key waiting for its value
    height: int = 0
    size: int = 1


# Expanded sizes are capped so a billion-laughs measure stays a small integer.
_SIZE_CAP = 1 << 40


def _compose(loader: yaml.BaseLoader) -> tuple[yaml.Node | None, int, int]:
    """Compose one document from the event stream without recursion.

    Returns the root node (None for an empty stream), the number of nodes composed and the
    number the tree would have with every alias expanded (capped). Nesting deeper than
    :data:`MAX_DEPTH`, counted through aliases, stops at the first event beyond it."""
    ev = loader.get_event()  # StreamStart
    if loader.check_event(yaml.StreamEndEvent):
        loader.get_event()
        return None, 0, 0
    loader.get_event()  # DocumentStart
    anchors: dict[str, yaml.Node] = {}
    measure: dict[int, tuple[int, int]] = {}  # id(anchored node) -> (height, expanded size)
    opened: set[str] = set()
    stack: list[_Open] = []
    composed = 0
    root: yaml.Node | None = None
    size = 0
    # Bound once: this loop runs for every event of every file (type() identity instead of
    # isinstance chains; the parsers emit these exact classes).
    get_event, resolve = loader.get_event, loader.resolve  # type: ignore[attr-defined]
    Scalar, SeqStart, MapStart = yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent
    Ends = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
    ScalarNode, SequenceNode, MappingNode = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
    while root is None:
        ev = get_event()
        et = type(ev)
        node: yaml.Node
        height, size = 0, 1
        if et is Scalar and ev.anchor is None:
            # The common case first: a scalar without anchor.
            composed += 1
            tag = ev.tag
            if tag is None or tag == "!":
                tag = resolve(ScalarNode, ev.value, ev.implicit)
            node = ScalarNode(tag, ev.value, ev.start_mark, ev.end_mark, style=ev.style)
        elif et is yaml.AliasEvent:
            anchor = ev.anchor
            if anchor in opened:
                raise _Stop(codes.YAML_SYNTAX, f"the alias *{anchor} refers to a collection that contains it",
                            ev.start_mark.index, "an anchor cannot be used inside itself")
            if anchor not in anchors:
                raise _Stop(codes.YAML_SYNTAX, f"found undefined alias *{anchor}", ev.start_mark.index,
                            "define the anchor (&name) before using it")
            node = anchors[anchor]
            height, size = measure.get(id(node), (0, 1))
            if len(stack) + height > MAX_DEPTH:
                raise _Stop(codes.LIMIT, f"the alias *{anchor} nests values more than {MAX_DEPTH} "
                            "levels deep", ev.start_mark.index)
        elif et in Ends:
            done = stack.pop()
            node = done.node
            node.end_mark = ev.end_mark
            height, size, anchor = done.height, done.size, done.anchor
            if anchor is not None:
                opened.discard(anchor)
                anchors[anchor] = node
                measure[id(node)] = (height, size)
        else:
            composed += 1
            anchor = getattr(ev, "anchor", None)
            if anchor is not None and (anchor in anchors or anchor in opened):
                raise _Stop(codes.YAML_SYNTAX, f"the anchor &{anchor} is defined twice",
                            ev.start_mark.index, "give each anchor its own name")
            tag = getattr(ev, "tag", None)
            if et is Scalar:
                if tag is None or tag == "!":
                    tag = resolve(ScalarNode, ev.value, ev.implicit)
                node = ScalarNode(tag, ev.value, ev.start_mark, ev.end_mark, style=ev.style)
                if anchor is not None:
                    anchors[anchor] = node
            elif et is SeqStart or et is MapStart:
                if len(stack) >= MAX_DEPTH:
                    raise _Stop(codes.LIMIT, f"values are nested more than {MAX_DEPTH} levels deep",
                                ev.start_mark.index, "flatten the structure")
                kind: type[yaml.Node] = SequenceNode if et is SeqStart else MappingNode
                if tag is None or tag == "!":
                    tag = resolve(kind, None, ev.implicit)
                node = kind(tag, [], ev.start_mark, None, flow_style=ev.flow_style)
                if anchor is not None:
                    opened.add(anchor)
                stack.append(_Open(node, anchor))  # type: ignore[arg-type]
                continue
            else:  # pragma: no cover - the parser emits nothing else inside a document
                raise _Stop(codes.YAML_SYNTAX, f"unexpected {type(ev).__name__}", ev.start_mark.index)
        if not stack:
            root = node
            break
        top = stack[-1]
        if height >= top.height:
            top.height = height + 1
        top.size = min(top.size + size, _SIZE_CAP)
        if type(top.node) is SequenceNode:
            top.node.value.append(node)
        elif top.key is None:
            top.key = node
        else:
            top.node.value.append((top.key, node))
            top.key = None
    loader.get_event()  # DocumentEnd
    if not loader.check_event(yaml.StreamEndEvent):
        ev = loader.get_event()
        raise _Stop(codes.YAML_SYNTAX, "expected a single document in the file, but found another",
                    ev.start_mark.index, "remove the `---` separator and everything after it")
    return root, composed, size


# libyaml's own composer (C) recurses once per level and dies near 25,000; below this bound
# on the possible nesting it is safe by a wide margin.
_FAST_NESTING_BOUND = 2_000


def _compose_fast(text: str, lines: LineTable) -> yaml.Node | None:
    """The node graph composed by libyaml's C composer (about 3x faster than our event loop),
    when that is provably safe and gives the same graph; None otherwise (the caller then runs
    :func:`_compose`, which also produces every finding). Safe: no anchors or aliases (so no
    expansion to measure), and a nesting bound far below the C stack's limit: each block level
    starts at a greater column than its parent's (a mapping's value list may share its
    column, hence 2x), and each flow level needs its own bracket. The converter measures
    the exact depth as it goes (:class:`_TooDeep`)."""
    if "&" in text or "*" in text:
        return None
    starts = lines.starts
    longest = max(map(operator.sub, starts[1:], starts), default=0)
    longest = max(longest, len(text) - starts[-1])
    if 2 * longest + text.count("[") + text.count("{") + 2 > _FAST_NESTING_BOUND:
        return None
    loader = _Loader(text)
    try:
        root: yaml.Node | None = loader.get_single_node()
    except yaml.YAMLError:
        return None  # the event loop reports it, with its own message and place
    finally:
        loader.dispose()
    return root


_BOOL_VALUES = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}


def scalar_value(node: yaml.ScalarNode) -> str | int | float | bool | None:
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
    def __init__(self, file: str, lines: LineTable, merge_keys: bool = True,
                 limit: int = MAX_NODES, *, text: str = "") -> None:
        self.file = file
        self.lines = lines
        # libyaml has already counted lines and columns for every mark; they are ours too
        # unless the text has a character libyaml (YAML 1.1) breaks lines at and we do not,
        # or a BOM it skips without counting, or ends without a line break (libyaml puts
        # the end of the stream on a line after the last). Reading them costs a third of a
        # bisect, and the loader makes a span for every node. (Checked for libyaml only; the
        # pure-Python composer, a fallback for builds without it, keeps the table.)
        self.marks = (_Base is not yaml.SafeLoader and text.endswith(("\n", "\r"))
                      and _MARKS_DIFFER.search(text) is None)
        self.merge_keys = merge_keys
        self.limit = limit
        self.count = 0
        self.depth = 0  # collections being converted, the root's included
        self.diagnostics: list[Diagnostic] = []

    def span(self, node: yaml.Node) -> Span:
        if self.marks:
            sm, em = node.start_mark, node.end_mark
            return _new(Span, (self.file, sm.line + 1, sm.column + 1, em.line + 1, em.column + 1))
        return self.lines.span(self.file, node.start_mark.index, node.end_mark.index)

    def convert(self, node: yaml.Node) -> YNode:
        # The hot loop of loading (every node of every file): locals instead of attribute
        # lookups, named tuples built with tuple.__new__, scalars inlined.
        kind = type(node)
        if kind is _ScalarNode:
            return self.scalar(node)  # type: ignore[arg-type]
        self.count += 1
        if self.count > self.limit:
            raise _Budget()
        # A collection on level MAX_DEPTH + 1 may exist, but not hold anything.
        depth = self.depth = self.depth + 1
        if depth > MAX_DEPTH and node.value:
            raise _TooDeep()
        span = self.span
        if kind is _SequenceNode:
            convert = self.convert
            seq = _new(YSeq, (tuple([convert(n) for n in node.value]), span(node)))
            self.depth = depth - 1
            return seq
        assert isinstance(node, yaml.MappingNode)
        items: list[tuple[YScalar, YNode]] = []
        index: dict[str, YNode] = {}
        convert, scalar = self.convert, self.scalar
        for knode, vnode in (self._merged(node) if self.merge_keys else node.value):
            if type(knode) is not _ScalarNode:
                self.count += 1
                self.diagnostics.append(error(
                    codes.YAML_SYNTAX, "a mapping key must be a plain value, found a "
                    + ("list" if isinstance(knode, yaml.SequenceNode) else "mapping"),
                    self.span(knode)))
                continue
            # Keys stay text: in YAML 1.1 a plain `on:` or `no:` key would become a boolean,
            # which no one writing a flow means.
            text = knode.value
            key = _new(YScalar, (text, span(knode), knode.style or None,
                                 knode.start_mark.index, knode.end_mark.index))
            value = scalar(vnode) if type(vnode) is _ScalarNode else convert(vnode)
            if text in index:
                self.diagnostics.append(duplicate_key(items, key))
            else:
                index[text] = value
            items.append((key, value))
        self.depth = depth - 1
        return _new(YMap, (tuple(items), span(node), index))

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
                            self.span(src)))
            else:
                pairs.append((k, v))
        explicit = {k.value for k, _ in pairs if isinstance(k, yaml.ScalarNode)}
        return [(k, v) for k, v in merged
                if not (isinstance(k, yaml.ScalarNode) and k.value in explicit)] + pairs

    def scalar(self, node: yaml.ScalarNode) -> YScalar:
        self.count += 1
        if self.count > self.limit:
            raise _Budget()
        style = node.style
        value = node.value if style or node.tag == _STR else scalar_value(node)
        if type(value) is float and not math.isfinite(value):
            # JSON has no such number and a writer would have to invent one (Infinity, NaN).
            self.diagnostics.append(error(
                codes.YAML_SYNTAX, f"the number {node.value} is not finite (infinite or not a number); "
                "JSON cannot hold it", self.span(node),
                hint=f'quote it ("{node.value}") if it is text, or write a finite number'))
        return _new(YScalar, (value, self.span(node), style or None,
                              node.start_mark.index, node.end_mark.index))


def duplicate_key(items: list[tuple[YScalar, YNode]], key: YScalar) -> Diagnostic:
    """The finding for ``key``, already among the keys of ``items``."""
    first = next(k.span for k, _ in items if k.value == key.value)
    return error(codes.YAML_SYNTAX,
                 f'duplicate key "{key.value}" (first defined on line {first.line}); '
                 "YAML keeps only the last one", key.span, hint="remove or rename one of them")


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
    # Composing allocates hundreds of thousands of small objects that all stay alive: the
    # cyclic collector would walk the growing graph again and again (34,000 steps: 35 s -> 2 s).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_text(text, file, json_like=json_like)
    finally:
        if enabled:
            gc.enable()


def _indent(text: str, lines: LineTable, index: int) -> int:
    start = lines.starts[lines.position(index)[0] - 1]
    line = text[start:text.find("\n", start) if "\n" in text[start:] else len(text)]
    return len(line) - len(line.lstrip(" "))


def _deep_bracket(text: str, stop: int) -> int:
    """The offset of the flow bracket that opens level MAX_DEPTH + 1 before ``stop`` (quoted
    strings and comments skipped; block levels are not counted, so this is where the flow
    nesting alone is too deep), else ``stop``."""
    depth, i, quote = 0, 0, ""
    while i < stop:
        ch = text[i]
        if quote:
            if ch == "\\" and quote == '"':
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t\n"):
            nl = text.find("\n", i)
            i = stop if nl < 0 else nl
            continue
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return i
        elif ch in "]}":
            depth -= 1
        i += 1
    return stop


def _real_cause(exc: yaml.MarkedYAMLError, text: str,
                lines: LineTable) -> tuple[int, str, str] | None:
    """Where the mistake is when libyaml reports it far away: (offset, message, hint).

    An unclosed quote makes the string run on over the next lines (libyaml then fails
    where the string finally ends, or at the end of the file); an unclosed ``{`` or ``[``
    swallows the following lines until one cannot belong to it. Both are reported where
    the quote or bracket opens. None: libyaml's own mark is the place."""
    problem, context = exc.problem or "", exc.context or ""
    here = exc.problem_mark.index if exc.problem_mark else None
    if context == "while scanning a quoted scalar" and exc.context_mark is not None:
        q = text[exc.context_mark.index:exc.context_mark.index + 1]
        return (exc.context_mark.index, f"this quote ({q}) is not closed: the file ends inside the string",
                f"close the string with {q} on this line")
    if here is None:
        return None
    # The last quoted scalar before the failure, if it runs over several lines and ends
    # just before the failing place (on that line), is the unclosed quote.
    last: yaml.ScalarToken | None = None
    try:
        for tok in yaml.scan(text[:here], Loader=_Loader):
            if isinstance(tok, yaml.ScalarToken):
                last = tok
    except yaml.YAMLError:
        pass
    err_line = lines.position(here)[0]
    if last is not None and last.style in ('"', "'") and last.start_mark.index < here:
        start_line = lines.position(last.start_mark.index)[0]
        end_line = lines.position(last.end_mark.index)[0]
        if start_line < end_line == err_line:
            q = last.style
            return (last.start_mark.index,
                    f"this quote ({q}) is not closed on its line: the string runs on to line "
                    f"{err_line}, where YAML then fails ({problem})",
                    f"close the string with {q} on this line")
    if context in ("while parsing a flow mapping", "while parsing a flow sequence") \
            and exc.context_mark is not None:
        opened = exc.context_mark.index
        open_line = lines.position(opened)[0]
        # The failing line is indented no deeper than the bracket's line: it is the next
        # entry of the enclosing block, so the bracket was never closed (a missing comma
        # inside a multi-line flow collection fails on a more indented line).
        if err_line > open_line and _indent(text, lines, here) <= _indent(text, lines, opened):
            b = text[opened]
            closer = "}" if b == "{" else "]"
            return (opened, f"this {b} is never closed: YAML fails on line {err_line} ({problem})",
                    f"close it with {closer}")
    return None


def _load_text(text: str, file: str, *, json_like: bool = False) -> Document:
    if not json_like:
        return _load_yaml(text, file, json_like=False)
    # Valid JSON is read by the C json module and one token scan (json_nodes), several times
    # faster than composing it as YAML; the YAML path places every finding.
    from flowdsl.frontend.json_nodes import NotJson, read_json

    lines = LineTable(text)
    read = read_json(text, file, lines)
    if read is not None and not isinstance(read, NotJson):
        return Document(file, text, read[0], read[1], lines)
    doc = _load_yaml(text, file, json_like=True)
    if isinstance(read, NotJson) and doc.root is not None \
            and not any(d.severity is Severity.ERROR for d in doc.diagnostics):
        # YAML is lenient (trailing commas, comments, unquoted keys): a .json file that only
        # YAML reads would fail in every JSON tool, so it is one finding, where JSON stops.
        doc.diagnostics.append(error(
            codes.YAML_SYNTAX, f"not valid JSON: {read.reason}", lines.point(file, read.offset),
            hint="a .json file must be strict JSON: no trailing commas, comments, single quotes "
                 "or unquoted keys (or name it .yaml)"))
    return doc


def _load_yaml(text: str, file: str, *, json_like: bool) -> Document:
    diags: list[Diagnostic] = []
    # JSON allows tabs between tokens, YAML does not; a tab is one character either way,
    # so swapping it for a blank keeps every offset, line and column.
    text_for_yaml = text.replace("\t", " ") if json_like else text
    if json_like and "\\u" in text:
        # JSON spells characters outside the BMP as UTF-16 surrogate pairs, which YAML rejects;
        # rewrite them as YAML's \U escape (2 characters shorter: later columns on that line
        # shift, lines do not). The document keeps the rewritten text so offsets agree.
        text = text_for_yaml = _SURROGATES.sub(_join_surrogates, text_for_yaml)
    lines = LineTable(text)
    fast = _compose_fast(text_for_yaml, lines) if _Base is not yaml.SafeLoader else None
    if fast is not None:
        # No aliases: nothing to expand, so no budget; nesting is measured while converting.
        conv = _Converter(file, lines, merge_keys="<<" in text, limit=sys.maxsize, text=text)
        try:
            root = conv.convert(fast)
        except _TooDeep:
            pass  # the event loop below places the limit finding
        else:
            return Document(file, text, root, conv.diagnostics, lines)
    try:
        loader = _Loader(text_for_yaml)
        try:
            node, composed, expanded = _compose(loader)
        finally:
            loader.dispose()
    except _Stop as stop:
        diags.append(error(stop.code, stop.message, lines.point(file, stop.index), hint=stop.hint))
        return Document(file, text, None, diags)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = lines.position(mark.index) if mark else (1, 1)
        tab = _TAB_INDENT.search(text)
        if tab and "\t" in (exc.problem or "") + (exc.context or "") or (
                tab and lines.position(tab.start())[0] == line):
            tline = lines.position(tab.start())[0]
            diags.append(error(codes.YAML_SYNTAX, "tab character used for indentation; YAML allows only spaces",
                               Span.point(file, tline, len(tab.group(1)) + 1), hint="indent with spaces"))
            return Document(file, text, None, diags)
        problem = exc.problem or "invalid YAML"
        if "maximum nesting depth" in problem:
            # libyaml (0.2.5 as PyYAML 6.0.4 bundles it) stops its scanner at 1,000 flow
            # levels, before our composer sees the event that crosses MAX_DEPTH.
            at = _deep_bracket(text_for_yaml, mark.index if mark else 0)
            diags.append(error(codes.LIMIT, f"values are nested more than {MAX_DEPTH} levels deep",
                               lines.point(file, at), hint="flatten the structure"))
            return Document(file, text, None, diags)
        cause = _real_cause(exc, text_for_yaml, lines)
        if cause is not None:
            at, message, hint = cause
            diags.append(error(codes.YAML_SYNTAX, message, lines.point(file, at), hint=hint))
            return Document(file, text, None, diags)
        context = f" ({exc.context})" if exc.context else ""
        diags.append(error(codes.YAML_SYNTAX, f"{problem}{context}", Span.point(file, line, col)))
        return Document(file, text, None, diags)
    except yaml.reader.ReaderError as exc:
        # A character YAML does not allow (a control character, say): placed where it is.
        at = exc.position if isinstance(exc.position, int) else 0
        ch = text[at] if at < len(text) else ""
        message = (f"the character U+{ord(ch):04X} is not allowed in YAML" if ch
                   else str(exc).splitlines()[0])
        diags.append(error(codes.YAML_SYNTAX, message, lines.point(file, at),
                           hint="remove it, or write it as an escape (\\uXXXX) inside a double-quoted string"))
        return Document(file, text, None, diags)
    except yaml.YAMLError as exc:
        diags.append(error(codes.YAML_SYNTAX, str(exc).splitlines()[0], Span.point(file, 1, 1)))
        return Document(file, text, None, diags)
    if node is None:  # nothing but blanks and comments
        diags.append(error(codes.YAML_SYNTAX, "the file is empty: expected a mapping with `steps`",
                           Span.point(file, 1, 1)))
        return Document(file, text, None, diags)
    # Aliases may add at most MAX_NODES nodes beyond the ones the file spells out.
    conv = _Converter(file, lines, merge_keys="<<" in text, limit=composed + MAX_NODES,
                      text=text)
    try:
        if expanded > composed + MAX_NODES:
            raise _Budget()
        root = conv.convert(node)
    except _Budget:
        diags.append(error(codes.YAML_SYNTAX,
                           f"aliases expand to more than {MAX_NODES:,} extra nodes; refusing to expand "
                           "(a 'billion laughs' document?)", conv.span(node)))
        return Document(file, text, None, diags)
    except _TooDeep:  # (the event loop measures nesting through aliases: not expected here)
        diags.append(error(codes.LIMIT, f"values are nested more than {MAX_DEPTH} levels deep",
                           conv.span(node), hint="flatten the structure"))
        return Document(file, text, None, diags)
    diags.extend(conv.diagnostics)
    return Document(file, text, root, diags, lines)


def load_bytes(data: bytes, file: str) -> Document:
    if len(data) > MAX_FILE_BYTES:
        return Document(file, "", None, [error(
            codes.LIMIT, f"the file is over {MAX_FILE_BYTES:,} bytes (1 MiB), the limit for a flow "
            "file; split it into smaller flows", Span.point(file, 1, 1),
            hint="real flows are a few KB; a file this big is usually generated or not a flow")])
    text, problem = _decode(data, file)
    if text is None:
        assert problem is not None
        return Document(file, "", None, [problem])
    return load_text(text, file, json_like=file.endswith(".json"))


def load_file(path: str) -> Document:
    with open(path, "rb") as fh:
        return load_bytes(fh.read(), path)
