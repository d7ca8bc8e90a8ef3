"""The hostile-input campaign (issue #11), shared by the test run and ``bench/fuzz.py``.

Three families of input: flows built from structure generators, byte mutations of the
examples (and corpora), and deep or long generators. For each input the whole pipeline runs
(load, analyze, compile, print, print -> analyze); :func:`exercise` lets nothing but an
AssertionError escape, so any other exception is a crash worth a regression case.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import strategies as st

from flowdsl.check.run import Project, analyze
from flowdsl.emit.compiler import compile_definition, dumps
from flowdsl.emit.printer import print_flow
from flowdsl.frontend.load import load_bytes

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "examples").glob("*.flow.yaml")) + sorted(
    (ROOT / "tests" / "data" / "docs-examples").glob("*.json"))[:20]
PROJECT = Project.bundled()

_ODD = ["\x00", "\x01", "\x7f", "\x85", "\u2028", "\u2029", "\ufeff", "\uffff", "\r", "\r\n", "\t",
        "{{", "}}", "$.", "&a", "*a", "<<", "!!", "---", "...", "- ", ": ", "[", "]", "{", "}",
        "'", '"', "#", "|", ">", "%", "@", "`", ".inf", ".nan", "1e999", "0x", "not ", " or ",
        "(", ")", "é", "😀", "\\u", "\\ud83d"]


def exercise(data: bytes, name: str = "fuzz.flow.yaml") -> None:
    """Run every stage on ``data``; only findings may come out."""
    load_bytes(data, name)
    a = analyze(data, PROJECT, file=name)
    if a.workflow is None or a.errors:
        return
    json.loads(dumps(compile_definition(a.workflow)))  # strict JSON: no NaN/Infinity
    printed = print_flow(a.workflow)
    again = analyze(printed, PROJECT, file="printed.flow.yaml")
    assert again.workflow is not None, (printed, again.diagnostics)


def seeds() -> list[bytes]:
    return [p.read_bytes() for p in SEEDS]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A seed file with a few byte-level edits: flips, deletions, insertions, splices."""
    pool = seeds()
    data = bytearray(draw(st.sampled_from(pool)))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        op = draw(st.integers(0, 4))
        if op == 0:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == 1:
            del data[at:at + draw(st.integers(1, 40))]
        elif op == 2:
            data[at:at] = draw(st.sampled_from(_ODD)).encode("utf-8")
        elif op == 3:
            other = draw(st.sampled_from(pool))
            start = draw(st.integers(0, max(len(other) - 1, 0)))
            data[at:at] = other[start:start + draw(st.integers(1, 200))]
        else:
            data[at:at] = bytes(draw(st.lists(st.integers(0, 255), max_size=8)))
    return bytes(data)


_name = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)
_text = st.lists(st.sampled_from(list("ab {}$.-_:#'\"") + _ODD), max_size=12).map("".join)
_scalar = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                    st.floats(allow_nan=True, allow_infinity=True), _text)
_value = st.recursive(_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_name, inner, max_size=4)), max_leaves=20)
_cond = st.lists(st.tuples(st.sampled_from(["$.inputs.x", "$.a.primary", "$.", "{{a}}"]),
                           st.sampled_from(["==", "!=", ">", "in", "exists", "matches", "="]),
                           st.sampled_from(["1", '"v"', "[1, 2]", "", "(", "null"])),
                 min_size=1, max_size=5).map(
    lambda parts: " or ".join(" ".join(p) for p in parts))


@st.composite
def _step(draw: st.DrawFn, depth: int) -> dict[str, object]:
    kind = draw(st.sampled_from(["model", "pass", "python", "choice", "parallel"] if depth < 3
                                else ["model", "pass", "python"]))
    step: dict[str, object] = {"id": draw(_name)}
    if kind == "model":
        step["model"] = draw(st.sampled_from(["flux-2-pro", "flux-2-max", "nosuch", ""]))
        step["with"] = {"prompt": draw(_text), **draw(st.dictionaries(_name, _value, max_size=2))}
    elif kind == "pass":
        step["pass"] = draw(_value)
    elif kind == "python":
        step["python"] = draw(st.sampled_from(["result = 1", "x = {{a.primary}}", ""]))
    elif kind == "choice":
        step["if"] = draw(_cond)
        step["then"] = draw(st.lists(_step(depth + 1), max_size=2))
    else:
        step["parallel"] = [{"name": draw(_name), "steps": draw(st.lists(_step(depth + 1), max_size=2))}
                            for _ in range(draw(st.integers(0, 2)))]
    return step


@st.composite
def structured(draw: st.DrawFn) -> bytes:
    """A flow-shaped document, written as YAML-flavoured JSON or as YAML."""
    flow = {"name": draw(_text), "inputs": draw(st.dictionaries(_name, st.fixed_dictionaries(
        {"type": st.sampled_from(["string", "integer", "number", "boolean", "nope"])}), max_size=3)),
            "steps": draw(st.lists(_step(0), max_size=4))}
    text = json.dumps(flow, ensure_ascii=draw(st.booleans()))
    return text.encode("utf-8", "surrogatepass")


@st.composite
def deep_or_long(draw: st.DrawFn) -> bytes:
    """Nesting past every limit, and long flat runs."""
    n = draw(st.sampled_from([50, 127, 129, 300, 2_000, 30_000]))
    which = draw(st.integers(0, 6))
    if which == 0:
        return ("name: t\nsteps: " + "[" * n + "]" * n).encode()
    if which == 1:
        return ("name: t\nsteps:\n  - id: a\n    pass: " + "{a: " * n + "1" + "}" * n + "\n").encode()
    if which == 2:
        return ('{"name": "t", "steps": [{"id": "a", "pass": ' + "[" * n + "]" * n + "}]}").encode()
    if which == 3:
        cond = draw(st.sampled_from(["(" * n + "$.inputs.x == 1" + ")" * n, "not " * n + "$.inputs.x exists",
                                     " or ".join(["$.inputs.x == 1"] * min(n, 3_000))]))
        return ("name: t\ninputs:\n  x: {type: integer}\nsteps:\n  - id: c\n    if: '" + cond
                + "'\n    then:\n      - id: p\n        pass: 1\n").encode()
    if which == 4:
        return ("name: t\ninputs:\n  x: {type: string}\nsteps:\n  - id: a\n    pass: \""
                + "{{inputs.x}}" * min(n, 5_000) + "\"\n").encode()
    if which == 5:
        step = "  - id: p\n    parallel:\n      - name: b\n        steps:\n"
        body, indent = "", ""
        for _ in range(min(n, 200)):
            body += "".join(indent + ln + "\n" for ln in step.rstrip("\n").split("\n"))
            indent += "      " + "  "
        return ("name: t\nsteps:\n" + body).encode()
    return ("a: &x [" + ", ".join(["*x"] * 3) + "]\n").encode()


def campaign() -> st.SearchStrategy[bytes]:
    return st.one_of(mutated(), structured(), deep_or_long())
