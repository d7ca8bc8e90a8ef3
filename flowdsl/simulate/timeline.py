"""The text report of a run: steps as bars on a virtual time axis, parallel branches one
under another over the same stretch of time, the critical path marked with ``*``."""

from __future__ import annotations

import json
from typing import Any

from flowdsl import ir
from flowdsl.simulate.engine import Result

WIDTH = 48
CRIT, OTHER, FAILED, CANCELLED, INSTANT = "█", "▒", "x", "-", "│"
# For a terminal whose encoding cannot show the above (latin-1, ascii, cp1252...).
ASCII = str.maketrans({"█": "#", "▒": "=", "│": "|", "╟": "+", "→": "->", "…": "...", "—": "-"})


def needs_ascii(encoding: str | None) -> bool:
    """True when text in ``encoding`` cannot carry the timeline's bars and arrows."""
    try:
        "█▒│╟→…—".encode(encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return True
    return False


def to_ascii(text: str) -> str:
    """The timeline's own symbols in ASCII; anything else that is not ASCII as ``?``."""
    return text.translate(ASCII).encode("ascii", "replace").decode("ascii")


def fmt_s(x: float | None) -> str:
    if x is None:
        return "-"
    if x < 60:
        return f"{x:.1f}s".replace(".0s", "s")
    m, s = divmod(round(x), 60)
    if m < 60:
        return f"{m}m{s:02d}s"
    h, m = divmod(m, 60)
    return f"{h}h{m:02d}m"


def fmt_usd(x: float) -> str:
    return f"${x:.2f}" if x >= 0.1 or x == 0 else f"${x:.3f}"


def _short(value: Any, limit: int = 100) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= limit else text[:limit - 1] + "…"


class _Layout:
    def __init__(self, result: Result, width: int) -> None:
        self.r = result
        self.width = width
        self.total = max(result.duration_s, 1e-9)
        self.rows: list[tuple[str, str, str, str, str]] = []  # mark, label, what, bar, tail

    def col(self, t: float) -> int:
        return min(self.width - 1, max(0, int(t / self.total * self.width)))

    def col_end(self, t: float) -> int:
        return min(self.width, max(0, round(t / self.total * self.width)))

    def bar(self, sid: str) -> str:
        rec = self.r.records[sid]
        cells = [" "] * self.width
        if rec.started is None or rec.ended is None:
            return "".join(cells)
        fill = CRIT if rec.critical else OTHER
        spans: list[tuple[float, float, str]] = []
        if rec.attempts:
            for a in rec.attempts:
                ch = {"completed": fill, "failed": FAILED, "cancelled": CANCELLED}.get(a["status"], fill)
                spans.append((a["started_s"], a["ended_s"], ch))
        else:
            ch = fill if rec.status == "completed" else (FAILED if rec.status == "failed" else CANCELLED)
            spans.append((rec.started, rec.ended, ch))
        for start, end, ch in spans:
            first, last = self.col(start), self.col_end(end)
            if end > start and last == first:
                last = first + 1
            if end <= start:
                cells[first] = INSTANT if cells[first] == " " else cells[first]
                continue
            for i in range(first, min(last, self.width)):
                cells[i] = ch
        return "".join(cells)

    def add(self, sid: str, depth: int, what: str) -> None:
        rec = self.r.records[sid]
        mark = "*" if rec.critical else " "
        label = "  " * depth + sid
        if rec.started is None:
            self.rows.append((mark, label, what, " " * self.width, f"({rec.status.replace('_', ' ')})"))
            return
        tail = f"{fmt_s(rec.started)} → {fmt_s(rec.ended)}"
        if rec.status != "completed":
            err = rec.error or {}
            tail += f"  {rec.status.upper()}: {err.get('error', '')}"
        if len(rec.attempts) > 1:
            tail += f"  {len(rec.attempts)} attempts"
        if rec.selected:
            tail += f"  → {rec.selected}"
        if rec.cost:
            tail += f"  {fmt_usd(rec.cost)}"
        self.rows.append((mark, label, what, self.bar(sid), tail))

    def header(self, depth: int, text: str) -> None:
        self.rows.append((" ", "  " * depth + text, "", "", ""))

    def steps(self, steps: tuple[ir.Step, ...], depth: int) -> None:
        for s in steps:
            what = s.model if isinstance(s, ir.ModelStep) else s.kind
            self.add(s.id, depth, what)
            if isinstance(s, ir.ModelStep) and s.id + "_fallback" in self.r.records \
                    and self.r.records[s.id + "_fallback"].fallback_used:
                assert s.fallback is not None
                self.add(s.id + "_fallback", depth + 1, s.fallback.model)
            if isinstance(s, ir.ParallelStep):
                for i, b in enumerate(s.branches):
                    self.header(depth + 1, f"╟ {b.name or f'branch {i + 1}'}")
                    self.steps(b.steps, depth + 2)
            elif isinstance(s, ir.ChoiceStep):
                self.header(depth + 1, "╟ then" + (" (taken)" if self.r.records[s.id].selected == "condition_met" else ""))
                self.steps(s.then.steps, depth + 2)
                if s.otherwise is not None:
                    self.header(depth + 1, "╟ else" + (" (taken)" if self.r.records[s.id].selected == "default" else ""))
                    self.steps(s.otherwise.steps, depth + 2)


def render(result: Result, show_params: bool = False, width: int = WIDTH, ascii: bool = False) -> str:
    text = _render(result, show_params, width)
    return to_ascii(text) if ascii else text


def _render(result: Result, show_params: bool, width: int) -> str:
    wf = result.sim.wf
    lay = _Layout(result, width)
    lay.steps(wf.steps, 0)
    label_w = min(32, max([len(r[1]) for r in lay.rows] + [4]))
    what_w = min(26, max([len(r[2]) for r in lay.rows] + [4]))
    out: list[str] = []
    title = wf.name or wf.file
    mode = ("nominal run: typical durations, no random failures" if result.seed is None
            else f"seeded run (seed {result.seed}): durations and failures drawn")
    out.append(f"{title} — {mode}")
    limit = result.sim.deadline
    pct = result.duration_s / limit * 100 if limit else 0
    est = any(r.estimated and "cost" in r.estimated and r.cost for r in result.records.values())
    out.append(f"status {result.status}   duration {fmt_s(result.duration_s)} of {fmt_s(limit)} "
               f"({pct:.0f}%)   cost {fmt_usd(result.cost_usd)}{' (estimated)' if est else ''}")
    if result.timed_out:
        out.append(f"the workflow hit its {fmt_s(limit)} time limit: what was still running was cancelled")
    out.append("")
    ticks = [" "] * width
    axis_labels = []
    for frac in (0.0, 0.25, 0.5, 0.75):
        ticks[int(frac * (width - 1))] = "|"
        axis_labels.append((int(frac * (width - 1)), fmt_s(result.duration_s * frac)))
    ticks[width - 1] = "|"
    axis = [" "] * (width + 8)
    for pos, text in axis_labels + [(width - 1, fmt_s(result.duration_s))]:
        for i, ch in enumerate(text):
            if pos + i < len(axis):
                axis[pos + i] = ch
    pad = " " * (2 + label_w + 1 + what_w + 1)
    out.append(pad + "".join(axis).rstrip())
    out.append(pad + "".join(ticks))
    params_by_label: dict[str, str] = {}
    for mark, label, what, bar, tail in lay.rows:
        if not what and not bar:
            out.append(f"  {label}")
            continue
        out.append(f"{mark} {label[:label_w]:<{label_w}} {what[:what_w]:<{what_w}} {bar}  {tail}".rstrip())
        sid = label.strip()
        rec = result.records.get(sid)
        if show_params and rec is not None and rec.params is not None:
            params_by_label[sid] = _short(rec.params, 200)
            out.append(f"  {' ' * (len(label) - len(sid))}  params: {params_by_label[sid]}")
    out.append("")
    out.append("* critical path: " + " → ".join(result.critical_path()))
    if result.fallbacks:
        out.append("fallbacks used: " + ", ".join(result.fallbacks))
    if result.failure is not None:
        err = result.failure.error
        where = f" at step {result.failure.step}" if result.failure.step else ""
        out.append(f"failed{where}: {err.get('error')}: {err.get('cause')}")
    else:
        out.append("output: " + _short(result.output(), 300))
    return "\n".join(out) + "\n"


def render_step(result: Result, sid: str, ascii: bool = False) -> str:
    """One step in full, like a TestState call: resolved params, every attempt, the outcome."""
    text = _render_step(result, sid)
    return to_ascii(text) if ascii else text


def _render_step(result: Result, sid: str) -> str:
    rec = result.records[sid]
    out: list[str] = []
    what = f"{rec.kind} {rec.model}" if rec.model else rec.kind
    out.append(f"step {sid} ({what}): {rec.status.replace('_', ' ')}")
    if rec.started is not None:
        out.append(f"  time: {fmt_s(rec.started)} → {fmt_s(rec.ended)} ({fmt_s((rec.ended or 0) - rec.started)})"
                   f"{'  [critical path]' if rec.critical else ''}")
    if rec.cost or rec.kind == "model":
        est = " (estimated)" if "cost" in rec.estimated else ""
        out.append(f"  cost: {fmt_usd(rec.cost)}{est}")
    if rec.params is not None:
        out.append("  params (resolved):")
        out.extend("    " + ln for ln in json.dumps(rec.params, indent=2, ensure_ascii=False).splitlines())
    if rec.condition is not None:
        out.append("  condition:")
        for c in rec.condition:
            val = "" if "value" not in c else " " + json.dumps(c["value"], ensure_ascii=False)
            actual = "missing" if c.get("missing") else json.dumps(c["actual"], ensure_ascii=False)
            note = f"  ({c['note']})" if c.get("note") else ""
            out.append(f"    {c['expression']} {c['operator']}{val}: actual {actual} → {str(c['result']).lower()}{note}")
        out.append(f"  selected: {rec.selected}")
    for a in rec.attempts:
        delay = f" after a {fmt_s(a['delay_s'])} backoff" if a.get("delay_s") else ""
        line = (f"  attempt {a['attempt']}{delay}: {fmt_s(a['started_s'])} → {fmt_s(a['ended_s'])} "
                f"{a['status']} ({a['source']})")
        if a.get("error"):
            line += f": {a['error']['error']}: {a['error']['cause']}"
        out.append(line)
    if rec.fallback_used:
        out.append(f"  fallback used; primary error: {json.dumps(rec.primary_error, ensure_ascii=False)}")
    if rec.error:
        out.append(f"  error: {rec.error.get('error')}: {rec.error.get('cause')}")
    out.append("  output: " + json.dumps(rec.output, ensure_ascii=False))
    out.append("  primary: " + json.dumps(rec.primary, ensure_ascii=False))
    for n in rec.notes:
        out.append(f"  note: {n}")
    return "\n".join(out) + "\n"
