"""A Markdown summary of a check, for the GitHub Actions job summary page.

Under GitHub Actions (``GITHUB_ACTIONS=true``), ``flowdsl check --format github`` appends
:func:`markdown` to the file named by ``$GITHUB_STEP_SUMMARY``: a headline, a table of files
with their error and warning counts, then the findings (file, line, rule, message). Both
tables are capped (``max_files``, ``max_findings``); the rest is counted, not listed, since a
job summary is limited to 1 MiB per step and a wall of rows helps nobody.

    ### flowdsl check
    **2 errors, 1 warning** in 1 of 3 files.

    | file | errors | warnings |
    | --- | ---: | ---: |
    | `flows/a.flow.yaml` | 2 | 1 |
    ...
"""

from __future__ import annotations

import os
from typing import Mapping, Sequence

from flowdsl.diagnostics import Diagnostic, Severity

MAX_FILES = 50
MAX_FINDINGS = 50
SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped, no stray HTML."""
    flat = " ".join(text.split())
    return (flat.replace("\\", "\\\\").replace("|", "\\|")
            .replace("<", "&lt;").replace(">", "&gt;"))


def _code(text: str) -> str:
    """An inline code span that survives backticks in the text."""
    flat = " ".join(text.split()).replace("|", "\\|")
    fence = "``" if "`" in flat else "`"
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def markdown(diagnostics: Sequence[Diagnostic], files: Sequence[str], *,
             title: str = "flowdsl check", max_files: int = MAX_FILES,
             max_findings: int = MAX_FINDINGS) -> str:
    """The summary of one check run over ``files`` (every file checked, in order)."""
    errors: dict[str, int] = {f: 0 for f in files}
    warnings: dict[str, int] = {f: 0 for f in files}
    for d in diagnostics:
        f = d.span.file
        errors.setdefault(f, 0)
        warnings.setdefault(f, 0)
        if d.severity is Severity.ERROR:
            errors[f] += 1
        elif d.severity is Severity.WARNING:
            warnings[f] += 1
    all_files = list(errors)
    n_err, n_warn = sum(errors.values()), sum(warnings.values())
    dirty = [f for f in all_files if errors[f] or warnings[f]]
    out = [f"### {title}", ""]
    if not all_files:
        out.append("No flow files found.")
        return "\n".join(out) + "\n"
    if not dirty:
        out.append(f"Checked {_plural(len(all_files), 'file')}: no problems.")
        return "\n".join(out) + "\n"
    counts = []
    if n_err:
        counts.append(_plural(n_err, "error"))
    if n_warn:
        counts.append(_plural(n_warn, "warning"))
    out.append(f"**{', '.join(counts)}** in {len(dirty)} of {_plural(len(all_files), 'file')}.")
    out += ["", "| file | errors | warnings |", "| --- | ---: | ---: |"]
    # Files with findings first (most errors first), then clean ones, stable otherwise.
    ordered = sorted(all_files, key=lambda f: (-errors[f], -warnings[f]))
    for f in ordered[:max_files]:
        out.append(f"| {_code(f)} | {errors[f]} | {warnings[f]} |")
    if len(ordered) > max_files:
        out += ["", f"…and {_plural(len(ordered) - max_files, 'more file')} not shown."]
    shown = sorted((d for d in diagnostics if d.severity is not Severity.NOTE),
                   key=lambda d: (-d.severity.rank, d.sort_key()))
    out += ["", "| file | line | severity | rule | message |", "| --- | ---: | --- | --- | --- |"]
    for d in shown[:max_findings]:
        out.append(f"| {_code(d.span.file)} | {d.span.line} | {d.severity.value} | "
                   f"{_code(d.rule)} | {_cell(d.message)} |")
    if len(shown) > max_findings:
        out += ["", f"…and {_plural(len(shown) - max_findings, 'more finding')} not shown; "
                    "run `flowdsl check` locally for all of them."]
    return "\n".join(out) + "\n"


def step_summary_path(env: Mapping[str, str] | None = None) -> str | None:
    """Where to append a summary: ``$GITHUB_STEP_SUMMARY`` under GitHub Actions, else None."""
    env = os.environ if env is None else env
    if env.get("GITHUB_ACTIONS") != "true":
        return None
    return env.get(SUMMARY_ENV) or None


def append_step_summary(text: str, env: Mapping[str, str] | None = None) -> str | None:
    """Append ``text`` to the job summary when running under GitHub Actions.

    Returns None when done or not applicable, else a one-line reason it could not be written
    (the caller reports it; a summary never changes a check's outcome).
    """
    path = step_summary_path(env)
    if path is None:
        return None
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
            fh.write("\n")
    except OSError as exc:
        return f"cannot write the job summary to {path}: {exc.strerror or exc}"
    return None
