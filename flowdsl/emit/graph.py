"""IR -> a diagram of the workflow, in Mermaid or Graphviz dot.

Sequential steps chain; a parallel step fans out to its branches and joins after them; a
choice is a diamond whose two edges are labelled with the branch taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flowdsl import ir
from flowdsl.lang.conditions import expressible_as_text, to_text


@dataclass
class Graph:
    nodes: list[tuple[str, str, str]] = field(default_factory=list)  # id, label, shape
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # from, to, label
    n: int = 0

    def node(self, label: str, shape: str, key: str | None = None) -> str:
        self.n += 1
        nid = f"n{self.n}"
        self.nodes.append((nid, label, shape))
        return nid

    def chain(self, steps: tuple[ir.Step, ...], entry: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Add ``steps`` after the ``entry`` ends; return the open ends (node, edge label)."""
        ends = entry
        for s in steps:
            ends = self.step(s, ends)
        return ends

    def connect(self, ends: list[tuple[str, str]], to: str) -> None:
        for frm, label in ends:
            self.edges.append((frm, to, label))

    def step(self, s: ir.Step, ends: list[tuple[str, str]]) -> list[tuple[str, str]]:
        if isinstance(s, ir.ParallelStep):
            fork = self.node(f"{s.id} (parallel)", "fork")
            self.connect(ends, fork)
            outs: list[tuple[str, str]] = []
            for b in s.branches:
                outs += self.chain(b.steps, [(fork, b.name or "")])
            join = self.node(f"{s.id} done", "join")
            self.connect(outs, join)
            return [(join, "")]
        if isinstance(s, ir.ChoiceStep):
            cond = to_text(s.condition) if s.condition and expressible_as_text(s.condition) else "condition"
            d = self.node(f"{s.id}: {cond}", "choice")
            self.connect(ends, d)
            outs = self.chain(s.then.steps, [(d, "yes")])
            if s.otherwise is not None:
                outs += self.chain(s.otherwise.steps, [(d, "no")])
            else:
                outs.append((d, "no"))
            return outs
        if isinstance(s, ir.ModelStep):
            label = f"{s.id}\\n{s.model}" + (f" / {s.fallback.model}" if s.fallback else "")
        elif isinstance(s, ir.HttpStep):
            label = f"{s.id}\\n{s.method} {s.url.value}"
        else:
            label = f"{s.id}\\n{s.kind}"
        nid = self.node(label, s.kind)
        self.connect(ends, nid)
        return [(nid, "")]


def build(wf: ir.Workflow) -> Graph:
    g = Graph()
    start = g.node("start", "terminal")
    ends = g.chain(wf.steps, [(start, "")])
    end = g.node("end", "terminal")
    g.connect(ends, end)
    return g


def _esc(text: str) -> str:
    return text.replace('"', "'")


def mermaid(wf: ir.Workflow) -> str:
    g = build(wf)
    shapes = {"choice": ("{", "}"), "terminal": ("([", "])"), "fork": ("[[", "]]"), "join": ("[[", "]]")}
    lines = ["flowchart TD"]
    for nid, label, shape in g.nodes:
        o, c = shapes.get(shape, ("[", "]"))
        lines.append(f'  {nid}{o}"{_esc(label).replace(chr(92) + "n", "<br/>")}"{c}')
    for a, b, label in g.edges:
        lines.append(f"  {a} -->|{_esc(label)}| {b}" if label else f"  {a} --> {b}")
    return "\n".join(lines) + "\n"


def dot(wf: ir.Workflow) -> str:
    g = build(wf)
    shapes = {"choice": "diamond", "terminal": "oval", "fork": "box3d", "join": "box3d"}
    lines = ["digraph workflow {", "  rankdir=TB;", "  node [shape=box, fontname=Helvetica];"]
    for nid, label, shape in g.nodes:
        lines.append(f'  {nid} [label="{_esc(label)}", shape={shapes.get(shape, "box")}];')
    for a, b, label in g.edges:
        lines.append(f'  {a} -> {b} [label="{_esc(label)}"];' if label else f"  {a} -> {b};")
    lines.append("}")
    return "\n".join(lines) + "\n"
