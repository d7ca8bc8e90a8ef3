"""Reporters (flowdsl/report): text with code frame, json, sarif, github."""

from __future__ import annotations

import json

import pytest

from flowdsl import report
from flowdsl.diagnostics import Diagnostic, Severity, error, warning
from flowdsl.spans import Span

SOURCE = "name: x\nsteps:\n  - id: animate\n    with: {image: \"{{p.primary}}\"}\n"
FILE = "flows/a.flow.yaml"


def diags() -> list[Diagnostic]:
    return [
        error("unknown-param", 'model "kling" has no parameter "image"',
              Span(FILE, 4, 12, 4, 17), step="animate", hint='did you mean "image_url"?'),
        warning("unused-input", "input, with: comma % and\nnewline", Span(FILE, 1, 1, 1, 5)),
    ]


def test_formats_are_registered() -> None:
    assert set(report.FORMATS) == {"text", "json", "sarif", "github"}
    with pytest.raises(ValueError):
        report.render("xml", [], {})


def test_text_code_frame() -> None:
    out = report.render("text", diags(), {FILE: SOURCE})
    lines = out.splitlines()
    assert lines[0] == (f'{FILE}:4:12: error: model "kling" has no parameter "image" '
                        "[unknown-param]")
    assert lines[1] == ' 4 |     with: {image: "{{p.primary}}"}'
    assert lines[2] == "   |            ^^^^^"
    assert lines[3] == '   = hint: did you mean "image_url"?'
    assert lines[-1] == "1 error, 1 warning in 1 file"
    assert "\033[" not in out


def test_text_colour_only_when_asked() -> None:
    out = report.render("text", diags(), {FILE: SOURCE}, color=True)
    assert "\033[1;31m" in out and "\033[0m" in out


def test_text_without_source_or_findings() -> None:
    out = report.render("text", diags(), {})
    assert out.splitlines()[1].startswith("   = hint")
    assert report.render("text", [], {}) == ""


def test_json_shape() -> None:
    data = json.loads(report.render("json", diags(), {}))
    assert data[0] == {"file": FILE, "line": 4, "column": 12, "end_line": 4, "end_column": 17,
                       "severity": "error", "rule": "unknown-param",
                       "message": 'model "kling" has no parameter "image"', "step": "animate",
                       "hint": 'did you mean "image_url"?'}
    assert data[1]["step"] is None and data[1]["hint"] is None
    assert json.loads(report.render("json", [], {})) == []


def test_sarif() -> None:
    log = json.loads(report.render("sarif", diags(), {}))
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert "unknown-param" in ids and "yaml-syntax" in ids
    unknown = rules[ids.index("unknown-param")]
    assert unknown["shortDescription"]["text"] and "did you mean" in unknown["help"]["text"]
    assert unknown["defaultConfiguration"]["level"] == "error"
    first = run["results"][0]
    assert first["ruleId"] == "unknown-param" and ids[first["ruleIndex"]] == "unknown-param"
    assert first["level"] == "error"
    region = first["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 4, "startColumn": 12, "endLine": 4, "endColumn": 17}
    assert run["results"][1]["level"] == "warning"


def test_sarif_validates_against_minimal_structure() -> None:
    # The parts of the SARIF 2.1.0 schema GitHub code scanning requires.
    import jsonschema

    schema = {"type": "object", "required": ["version", "runs"], "properties": {
        "version": {"const": "2.1.0"},
        "runs": {"type": "array", "items": {"type": "object", "required": ["tool", "results"],
                 "properties": {"results": {"type": "array", "items": {
                     "type": "object", "required": ["message", "ruleId", "locations"]}}}}}}}
    jsonschema.validate(json.loads(report.render("sarif", diags(), {})), schema)


def test_github_annotations() -> None:
    out = report.render("github", diags(), {}).splitlines()
    assert out[0] == (f"::error file={FILE},line=4,col=12,endLine=4,endColumn=17,"
                      'title=unknown-param::model "kling" has no parameter "image"'
                      '%0Ahint: did you mean "image_url"?')
    assert out[1].startswith("::warning file=")
    assert out[1].endswith("::input, with: comma %25 and%0Anewline")


def test_github_escapes_properties() -> None:
    d = Diagnostic("limit", Severity.NOTE, "m", Span("a,b:c.yaml", 1, 1, 1, 2))
    line = report.render("github", [d], {})
    assert line.startswith("::notice file=a%2Cb%3Ac.yaml,")


def test_text_frame_for_a_multi_line_span_and_out_of_range_lines() -> None:
    src = "a: |\n  line one\n  line two\n"
    multi = error("python-result", "m", Span("f.yaml", 2, 3, 3, 11))
    lines = report.render("text", [multi], {"f.yaml": src}).splitlines()
    assert lines[1] == " 2 |   line one" and lines[2] == "   |   ^^^^^^^^"
    beyond = error("limit", "m", Span("f.yaml", 9, 1, 9, 2))
    assert report.render("text", [beyond], {"f.yaml": src}).splitlines()[1] == ""
