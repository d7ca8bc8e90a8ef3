"""Diagnostics are exactly ``analyze``'s findings, on open and (debounced) on change."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from flowdsl.check.run import Project, analyze
from tests.lsp.conftest import change, diagnostics_for, new_uri, open_doc

pytestmark = pytest.mark.asyncio(loop_scope="module")

FLOW = """\
name: t
inputs:
  prompt: {type: string, required: true}
steps:
  - id: gen
    model: flux-2-max
    with:
      promt: "{{inputs.prompt}}"
      aspect_ratio: 16:9
  - id: up
    model: flux-2-pro
    with: {prompt: "{{gen.primry}} {{inputs.prmpt}}"}
outputs:
  x: "{{up.primary}}"
"""

SEVERITY = {"error": lsp.DiagnosticSeverity.Error, "warning": lsp.DiagnosticSeverity.Warning,
            "note": lsp.DiagnosticSeverity.Information}


def expected(text: str, uri: str) -> list[tuple[object, ...]]:
    from pygls.uris import to_fs_path
    found = analyze(text, Project.for_paths([to_fs_path(uri)]), file=to_fs_path(uri))
    return [(d.rule, SEVERITY[d.severity.value], d.span.line - 1, d.span.column - 1,
             d.span.end_line - 1, d.span.end_column - 1) for d in found.diagnostics]


def got(diags: list[lsp.Diagnostic]) -> list[tuple[object, ...]]:
    return [(d.code, d.severity, d.range.start.line, d.range.start.character,
             d.range.end.line, d.range.end.character) for d in diags]


async def test_open_publishes_exactly_the_checkers_findings(client: LanguageClient) -> None:
    uri, diags = await open_doc(client, FLOW)
    assert got(diags) == expected(FLOW, uri)
    assert {d.code for d in diags} >= {"unknown-param", "undefined-reference"}
    hinted = [d for d in diags if d.code == "unknown-param"][0]
    assert 'did you mean "prompt"?' in hinted.message
    assert all(d.source == "flowdsl" for d in diags)


async def test_change_is_debounced_and_the_last_edit_wins(client: LanguageClient) -> None:
    uri, _ = await open_doc(client, FLOW)
    fixed = FLOW.replace("promt", "prompt").replace("16:9", '"16:9"')
    fixed = fixed.replace("primry", "primary").replace("prmpt", "prompt")
    # A burst of edits (typing): only the last version is analysed and published.
    change(client, uri, 2, FLOW.replace("gen", "gen2"))
    change(client, uri, 3, FLOW.replace("gen", "gen3"))
    change(client, uri, 4, FLOW.replace("up", "up4"))
    change(client, uri, 5, fixed)
    seen: list[int | None] = []
    while True:
        params = await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if params.uri == uri:
            seen.append(params.version)
            if params.version == 5:
                assert list(params.diagnostics) == []
                break
    assert seen == [5]
    with pytest.raises(asyncio.TimeoutError):  # and nothing more arrives
        await asyncio.wait_for(diagnostics_for(client, uri), 0.4)
    # A single edit after a quiet spell is published too, with the new findings.
    change(client, uri, 6, FLOW)
    assert got(await diagnostics_for(client, uri, 6)) == expected(FLOW, uri)


async def test_inline_ignore_is_honoured(client: LanguageClient) -> None:
    text = FLOW.replace("promt: \"{{inputs.prompt}}\"",
                        "promt: \"{{inputs.prompt}}\"  # flowdsl: ignore[unknown-param]")
    _, diags = await open_doc(client, text)
    assert "unknown-param" not in {d.code for d in diags}


async def test_config_in_the_project_is_honoured(client: LanguageClient, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "flowdsl.toml").write_text('disable = ["unknown-param"]\n')
    uri = new_uri(tmp_path)
    _, diags = await open_doc(client, FLOW, uri)
    assert got(diags) == expected(FLOW, uri)
    assert "unknown-param" not in {d.code for d in diags}


@pytest.mark.parametrize("text", [
    "",
    "name: x\nsteps:\n  - id: a\n    model: flux-2-pro\n    with: {prompt: \"{{inp",
    "name: x\nsteps:\n  - id: a\n    model: [\n",
    "steps: 3\n",
    "\tname: [}\n",
    "name: x\nsteps:\n  - id: a\n    model: flux-2-pro\n    with:\n      pro",
    "- just\n- a list\n",
    "\x00\x01binary?",
])
async def test_malformed_and_half_typed_documents_get_findings(client: LanguageClient, text: str) -> None:
    uri, diags = await open_doc(client, text)
    assert got(diags) == expected(text, uri)


async def test_half_typed_flow_keeps_rule_findings(client: LanguageClient) -> None:
    text = FLOW + "  y: \"{{up.prim\"\n"  # the template is not closed yet
    uri, diags = await open_doc(client, text)
    assert got(diags) == expected(text, uri)
    assert any(d.code == "unknown-param" for d in diags)
