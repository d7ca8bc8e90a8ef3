"""Columns in the client's position encoding (UTF-16 for VS Code): a character outside the
BMP (an emoji in a prompt) counts as two units on the wire and one code point inside."""

from __future__ import annotations

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from tests.lsp.conftest import open_doc

pytestmark = pytest.mark.asyncio(loop_scope="module")

FLOW = """\
name: t
inputs:
  prompt: {type: string, required: true}
steps:
  - id: first
    model: flux-2-max
    with: {prompt: "\U0001F3A8\U0001F3A8 {{inputs.prompt}}", bogus: 1}
  - id: last
    model: flux-2-pro
    with: {prompt: "\U0001F680 {{first.primary}}"}
"""


def utf16_position(text: str, needle: str, offset: int = 0) -> lsp.Position:
    at = text.index(needle) + offset
    line = text.count("\n", 0, at)
    prefix = text[text.rfind("\n", 0, at) + 1:at]
    return lsp.Position(line=line, character=len(prefix.encode("utf-16-le")) // 2)


async def test_diagnostic_columns_count_utf16_units(client: LanguageClient) -> None:
    _, diags = await open_doc(client, FLOW)
    bogus = [d for d in diags if d.code == "unknown-param"]
    assert len(bogus) == 1
    assert bogus[0].range.start == utf16_position(FLOW, "bogus")
    assert bogus[0].range.end == utf16_position(FLOW, "bogus", len("bogus"))


async def test_requests_read_utf16_positions(client: LanguageClient) -> None:
    uri, _ = await open_doc(client, FLOW)
    doc = lsp.TextDocumentIdentifier(uri=uri)
    # On "first" in {{first.primary}}, after a rocket on the same line.
    result = await client.text_document_definition_async(lsp.DefinitionParams(
        text_document=doc, position=utf16_position(FLOW, "{{first.primary}}", 3)))
    assert isinstance(result, list) and len(result) == 1
    assert result[0].range.start == utf16_position(FLOW, "id: first", 4)
    refs = await client.text_document_references_async(lsp.ReferenceParams(
        text_document=doc, position=utf16_position(FLOW, "prompt: {type", 0),
        context=lsp.ReferenceContext(include_declaration=False)))
    assert refs is not None and len(refs) == 1
    assert refs[0].range.start == utf16_position(FLOW, "{{inputs.prompt}}", 9)
