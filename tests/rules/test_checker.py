"""Orchestration (flowdsl/checker.py): every rule runs, policy applies, output is sorted."""

from __future__ import annotations

from flowdsl import codes
from flowdsl.check.policy import apply_policy
from flowdsl.check.run import check_workflow
from flowdsl.check.config import Config
from flowdsl.diagnostics import Severity, error
from flowdsl.frontend.source import load_source
from flowdsl.rules import REGISTRY
from flowdsl.spans import Span
from tests.rules.harness import catalog

FLOW = """\
name: many findings
inputs:
  unused: {type: string}
steps:
  - id: b
    pass: "{{a.output}}"
  - id: a
    model: flux-2-pro
    with: {prompt: a cat, aspec_ratio: "1:1"}
"""


def test_every_check_rule_has_a_check_function() -> None:
    parser_only = {"yaml-syntax", "schema", "template-syntax", "condition-syntax", "mocks", "legacy-export"}
    for rule in REGISTRY.values():
        has_check = hasattr(rule.load(), "check")
        assert has_check == (rule.id not in parser_only), rule.id


def test_findings_are_sorted_and_disabled_rules_do_not_run() -> None:
    loaded = load_source(FLOW, "f.flow.yaml")
    assert loaded.workflow is not None
    found = check_workflow(loaded.workflow, catalog(), source=loaded.source)
    assert [d.rule for d in found] == ["unused-input", "forward-reference", "unknown-param"]
    assert found == sorted(found, key=lambda d: d.sort_key())
    cfg = Config(disabled=frozenset({"forward-reference"}),
                 severities={"unused-input": Severity.ERROR})
    found = check_workflow(loaded.workflow, catalog(), cfg, source=loaded.source)
    assert [(d.rule, d.severity.value) for d in found] == [("unused-input", "error"),
                                                          ("unknown-param", "error")]


def test_without_catalog_model_rules_are_silent() -> None:
    loaded = load_source(FLOW, "f.flow.yaml")
    assert loaded.workflow is not None
    found = check_workflow(loaded.workflow, None, source=loaded.source)
    assert "unknown-param" not in {d.rule for d in found}


def test_apply_policy_on_parser_findings_dedupes() -> None:
    d = error(codes.SCHEMA, "bad", Span.point("f", 1, 1))
    assert apply_policy([d, d], None, "x: 1\n") == [d]
    assert apply_policy([d], Config(disabled=frozenset({"schema"})), None) == []
    assert apply_policy([d], None, "x: 1  # flowdsl: ignore[schema]\n") == []


def test_check_files_in_parallel_matches_sequential(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from flowdsl.check.run import PARALLEL_MIN_FILES, Project, check_files

    paths = []
    for i in range(PARALLEL_MIN_FILES + 6):
        p = tmp_path / f"f{i:03d}.flow.yaml"
        p.write_text(FLOW if i % 3 == 0 else FLOW.replace("aspec_ratio", "aspect_ratio"))
        paths.append(p)
    one = check_files(paths, Project(catalog=catalog()), jobs=1)
    two = check_files(paths, Project(catalog=catalog()), jobs=2)
    assert [(r.file, r.diagnostics) for r in one] == [(r.file, r.diagnostics) for r in two]
    assert [r.file for r in two] == [str(p) for p in paths]
    assert sum(1 for r in two if any(d.rule == "unknown-param" for d in r.diagnostics)) == 24
    assert all(r.source == "" or r.diagnostics for r in two)
