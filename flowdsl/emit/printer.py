"""IR -> canonical ``.flow.yaml`` text. The base of ``import`` and ``fmt``.

Canonical means: fixed key order, two-space indent, block style for steps and flow style
for small leaf mappings, strings plain only when YAML would read them back as the same
string, python code as a ``|`` block. Parsing the output gives back the same IR (spans
aside), which the round-trip tests check.
"""

from __future__ import annotations

import json
import re
import math
import textwrap
from typing import TYPE_CHECKING, Any

from flowdsl import ir
from flowdsl.emit.quoting import fold_points, folded_lines, plain_ok
from flowdsl.emit.compiler import else_defaults, then_defaults
from flowdsl.lang.conditions import expressible_as_text, to_json, to_text
from flowdsl.frontend.nodes import num

if TYPE_CHECKING:
    from flowdsl.frontend.importers import ImportNotes


def _plain_ok(s: str, flow: bool) -> bool:
    # Plain only when YAML 1.1 and 1.2 both read it back as the same string (shared with fmt).
    return plain_ok(s, flow)


def scalar(v: Any, flow: bool = True) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return ".nan"
        if math.isinf(v):
            return ".inf" if v > 0 else "-.inf"
        text = repr(v)
        # YAML 1.1 needs a dot or exponent sign to read a float back as a float.
        return text if ("." in text or "e-" in text or "e+" in text) else text.replace("e", ".0e+")
    s = str(v)
    if _plain_ok(s, flow) and not _MUST_ESCAPE.search(s):
        return s
    # JSON escapes C0 controls; YAML also refuses DEL, C1 controls and U+FFFE/U+FFFF raw, and
    # folds U+0085/U+2028/U+2029 as line breaks: escape those too, so the string loads back.
    return _MUST_ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(s, ensure_ascii=False))


_MUST_ESCAPE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def _flow(v: Any) -> str:
    """A value in YAML flow style on one line."""
    if isinstance(v, dict):
        return "{" + ", ".join(f"{scalar(str(k))}: {_flow(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_flow(x) for x in v) + "]"
    return scalar(v)


def _block_ok(s: str) -> bool:
    """Whether a multi-line string survives a ``|`` block unchanged."""
    if "\n" not in s or "\r" in s or "\t" in s.replace("\n", ""):
        return False
    if any(ord(c) < 32 and c != "\n" for c in s):
        return False
    lines = s.split("\n")
    return bool(lines[0].strip()) and not lines[0].startswith(" ") and all(ln == ln.rstrip() for ln in lines)


class Printer:
    def __init__(self, schema_path: str | None = None, notes: "ImportNotes | None" = None) -> None:
        self.out: list[str] = []
        # Where flow.schema.json is, relative to the output file, for the editor modeline.
        self.schema_path = schema_path
        # What an import changed, written as comments next to what it changed.
        self.notes = notes

    def line(self, indent: int, text: str) -> None:
        self.out.append("  " * indent + text)

    def comment(self, indent: int, text: str) -> None:
        """``text`` as ``#`` lines at ``indent``, wrapped at the width (words never split)."""
        width = max(100 - 2 * indent - 2, 40)
        for ln in textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]:
            self.line(indent, f"# {ln}".rstrip())

    # generic values ---------------------------------------------------------------
    def value(self, indent: int, key: str, v: Any, first_prefix: str = "") -> None:
        """``key: value`` at ``indent``, choosing flow or block layout by size."""
        head = f"{first_prefix}{key}:"
        inner = indent + (2 if first_prefix else 1)  # nested content sits past the "- "
        if isinstance(v, str):
            # a long one-line prompt: a folded block, read back as the same single line
            points = fold_points(v, 2 * indent + len(first_prefix), key)
            if points is not None:
                self.line(indent, f"{head} {'>' if v.endswith(chr(10)) else '>-'}")
                for ln in folded_lines(v, points):
                    self.out.append("  " * inner + ln)
                return
        if isinstance(v, str) and _block_ok(v):
            chomp = "" if v.endswith("\n") and not v.endswith("\n\n") else ("-" if not v.endswith("\n") else "+")
            self.line(indent, f"{head} |{chomp}")
            body = v[:-1] if v.endswith("\n") else v
            for ln in body.split("\n"):
                self.out.append(("  " * inner + ln) if ln else "")
            return
        if isinstance(v, (dict, list)) and v:
            flow = _flow(v)
            if len(flow) + len(head) + 2 * indent <= 100 and not self._has_block_string(v):
                self.line(indent, f"{head} {flow}")
                return
            self.line(indent, head)
            self.block(inner, v)
            return
        self.line(indent, f"{head} {scalar(v, flow=False) if not isinstance(v, (dict, list)) else _flow(v)}")

    @staticmethod
    def _has_block_string(v: Any) -> bool:
        if isinstance(v, str):
            return "\n" in v
        if isinstance(v, dict):
            return any(Printer._has_block_string(x) for x in v.values())
        if isinstance(v, list):
            return any(Printer._has_block_string(x) for x in v)
        return False

    def block(self, indent: int, v: Any) -> None:
        if isinstance(v, dict):
            for k, x in v.items():
                self.value(indent, scalar(str(k)), x)
        else:
            for x in v:
                if isinstance(x, dict) and x:
                    keys = list(x.items())
                    k0, x0 = keys[0]
                    self.value(indent, scalar(str(k0)), x0, first_prefix="- ")
                    for k, xv in keys[1:]:
                        self.value(indent + 1, scalar(str(k)), xv)
                else:
                    flow = _flow(x)
                    self.line(indent, f"- {flow}")

    # workflow ---------------------------------------------------------------------
    def workflow(self, wf: ir.Workflow) -> str:
        self.out = [f"# yaml-language-server: $schema={self.schema_path}"] if self.schema_path else []
        if self.notes is not None and self.notes.head:
            for note in self.notes.head:
                self.comment(0, note)
            self.out.append("")
        if wf.name is not None:
            self.value(0, "name", wf.name)
        if wf.description is not None:
            self.value(0, "description", wf.description)
        if wf.categories:
            self.value(0, "categories", list(wf.categories))
        if wf.tags:
            self.value(0, "tags", list(wf.tags))
        if wf.visibility is not None:
            self.value(0, "visibility", wf.visibility)
        if wf.version != "v1":
            self.value(0, "version", wf.version)
        if wf.inputs:
            self.line(0, "inputs:")
            for i in wf.inputs:
                schema = i.schema.to_python()
                if i.required:
                    schema["required"] = True
                self.value(1, scalar(i.name), schema)
        if wf.input_schema_extra:
            self.value(0, "input_options", wf.input_schema_extra)
        if wf.timeout_s is not None or wf.retry is not None:
            self.line(0, "defaults:")
            if wf.timeout_s is not None:
                self.value(1, "timeout", duration(wf.timeout_s))
            if wf.retry is not None:
                self.value(1, "retry", retry(wf.retry))
        self.line(0, "steps:")
        self.steps(1, wf.steps)
        if wf.outputs:
            self.line(0, "outputs:")
            for o in wf.outputs:
                self.value(1, scalar(o.name), o.value.value)
        if wf.output_schema is not None:
            self.value(0, "output_schema", wf.output_schema)
        if wf.metadata is not None:
            self.value(0, "metadata", wf.metadata)
        return "\n".join(self.out) + "\n"

    def steps(self, indent: int, steps: tuple[ir.Step, ...]) -> None:
        if not steps:
            self.out[-1] += " []"
            return
        for s in steps:
            self.step(indent, s)

    def step(self, indent: int, s: ir.Step) -> None:
        c = s.common
        self.line(indent, f"- id: {scalar(c.id)}")
        ind = indent + 1
        if c.name is not None:
            name_note = self.notes.names.get(c.id) if self.notes is not None else None
            if name_note is not None:
                self.comment(ind, name_note)
            self.value(ind, "name", c.name)
        if isinstance(s, ir.ModelStep):
            self.value(ind, "model", s.model)
            if s.version is not None:
                self.value(ind, "version", s.version)
            params = s.params.to_python() if s.params is not None else {}
            noted = {k: self.notes.params[(c.id, k)] for k in params
                     if self.notes is not None and (c.id, k) in self.notes.params}
            if noted:  # block style, each note on the line before its param
                self.line(ind, "with:")
                for k, x in params.items():
                    if k in noted:
                        self.comment(ind + 1, noted[k])
                    self.value(ind + 1, scalar(str(k)), x)
            else:
                self.value(ind, "with", params)
            if s.fallback is not None:
                fb = s.fallback
                f: dict[str, Any] = {"model": fb.model}
                if fb.version is not None:
                    f["version"] = fb.version
                if fb.enabled is not None:
                    f["enabled"] = fb.enabled
                f["with"] = fb.params.to_python() if fb.params is not None else {}
                self.value(ind, "fallback", f)
        elif isinstance(s, ir.HttpStep):
            url = s.url.value if isinstance(s.url.value, str) else str(s.url.value)
            self.value(ind, "http", f"{s.method} {url}")
            if s.headers is not None:
                self.value(ind, "headers", s.headers.to_python())
            if s.query is not None:
                self.value(ind, "query", s.query.to_python())
            if s.body is not None:
                self.value(ind, "body", s.body.to_python())
            if s.auth is not None:
                self.value(ind, "auth", auth(s.auth))
            if s.follow_redirects is not None:
                self.value(ind, "follow_redirects", s.follow_redirects)
            if s.validate_ssl is not None:
                self.value(ind, "validate_ssl", s.validate_ssl)
        elif isinstance(s, ir.PythonStep):
            self.value(ind, "python", s.code.text)
            if s.inputs is not None:
                self.value(ind, "with", s.inputs.to_python())
        elif isinstance(s, ir.ParallelStep):
            self.line(ind, "parallel:")
            for b in s.branches:
                if b.name is not None:
                    self.line(ind + 1, f"- name: {scalar(b.name)}")
                    self.line(ind + 2, "steps:")
                    self.steps(ind + 3, b.steps)
                elif len(b.steps) == 1:
                    self.step(ind + 1, b.steps[0])  # a one-step branch is written as the step
                else:
                    self.line(ind + 1, "- steps:")
                    self.steps(ind + 3, b.steps)
        elif isinstance(s, ir.ChoiceStep):
            if s.condition is not None:
                if expressible_as_text(s.condition):
                    self.value(ind, "if", to_text(s.condition))
                else:
                    self.value(ind, "if", to_json(s.condition))
            self.branch(ind, "then", s.then, then_defaults(s))
            if s.otherwise is not None:
                self.branch(ind, "else", s.otherwise, else_defaults(s))
        elif isinstance(s, ir.PassStep):
            self.value(ind, "pass", s.result.to_python() if s.result is not None else None)
            if s.result_path is not None:
                self.value(ind, "result_path", s.result_path)
        if c.timeout_s is not None:
            self.value(ind, "timeout", duration(c.timeout_s))
        if c.retry is not None:
            self.value(ind, "retry", retry(c.retry))
        if c.continue_on_error is not None:
            self.value(ind, "continue_on_error", c.continue_on_error)

    def branch(self, indent: int, key: str, b: ir.Branch, defaults: tuple[str, str]) -> None:
        custom = (b.name is not None and b.name != defaults[0]) or (
            b.step_id is not None and b.step_id != defaults[1])
        if not custom:
            self.line(indent, f"{key}:")
            self.steps(indent + 1, b.steps)
            return
        self.line(indent, f"{key}:")
        if b.name is not None:
            self.value(indent + 1, "name", b.name)
        if b.step_id is not None:
            self.value(indent + 1, "id", b.step_id)
        self.line(indent + 1, "steps:")
        self.steps(indent + 2, b.steps)


def duration(seconds: float) -> str | int | float:
    """Seconds -> the shortest exact human duration (90 -> "90s", 600 -> "10m")."""
    if seconds == 0:
        return 0
    ms = seconds * 1000
    if not float(ms).is_integer():
        return num(seconds)
    ms_i = int(ms)
    if ms_i % 3_600_000 == 0:
        return f"{ms_i // 3_600_000}h"
    if ms_i % 60_000 == 0:
        return f"{ms_i // 60_000}m"
    if ms_i % 1000 == 0:
        return f"{ms_i // 1000}s"
    return f"{ms_i}ms"


def retry(r: ir.Retry) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if r.max_attempts is not None:
        out["attempts"] = r.max_attempts
    if r.backoff_multiplier is not None:
        out["backoff"] = num(r.backoff_multiplier)
    if r.initial_delay_s is not None:
        out["delay"] = duration(r.initial_delay_s)
    if r.retry_on is not None:
        out["on"] = list(r.retry_on)
    return out


def auth(a: ir.HttpAuth) -> dict[str, Any]:
    fields = a.fields.to_python()
    if a.type == "bearer" and set(fields) == {"token"}:
        return {"bearer": fields["token"]}
    if a.type == "basic" and set(fields) <= {"username", "password"}:
        return {"basic": fields}
    return {"type": a.type, **fields}


def print_flow(wf: ir.Workflow, schema_path: str | None = None, notes: "ImportNotes | None" = None) -> str:
    return Printer(schema_path, notes).workflow(wf)
