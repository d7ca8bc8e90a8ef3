"""The job-summary Markdown (flowdsl/report/summary.py), against a golden file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flowdsl.codes import CONDITION_SYNTAX, SCHEMA, UNKNOWN_PARAM, UNUSED_INPUT
from flowdsl.diagnostics import Diagnostic, Severity, error, warning
from flowdsl.report.summary import append_step_summary, markdown, step_summary_path
from flowdsl.spans import Span

GOLDEN = Path(__file__).parent / "golden"
A, B, C = "flows/a.flow.yaml", "flows/b.flow.yaml", "flows/clean.flow.yaml"


def diags() -> list[Diagnostic]:
    return [
        warning(UNUSED_INPUT, "input `x` is never used", Span(A, 2, 3, 2, 4)),
        error(UNKNOWN_PARAM, 'model "kling" has no parameter "image"', Span(A, 9, 12, 9, 17),
              hint='did you mean "image_url"?'),
        error(CONDITION_SYNTAX, "expected == | != here,\nnot <b>", Span(B, 3, 20, 3, 21)),
        Diagnostic("style", Severity.NOTE, "a note is not listed", Span(B, 1, 1, 1, 2)),
        error(UNKNOWN_PARAM, "second", Span(A, 4, 1, 4, 2)),
    ]


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("FLOWDSL_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_summary_golden() -> None:
    check_golden("summary.md", markdown(diags(), [A, B, C]))


def test_summary_capped_golden() -> None:
    files = [f"f{i:02}.flow.yaml" for i in range(6)]
    many = [error(SCHEMA, f"problem {i}", Span(files[i % 6], i + 1, 1, i + 1, 2)) for i in range(9)]
    check_golden("summary-capped.md", markdown(many, files, max_files=4, max_findings=5))


def test_clean_and_empty() -> None:
    assert markdown([], [A, C]) == "### flowdsl check\n\nChecked 2 files: no problems.\n"
    assert markdown([], []) == "### flowdsl check\n\nNo flow files found.\n"


def test_default_caps_hold_at_fifty() -> None:
    files = [f"f{i:03}.flow.yaml" for i in range(120)]
    text = markdown([error(SCHEMA, "x", Span(f, 1, 1, 1, 2)) for f in files], files)
    assert text.count("| 1 | 0 |") == 50 and "70 more files not shown" in text
    assert text.count("| error | `schema` |") == 50 and "70 more findings not shown" in text


def test_appends_only_under_github_actions(tmp_path: Path) -> None:
    out = tmp_path / "summary.md"
    out.write_text("before\n")
    assert step_summary_path({"GITHUB_STEP_SUMMARY": str(out)}) is None
    assert append_step_summary("x", {"GITHUB_STEP_SUMMARY": str(out)}) is None
    assert out.read_text() == "before\n"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(out)}
    assert append_step_summary("### t\n", env) is None
    assert out.read_text() == "before\n### t\n\n"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_summary_is_reported_not_raised(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(ro / "s.md")}
    problem = append_step_summary("x", env)
    assert problem and "cannot write the job summary" in problem


def test_missing_dir_is_reported_not_raised(tmp_path: Path) -> None:
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / "no" / "s.md")}
    problem = append_step_summary("x", env)
    assert problem and "cannot write the job summary" in problem
