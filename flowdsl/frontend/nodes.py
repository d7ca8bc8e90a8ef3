"""Typed access to loader nodes: every read either yields a value or records a ``schema``
finding at the node's position, so the parsers above never index raw dicts blindly."""

from __future__ import annotations

from flowdsl.cached import cached_property

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from flowdsl import codes
from flowdsl import ir
from flowdsl.diagnostics import Diagnostic, Severity
from flowdsl.frontend.load import Document, LineTable, YMap, YNode, YScalar, YSeq
from flowdsl.spans import Span
from flowdsl.suggest import did_you_mean
from flowdsl.lang.templates import scan

_DURATION = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*)+$")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h)")
_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
# Spans made for every template reference skip the named tuple's keyword-aware __new__.
_new = tuple.__new__


@lru_cache(maxsize=1024)
def _seconds(text: str) -> float | None:
    """A duration's seconds, None if it is not one (flows repeat a few: read each once)."""
    if not _DURATION.match(text):
        return None
    return sum(float(n) * _UNIT_SECONDS[u] for n, u in _DURATION_PART.findall(text))


def kind_name(node: YNode | None) -> str:
    if node is None:
        return "nothing"
    if isinstance(node, YMap):
        return "a mapping"
    if isinstance(node, YSeq):
        return "a list"
    v = node.value
    if v is None:
        return "null"
    if isinstance(v, bool):
        return f"the boolean {str(v).lower()}"
    if isinstance(v, (int, float)):
        return f"the number {v}"
    return f'the string "{v[:40]}"'


def num(value: float) -> int | float:
    """Whole numbers as int so that JSON output reads 30, not 30.0."""
    return int(value) if float(value).is_integer() else value


_INPUT_MENTION = re.compile(r"\binputs\.([A-Za-z0-9_][A-Za-z0-9_\-]*)")


@dataclass
class Broken:
    """What the steps that failed to parse (and so are not in the IR) would have declared
    and read: the checker must not report their absence as "no step X" or an input as
    never used, a cascade of the one finding that says why the step did not parse."""

    ids: set[str] = field(default_factory=set)
    inputs: set[str] = field(default_factory=set)

    def add(self, node: YNode) -> None:
        stack: list[YNode] = [node]
        while stack:
            n = stack.pop()
            if isinstance(n, YScalar):
                if isinstance(n.value, str):
                    self.inputs.update(_INPUT_MENTION.findall(n.value))
            elif isinstance(n, YSeq):
                stack.extend(n.items)
            else:
                for k, v in n.items:
                    if k.value in ("id", "step_id") and isinstance(v, YScalar) and v.value is not None:
                        self.ids.add(str(v.value))
                    stack.append(v)


class Reader:
    """Shared state of one parse: the document, the findings, and position helpers."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.file = doc.file
        self.text = doc.text
        self.diagnostics: list[Diagnostic] = []
        self.broken = Broken()
        self._verbatim: dict[int, int] = {}
        self._located: dict[tuple[int, str], tuple[int, int, int, int, int, int]] = {}

    # findings ---------------------------------------------------------------
    def report(self, rule: codes.Code, message: str, span: Span, *, step: str | None = None,
               hint: str | None = None, severity: Severity = Severity.ERROR) -> None:
        self.diagnostics.append(Diagnostic(rule, severity, message, span, step, hint))

    # positions --------------------------------------------------------------
    @cached_property
    def lines(self) -> LineTable:
        # The loader's own table when it made one (the same line breaks as every span).
        return self.doc.lines if self.doc.lines is not None else LineTable(self.text)

    def position(self, index: int) -> tuple[int, int]:
        return self.lines.position(index)

    def verbatim_shift(self, node: YScalar) -> int:
        """Where the value starts in the node's source text (0, or 1 past a quote) when the
        scalar is written exactly as its value (no escapes, folding or indentation), so
        offsets in the value map directly to the file; -1 otherwise. Checked once per scalar."""
        shift = self._verbatim.get(node.start)
        if shift is None:
            shift = -1
            value = node.value if isinstance(node.value, str) else str(node.value)
            if node.style in (None, "'", '"'):
                q = 0 if node.style is None else 1
                if (node.end - node.start - 2 * q == len(value)
                        and self.text.startswith(value, node.start + q)):
                    shift = q
            self._verbatim[node.start] = shift
        return shift

    def locate(self, node: YScalar, offset: int, length: int) -> Span:
        """The span of ``value[offset:offset+length]`` in the file.

        Found by looking for those characters in the node's raw source text (the k-th
        occurrence for the k-th in the value): column-exact for plain and quoted scalars
        and block literals whenever the characters are written without escapes; otherwise
        the whole scalar's span.
        """
        value = node.value if isinstance(node.value, str) else str(node.value)
        needle = value[offset:offset + length]
        if not needle or node.end <= node.start:
            return node.span
        shift = self.verbatim_shift(node)
        if shift >= 0:
            line, col = self.position(node.start + shift + offset)
            if "\n" not in needle and "\r" not in needle:  # ends on the line it starts on
                return _new(Span, (self.file, line, col, line, col + len(needle)))
            end_line, end_col = self.position(node.start + shift + offset + len(needle))
            return _new(Span, (self.file, line, col, end_line, end_col))
        # Both searches resume where the previous call for the same string and needle
        # stopped, so locating every template of a long string stays linear.
        key = (node.start, needle)
        vpos, nth, offset_seen, found, idx, pos = self._located.get(key, (0, 0, 0, 0, -1, 0))
        if offset < offset_seen:
            vpos, nth, found, idx, pos = 0, 0, 0, -1, 0
        while True:  # value.count(needle, 0, offset), greedily, from where it stopped
            at = value.find(needle, vpos, offset)
            if at < 0:
                break
            nth, vpos = nth + 1, at + len(needle)
        if found > nth + 1:
            found, idx, pos = 0, -1, 0
        while found < nth + 1:
            idx = self.text.find(needle, node.start + pos, node.end)
            if idx < 0:
                break
            idx -= node.start
            found, pos = found + 1, idx + 1
        self._located[key] = (vpos, nth, offset, found, idx, pos)
        if idx < 0:
            return node.span
        line, col = self.position(node.start + idx)
        end_line, end_col = self.position(node.start + idx + len(needle))
        return _new(Span, (self.file, line, col, end_line, end_col))

    @cached_property
    def source_lines(self) -> list[str]:
        # Split once per file: splitting for every python block made a flow of many
        # python steps quadratic in its size.
        return self.text.split("\n")

    def code_block(self, node: YScalar) -> ir.CodeBlock:
        text = node.value if isinstance(node.value, str) else str(node.value)
        lines = text.split("\n")
        starts: list[tuple[int, int]] = []
        if node.style == "|":
            first = node.span.line + 1
            indent = 0
            source = self.source_lines
            for i in range(first - 1, len(source)):  # no slice: it would copy the rest per block
                ln = source[i]
                if ln.strip():
                    indent = len(ln) - len(ln.lstrip(" "))
                    break
            starts = [(first + i, indent + 1) for i in range(len(lines))]
        else:
            offset = 0
            for ln in lines:
                span = self.locate(node, offset, len(ln)) if ln else node.span
                starts.append((span.line, span.column))
                offset += len(ln) + 1
        return ir.CodeBlock(text, node.span, tuple(starts))

    # typed reads ------------------------------------------------------------
    def mapping(self, node: YNode | None, what: str, step: str | None = None) -> YMap | None:
        if isinstance(node, YMap):
            return node
        if node is not None:
            self.report(codes.SCHEMA, f"{what} must be a mapping, found {kind_name(node)}",
                        node.span, step=step)
        return None

    def sequence(self, node: YNode | None, what: str, step: str | None = None) -> YSeq | None:
        if isinstance(node, YSeq):
            return node
        if node is not None:
            self.report(codes.SCHEMA, f"{what} must be a list, found {kind_name(node)}", node.span, step=step)
        return None

    def string(self, node: YNode | None, what: str, step: str | None = None,
               allow_numbers: bool = False) -> str | None:
        if isinstance(node, YScalar):
            if isinstance(node.value, str):
                return node.value
            if allow_numbers and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
                return str(node.value)
        if node is not None:
            self.report(codes.SCHEMA, f"{what} must be a string, found {kind_name(node)}", node.span, step=step)
        return None

    def boolean(self, node: YNode | None, what: str, step: str | None = None) -> bool | None:
        if isinstance(node, YScalar) and isinstance(node.value, bool):
            return node.value
        if node is not None:
            self.report(codes.SCHEMA, f"{what} must be true or false, found {kind_name(node)}",
                        node.span, step=step)
        return None

    def number(self, node: YNode | None, what: str, step: str | None = None,
               integer: bool = False, minimum: float | None = None) -> int | float | None:
        if isinstance(node, YScalar) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            if integer and not float(node.value).is_integer():
                self.report(codes.SCHEMA, f"{what} must be a whole number, found {node.value}",
                            node.span, step=step)
                return None
            if minimum is not None and node.value < minimum:
                self.report(codes.SCHEMA, f"{what} must be at least {num(minimum)}, found {node.value}",
                            node.span, step=step)
                return None
            return node.value
        if node is not None:
            self.report(codes.SCHEMA, f"{what} must be a number, found {kind_name(node)}", node.span, step=step)
        return None

    def duration(self, node: YNode | None, what: str, step: str | None = None) -> float | None:
        """``30s``, ``10m``, ``1h30m``, ``500ms`` or a number of seconds -> seconds."""
        if node is None:
            return None
        if isinstance(node, YScalar):
            v = node.value
            if isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0:
                return float(v)
            if isinstance(v, str):
                seconds = _seconds(v)
                if seconds is not None:
                    return seconds
        self.report(codes.SCHEMA, f"{what} must be a duration such as 30s, 10m or 1h (or a number of "
                    f"seconds), found {kind_name(node)}", node.span, step=step)
        return None

    def check_keys(self, node: YMap, allowed: Collection[str], what: str, step: str | None = None,
                   hint: str | None = None) -> None:
        for key, _ in node.items:
            name = key.value
            if not isinstance(name, str) or name not in allowed:
                self.report(codes.SCHEMA, f'unknown key "{name}" in {what}'
                            f"{did_you_mean(str(name), list(allowed))}", key.span, step=step, hint=hint)

    def offset(self, line: int, column: int) -> int:
        """The character offset of a 1-based line and column."""
        starts = self.lines.starts
        return starts[line - 1] + column - 1 if line <= len(starts) else len(self.text)

    def unquoted_template(self, node: YNode, step: str | None) -> ir.Scalar | None:
        """``key: {{inputs.x}}`` unquoted: YAML reads a flow mapping inside a flow mapping.
        One finding that says to quote it (the loader's own is dropped), and the template
        it was meant to be, so nothing downstream piles on."""
        # YAML reads `{{x}}` as a mapping whose only key is a mapping, which the loader
        # drops (with its finding): an empty one-line mapping.
        if not isinstance(node, YMap) or node.items or node.span.line != node.span.end_line:
            return None
        start = self.offset(node.span.line, node.span.column)
        end = self.offset(node.span.end_line, node.span.end_column)
        raw = self.text[start:end]
        if not re.fullmatch(r"\{\{[^{}\n]*\}\}", raw):
            return None
        self.doc.diagnostics[:] = [
            d for d in self.doc.diagnostics
            if not (d.rule == codes.YAML_SYNTAX and d.span.line == node.span.line
                    and node.span.column <= d.span.column < node.span.end_column)]
        self.report(codes.SCHEMA, f"YAML reads an unquoted {raw} as a mapping: quote the template",
                    node.span, step=step, hint=f'write "{raw}"')
        text_node = YScalar(raw, node.span, '"', start, end)
        return self.scalar(text_node, step)

    def sexagesimal(self, node: YScalar, step: str | None) -> str | None:
        """``16:9`` unquoted: YAML 1.1 reads base 60 (969). One finding; the string it meant."""
        v = node.value
        if node.style is not None or not isinstance(v, int) or isinstance(v, bool):
            return None
        raw = self.text[node.start:node.end].strip()
        if not _SEXAGESIMAL.fullmatch(raw):
            return None
        self.report(codes.SCHEMA, f"YAML reads {raw} as the number {v}: quote it", node.span,
                    step=step, hint=f'write "{raw}"')
        return raw

    # values -----------------------------------------------------------------
    def value(self, node: YNode, step: str | None) -> ir.Value:
        kind = type(node)
        if kind is YScalar:
            return self.scalar(node, step)  # type: ignore[arg-type]
        value = self.value
        if isinstance(node, YSeq):
            return ir.ListValue(tuple([value(n, step) for n in node.items]), node.span)
        assert isinstance(node, YMap)
        if not node.items:
            meant = self.unquoted_template(node, step)
            if meant is not None:
                return meant
        Key = ir.Key
        return ir.MapValue(tuple([(Key(str(k.value) if k.value is not None else "null", k.span),
                                   value(v, step)) for k, v in node.items]), node.span)

    def map_value(self, node: YNode | None, what: str, step: str | None) -> ir.MapValue | None:
        m = self.mapping(node, what, step)
        if m is None:
            return None
        value = self.value(m, step)
        assert isinstance(value, ir.MapValue)
        return value

    def scalar(self, node: YScalar, step: str | None) -> ir.Scalar:
        v = node.value
        if type(v) is str:
            if "{{" in v:
                return ir.Scalar(v, node.span, self.template(node, v, step))
            return ir.Scalar(v, node.span)
        meant = self.sexagesimal(node, step)
        if meant is not None:
            return ir.Scalar(meant, node.span)
        return ir.Scalar(v, node.span)

    def template(self, node: YScalar, text: str, step: str | None) -> ir.Template | None:
        parts, problem = scan(text)
        if problem is not None:
            self.report(codes.TEMPLATE_SYNTAX, problem.message,
                        self.locate(node, problem.offset, problem.length), step=step)
            return None
        out: list[str | ir.Ref] = []
        for p in parts:
            if isinstance(p, str):
                out.append(p)
            else:
                span = self.locate(node, p.start, p.end - p.start)
                out.append(ir.Ref(p.path[0], p.path[1:], span, "template"))
        return ir.Template(tuple(out), node.span)


def plain(node: YNode | None) -> Any:
    """A node as plain Python data (for pass-through fields such as ``metadata``)."""
    if node is None:
        return None
    if isinstance(node, YScalar):
        return node.value
    if isinstance(node, YSeq):
        return [plain(n) for n in node.items]
    return {str(k.value): plain(v) for k, v in node.items}
