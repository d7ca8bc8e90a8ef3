"""Run rule fixture files and compare findings with the expectations written in them.

See README.md in this directory for the ``# expect: rule@column`` format.
"""

from __future__ import annotations

import re
from pathlib import Path

from flowdsl.catalog.layered import LayeredCatalog
from flowdsl.check.policy import apply_policy
from flowdsl.check.run import check_workflow
from flowdsl.check.config import Config
from flowdsl.diagnostics import Diagnostic
from flowdsl.frontend.source import load_source

CASES = Path(__file__).parent / "cases"
_EXPECT = re.compile(r"#\s*expect:\s*(.+?)\s*$")
_ITEM = re.compile(r"([a-z][a-z\-]*)@(\d+)")

Finding = tuple[str, int, int]  # (rule, line, column)


def catalog(complete: bool = False, lock: Path | None = None) -> LayeredCatalog:
    """The bundled snapshot only: tests never see the developer's local model cache."""
    return LayeredCatalog(complete=complete, lock_path=lock)


def expectations(text: str) -> set[Finding]:
    found: set[Finding] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        m = _EXPECT.search(line)
        if m is None:
            continue
        items = _ITEM.findall(m.group(1))
        assert items, f"line {number}: malformed expectation {m.group(1)!r}"
        for rule, col in items:
            found.add((rule, number, int(col)))
    return found


def check_text(text: str, name: str = "case.flow.yaml", *, complete: bool = False,
               config: Config | None = None, lock: Path | None = None) -> list[Diagnostic]:
    """Parser findings plus checker findings, policy applied: what `flowdsl check` reports."""
    loaded = load_source(text, name)
    found = list(loaded.diagnostics)
    if loaded.workflow is not None:
        found += check_workflow(loaded.workflow, catalog(complete, lock), config,
                                source=loaded.source)
    return apply_policy(found, config, loaded.source)


def run_case(path: Path) -> tuple[set[Finding], set[Finding], list[Diagnostic]]:
    text = path.read_text(encoding="utf-8")
    complete = "# catalog: complete" in text
    lock = path.parent / "flowdsl.lock"
    diags = check_text(text, path.name, complete=complete, lock=lock if lock.is_file() else None)
    actual = {(d.rule, d.span.line, d.span.column) for d in diags}
    return expectations(text), actual, diags


def case_files(rule: str) -> list[Path]:
    directory = CASES / rule
    files = sorted(directory.glob("*.flow.yaml")) + sorted(directory.glob("*.json"))
    assert files, f"no fixture files for {rule}"
    return files


def assert_case(path: Path, rule: str) -> None:
    expected, actual, diags = run_case(path)
    if path.name.startswith("fires"):
        assert any(r == rule for r, _, _ in expected), f"{path.name}: expects no {rule}"
    else:
        assert not any(r == rule for r, _, _ in expected), f"{path.name}: clean case expects {rule}"
    detail = "\n".join(f"  {d.rule}@{d.span.line}:{d.span.column} {d.message}" for d in diags)
    assert actual == expected, (
        f"{path.name}\n missing: {sorted(expected - actual)}\n unexpected: "
        f"{sorted(actual - expected)}\n all findings:\n{detail}")
