"""Comment-keeping canonical formatting of ``.flow.yaml`` text (``flowdsl fmt``).

How it works, without a hand-written YAML emitter:

1. The text is scanned (PyYAML tokens, so positions are exact) and every comment is found:
   whatever is outside the tokens is a comment; a block scalar's header comment is found
   after its indicator.
2. The text is composed (PyYAML, YAML 1.1, as the loader reads it) and every map key and
   list item gets a path. Each comment is attached to a node: a full-line comment to the
   next node, an end-of-line comment to the first node on its line; comment lines at the top
   separated from the content by a blank line (and the yaml-language-server modeline) stay
   the document's head; comments after the last node stay at the end.
3. The tree is rebuilt in canonical layout (key order per step kind, block style for steps,
   flow style for short leaf values unless a comment sits inside them, ``|`` blocks for
   multi-line strings, quoting by :func:`flowdsl.emit.quoting.plain_ok`) and written by
   ruamel.yaml's round-trip dumper.
4. The written text is composed again to find each path's line, and the comments are put
   back: head comments on the lines before their node (at its indent), end-of-line
   comments after it.

:func:`format_text` then checks the result: it must load without errors, compile to the
same JSON and keep every comment; otherwise it raises :class:`FormatRefused`.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any, Union

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString, LiteralScalarString

from flowdsl.emit.printer import _block_ok, _flow, scalar
from flowdsl.frontend.load import scalar_value
from flowdsl.emit.quoting import fold_points, plain_ok

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MODELINE = re.compile(r"^#\s*yaml-language-server:")
_BLOCK_HEADER = re.compile(r"[|>][0-9+-]*")
WIDTH = 100

Path = tuple[Union[str, int], ...]

# Canonical key order (the printer's); keys not listed keep their order after these.
ROOT_ORDER = ("name", "description", "categories", "tags", "visibility", "version", "inputs",
              "input_options", "defaults", "steps", "outputs", "output_schema", "metadata")
STEP_ORDER = ("id", "name", "model", "version", "http", "headers", "query", "body", "auth",
              "follow_redirects", "validate_ssl", "python", "with", "fallback", "parallel", "if",
              "then", "else", "pass", "result_path", "timeout", "retry", "continue_on_error")
BRANCH_ORDER = ("name", "id", "steps")
DEFAULTS_ORDER = ("timeout", "retry")
RETRY_ORDER = ("attempts", "backoff", "delay", "on")
FALLBACK_ORDER = ("model", "version", "enabled", "with")


class FormatRefused(Exception):
    """The file cannot be formatted safely; the message is a one-line reason."""


@dataclass(frozen=True)
class Comment:
    line: int  # 0-based
    col: int
    text: str  # from '#' to the end of the line, trailing blanks removed
    eol: bool  # after content on the same line


@dataclass
class Anchors:
    head: list[Comment] = field(default_factory=list)  # the document's head comments
    head_blank: bool = False  # a blank line separates the head from the content
    before: dict[Path, list[Comment]] = field(default_factory=dict)
    blank_before: set[Path] = field(default_factory=set)  # a blank line before the comments
    after: dict[Path, list[Comment]] = field(default_factory=dict)  # end of line
    tail: list[Comment] = field(default_factory=list)


# -- comments ---------------------------------------------------------------------------------
def find_comments(text: str) -> list[Comment]:
    """Every comment in ``text``, in order. Raises yaml.YAMLError on invalid YAML."""
    lines = text.split("\n")
    covered: list[list[tuple[int, int]]] = [[] for _ in lines]
    block_headers: list[tuple[int, int]] = []
    for tok in yaml.scan(text, Loader=_LOADER):
        s, e = tok.start_mark, tok.end_mark
        if (s.line, s.column) == (e.line, e.column):
            continue
        if isinstance(tok, yaml.ScalarToken) and tok.style in ("|", ">"):
            m = _BLOCK_HEADER.match(lines[s.line], s.column)
            end_col = m.end() if m else s.column + 1
            covered[s.line].append((s.column, end_col))
            block_headers.append((s.line, end_col))
            for row in range(s.line + 1, min(e.line, len(lines) - 1) + 1):
                covered[row].append((0, len(lines[row]) if row < e.line else e.column))
            continue
        if s.line == e.line:
            covered[s.line].append((s.column, max(e.column, s.column + 1)))
        else:
            covered[s.line].append((s.column, len(lines[s.line])))
            for row in range(s.line + 1, e.line):
                covered[row].append((0, len(lines[row])))
            if e.line < len(lines):
                covered[e.line].append((0, e.column))
    out: list[Comment] = []
    for i, ln in enumerate(lines):
        spans = covered[i]
        for j, ch in enumerate(ln):
            if ch != "#" or any(a <= j < b for a, b in spans):
                continue
            if j > 0 and ln[j - 1] not in " \t" and not any(b == j for _, b in spans):
                continue
            eol = bool(ln[:j].strip())
            out.append(Comment(i, j, ln[j:].rstrip(), eol))
            break
    return out


# -- paths ------------------------------------------------------------------------------------
def _entries(node: yaml.Node, path: Path, out: list[tuple[int, int, Path, bool]]) -> None:
    """(line, column, path, is a block mapping's key) of every key and item, in document order."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            p = path + (str(k.value),)
            out.append((k.start_mark.line, k.start_mark.column, p, not node.flow_style))
            _entries(v, p, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            p = path + (i,)
            out.append((v.start_mark.line, v.start_mark.column, p, False))
            _entries(v, p, out)


def entries(root: yaml.Node) -> list[tuple[int, int, Path, bool]]:
    out: list[tuple[int, int, Path, bool]] = []
    _entries(root, (), out)
    return out


def _first_keys(tree: Any, path: Path, out: dict[Path, str]) -> None:
    if isinstance(tree, dict):
        if path and isinstance(path[-1], int) and tree:
            out[path] = str(next(iter(tree)))
        for k, v in tree.items():
            _first_keys(v, path + (str(k),), out)
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            _first_keys(v, path + (i,), out)


def first_keys(root: yaml.MappingNode) -> dict[Path, str]:
    """For each list item that is a mapping, the key canonical layout writes first (after "- ")."""
    out: dict[Path, str] = {}
    _first_keys(_Builder(Anchors()).root(root), (), out)
    return out


def attach(text: str, comments: list[Comment], root: yaml.Node) -> Anchors:
    lines = text.split("\n")
    ents = entries(root)
    firsts = first_keys(root) if isinstance(root, yaml.MappingNode) else {}
    a = Anchors()
    if not ents:
        a.tail = list(comments)
        return a
    first_line = min(e[0] for e in ents)
    # the head: comment lines above the content up to the last blank line there, and the modeline
    blank_rows = [i for i in range(first_line) if not lines[i].strip()]
    head_end = max(blank_rows) if blank_rows else -1
    ordered = sorted(ents, key=lambda e: (e[0], e[1]))  # stable: a parent before its first key
    # an end-of-line comment belongs to the last block key on its line (``- pass: 1  # c`` is
    # about ``pass``), else to the first node there (``- {id: a}  # c``: the item)
    by_line: dict[int, Path] = {}
    block_key: dict[int, Path] = {}
    for row, _, path, is_key in ordered:
        by_line.setdefault(row, path)
        if is_key:
            block_key[row] = path
    for c in comments:
        if not c.eol and c.line < first_line and (c.line < head_end or (c.line == 0 and _MODELINE.match(c.text))):
            a.head.append(c)
            a.head_blank = a.head_blank or head_end >= 0
            continue
        if c.eol:
            p = block_key.get(c.line, by_line.get(c.line))
            if p is None:
                earlier = [e for e in ordered if e[0] < c.line]
                p = earlier[-1][2] if earlier else ordered[0][2]
            a.after.setdefault(p, []).append(c)
            continue
        nxt = next((e for e in ordered if e[0] > c.line), None)
        if nxt is None:
            a.tail.append(c)
            continue
        target = nxt[2]
        # a comment before the key that canonical layout writes first in a list item ("- id:")
        # can only stand before the item: it is the item's
        if len(target) > 1 and isinstance(target[-2], int) and firsts.get(target[:-1]) == target[-1]:
            target = target[:-1]
        group = a.before.setdefault(target, [])
        if not group and c.line > 0 and not lines[c.line - 1].strip() and c.line - 1 != head_end:
            a.blank_before.add(target)
        group.append(c)
    return a


# -- canonical tree ---------------------------------------------------------------------------
def _plain(node: yaml.Node) -> Any:
    """The node as plain Python values (for measuring flow style)."""
    if isinstance(node, yaml.MappingNode):
        return {str(k.value): _plain(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_plain(v) for v in node.value]
    return _value(node)


def _value(node: yaml.ScalarNode) -> Any:
    if node.style in ("'", '"', "|", ">"):
        return node.value
    # Resolved exactly as the loader resolves it (YAML 1.1 core types).
    return scalar_value(node)


class _Verbatim(str):
    """A non-string scalar already written canonically (``true``, ``12``, ``0.5``, ``null``)."""

    tag: str

    def __new__(cls, text: str, tag: str) -> "_Verbatim":
        self = super().__new__(cls, text)
        self.tag = tag
        return self


def _tag(v: Any) -> str:
    kind = ("null" if v is None else "bool" if isinstance(v, bool) else "int" if isinstance(v, int)
            else "float")
    return "tag:yaml.org,2002:" + kind


def _represent_verbatim(rep: Any, data: _Verbatim) -> Any:
    return rep.represent_scalar(data.tag, str(data))


class _Builder:
    def __init__(self, anchors: Anchors) -> None:
        # paths with a comment strictly inside them must be block style
        self.inner: set[Path] = set()
        for p in list(anchors.before) + list(anchors.after):
            for i in range(len(p)):
                self.inner.add(p[:i])

    def order(self, node: yaml.MappingNode, keys: tuple[str, ...]) -> list[tuple[yaml.Node, yaml.Node]]:
        rank = {k: i for i, k in enumerate(keys)}
        pairs = list(node.value)
        return sorted(pairs, key=lambda kv: rank.get(str(kv[0].value), len(keys)))

    def key(self, k: yaml.Node) -> Any:
        return self.scalar(k, flow=False) if isinstance(k, yaml.ScalarNode) else str(k.value)

    def scalar(self, node: yaml.ScalarNode, flow: bool, key: Path | None = None) -> Any:
        """``key``: the path of the mapping key the value belongs to, when it is one (then a
        long one-line string may be folded)."""
        v = _value(node)
        if isinstance(v, str):
            if not flow and key and isinstance(key[-1], str):
                points = fold_points(v, key_column(key), key[-1])
                if points is not None:
                    folded = FoldedScalarString(v)
                    folded.fold_pos = list(points)  # type: ignore[attr-defined]
                    return folded
            if not flow and _block_ok(v):
                return LiteralScalarString(v)
            return v if plain_ok(v, flow) else DoubleQuotedScalarString(v)
        return _Verbatim(scalar(v), _tag(v))

    def root(self, node: yaml.MappingNode) -> CommentedMap:
        out = CommentedMap()
        for k, v in self.order(node, ROOT_ORDER):
            name = str(k.value)
            p: Path = (name,)
            if name == "steps":
                out[self.key(k)] = self.steps(v, p)
            elif name in ("inputs", "defaults", "outputs") and isinstance(v, yaml.MappingNode):
                out[self.key(k)] = self.block_map(v, p, DEFAULTS_ORDER if name == "defaults" else ())
            else:
                out[self.key(k)] = self.leaf(v, p, len(name) + 1, name)
        return out

    def block_map(self, node: yaml.MappingNode, path: Path, keys: tuple[str, ...]) -> CommentedMap:
        out = CommentedMap()
        indent = 2 * len(path)
        for k, v in self.order(node, keys):
            name = str(k.value)
            out[self.key(k)] = self.leaf(v, path + (name,), indent + len(name) + 1, name)
        return out

    def steps(self, node: yaml.Node, path: Path) -> Any:
        if not isinstance(node, yaml.SequenceNode):
            return self.leaf(node, path, 0)
        out = CommentedSeq()
        for i, item in enumerate(node.value):
            out.append(self.step(item, path + (i,)))
        if not node.value:
            out.fa.set_flow_style()
        return out

    def branch(self, node: yaml.Node, path: Path) -> Any:
        if isinstance(node, yaml.SequenceNode):
            return self.steps(node, path)
        if not isinstance(node, yaml.MappingNode):
            return self.leaf(node, path, 0)
        out = CommentedMap()
        for k, v in self.order(node, BRANCH_ORDER):
            name = str(k.value)
            p = path + (name,)
            out[self.key(k)] = self.steps(v, p) if name == "steps" else self.leaf(v, p, 2 * len(path) + len(name) + 1, name)
        return out

    def step(self, node: yaml.Node, path: Path) -> Any:
        if not isinstance(node, yaml.MappingNode):
            return self.leaf(node, path, 0)
        out = CommentedMap()
        indent = 2 * len(path)
        for k, v in self.order(node, STEP_ORDER):
            name = str(k.value)
            p = path + (name,)
            if name in ("then", "else"):
                out[self.key(k)] = self.branch(v, p)
            elif name == "parallel" and isinstance(v, yaml.SequenceNode):
                seq = CommentedSeq()
                for i, item in enumerate(v.value):
                    is_branch = isinstance(item, yaml.MappingNode) and any(
                        str(kk.value) == "steps" for kk, _ in item.value)
                    seq.append(self.branch(item, p + (i,)) if is_branch else self.step(item, p + (i,)))
                out[self.key(k)] = seq
            else:
                out[self.key(k)] = self.leaf(v, p, indent + len(name) + 1, name)
        return out

    def leaf(self, node: yaml.Node, path: Path, used: int, name: str = "") -> Any:
        """A data value: flow style when short and uncommented, else block."""
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, flow=False, key=path if name else None)
        keys = RETRY_ORDER if name == "retry" else FALLBACK_ORDER if name == "fallback" else ()
        pairs = self.order(node, keys) if isinstance(node, yaml.MappingNode) else []
        plain = _plain(node)
        flow = not plain or (path not in self.inner and not _has_block_string(plain)
                             and used + len(_flow(plain)) <= WIDTH)
        if isinstance(node, yaml.MappingNode):
            m = CommentedMap()
            for k, v in pairs:
                kname = str(k.value)
                if flow:
                    m[self.key(k)] = self.flow_value(v)
                else:
                    m[self.key(k)] = self.leaf(v, path + (kname,), 2 * len(path) + len(kname) + 1, kname)
            if flow:
                m.fa.set_flow_style()
            else:
                m.fa.set_block_style()
            return m
        assert isinstance(node, yaml.SequenceNode)
        s = CommentedSeq()
        for i, v in enumerate(node.value):
            s.append(self.flow_value(v) if flow else self.leaf(v, path + (i,), 2 * len(path) + 2))
        if flow:
            s.fa.set_flow_style()
        else:
            s.fa.set_block_style()
        return s

    def flow_value(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, flow=True)
        if isinstance(node, yaml.MappingNode):
            m = CommentedMap()
            for k, v in node.value:
                m[self.scalar(k, flow=True) if isinstance(k, yaml.ScalarNode) else str(k.value)] = self.flow_value(v)
            m.fa.set_flow_style()
            return m
        s = CommentedSeq(self.flow_value(v) for v in node.value)
        s.fa.set_flow_style()
        return s


def key_column(path: Path) -> int:
    """The column the dumper writes the key at ``path`` at (maps indent 2, list items 4 with
    the dash at 2), so that a folded string's lines fit the width as the printer's do."""
    col = 0
    for j in range(1, len(path)):
        if isinstance(path[j], int):
            col += 4
        elif isinstance(path[j - 1], str):
            col += 2
    return col


def _has_block_string(v: Any) -> bool:
    if isinstance(v, str):
        return "\n" in v
    if isinstance(v, dict):
        return any(_has_block_string(x) for x in v.values())
    if isinstance(v, list):
        return any(_has_block_string(x) for x in v)
    return False


def _dumper() -> YAML:
    y = YAML()
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 1_000_000
    y.allow_unicode = True
    y.representer.add_representer(_Verbatim, _represent_verbatim)
    return y


# -- putting comments back ---------------------------------------------------------------------
def _reinsert(body: str, anchors: Anchors) -> str:
    lines = body.rstrip("\n").split("\n") if body.strip() else []
    root = yaml.compose(body, Loader=_LOADER) if lines else None
    line_of: dict[Path, int] = {}
    key_rows: set[int] = set()
    if root is not None:
        for row, _, path, is_key in entries(root):
            line_of.setdefault(path, row)
            if is_key:
                key_rows.add(row)
    before: dict[int, list[str]] = {}
    blank: set[int] = set()
    after: dict[int, list[str]] = {}
    for p, cs in anchors.before.items():
        ln = line_of[p]
        indent = len(lines[ln]) - len(lines[ln].lstrip(" "))
        before.setdefault(ln, []).extend(" " * indent + c.text for c in cs)
        if p in anchors.blank_before:
            blank.add(ln)
    for p, cs in anchors.after.items():
        ln = line_of[p]
        for c in cs:
            # an item's end-of-line comment where the item became a block mapping (``- id: b``)
            # would read as the key's: it goes on the line before the item instead
            item_now_block = isinstance(p[-1], int) and ln in key_rows
            if ln in after or item_now_block or _ends_in_comment_risk(lines[ln]):
                indent = len(lines[ln]) - len(lines[ln].lstrip(" "))
                before.setdefault(ln, []).append(" " * indent + c.text)
            else:
                after[ln] = [c.text]
    out: list[str] = [c.text for c in anchors.head]
    if anchors.head and anchors.head_blank and lines:
        out.append("")
    for i, text in enumerate(lines):
        if i in blank and out and out[-1] != "":
            out.append("")
        out.extend(before.get(i, []))
        out.append(text + ("  " + after[i][0] if i in after else ""))
    out.extend(c.text for c in anchors.tail)
    return "\n".join(out) + "\n"


def _ends_in_comment_risk(line: str) -> bool:
    """A line that cannot take an end-of-line comment (an open flow collection)."""
    s = line.rstrip()
    return s.endswith(("[", "{", ","))


# -- the entry points ---------------------------------------------------------------------------
def layout(text: str) -> str:
    """``text`` in canonical layout with its comments kept (no safety checks)."""
    comments = find_comments(text)
    root = yaml.compose(text, Loader=_LOADER)
    if root is None:
        return "\n".join(c.text for c in comments) + ("\n" if comments else "")
    if not isinstance(root, yaml.MappingNode):
        raise FormatRefused("the document is not a mapping")
    for tok in yaml.scan(text, Loader=_LOADER):
        if isinstance(tok, (yaml.AnchorToken, yaml.AliasToken, yaml.TagToken)):
            raise FormatRefused("it uses YAML anchors, aliases or tags, which fmt does not rewrite")
    anchors = attach(text, comments, root)
    tree = _Builder(anchors).root(root)
    buf = io.StringIO()
    _dumper().dump(tree, buf)
    return _reinsert(buf.getvalue(), anchors)


def _comment_texts(text: str) -> list[str]:
    return sorted(c.text for c in find_comments(text))


def attachment(text: str) -> dict[Any, list[str]]:
    """Each node's comments (before it and after it on its line), the head's and the tail's:
    formatting must keep this the same."""
    root = yaml.compose(text, Loader=_LOADER)
    comments = find_comments(text)
    if root is None:
        return {"tail": sorted(c.text for c in comments)}
    a = attach(text, comments, root)
    out: dict[Any, list[str]] = {"head": [c.text for c in a.head], "tail": [c.text for c in a.tail]}
    for p in set(a.before) | set(a.after):
        out[p] = sorted(c.text for c in a.before.get(p, []) + a.after.get(p, []))
    return out


def format_text(text: str, file: str = "<text>") -> str:
    """Canonical ``text``, checked: it loads, compiles to the same JSON and keeps every comment.

    Raises :class:`FormatRefused` with a one-line reason otherwise.
    """
    from flowdsl.emit.compiler import compile_definition
    from flowdsl.frontend.source import load_source

    before = load_source(text, file)
    if before.workflow is None or before.has_errors:
        raise FormatRefused("it has errors (run flowdsl check)")
    try:
        new = layout(text)
    except yaml.YAMLError as exc:  # pragma: no cover - the loader has already accepted it
        raise FormatRefused(f"cannot read it: {str(exc).splitlines()[0]}") from exc
    if new == text:
        return text
    after = load_source(new, file)
    if after.workflow is None or after.has_errors:
        raise FormatRefused("the formatted text would not load cleanly (a fmt bug; file left as is)")
    if compile_definition(after.workflow) != compile_definition(before.workflow):
        raise FormatRefused("the formatted text would compile differently (a fmt bug; file left as is)")
    if _comment_texts(new) != _comment_texts(text):
        raise FormatRefused("formatting would lose or change a comment (a fmt bug; file left as is)")
    if attachment(new) != attachment(text):
        raise FormatRefused("formatting would move a comment to another node (a fmt bug; file left as is)")
    return new
