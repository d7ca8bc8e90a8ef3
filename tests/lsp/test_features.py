"""Completion, hover, definition/references/rename, code actions and the outline, end to end."""

from __future__ import annotations

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from tests.lsp.conftest import after, change, diagnostics_for, open_doc, position_of

pytestmark = pytest.mark.asyncio(loop_scope="module")

FLOW = """\
name: t
inputs:
  prompt: {type: string, required: true}
  tier: {type: string, enum: [a, b]}
steps:
  - id: first
    model: flux-2-max
    with:
      prompt: "{{inputs.prompt}}"
  - id: fan
    parallel:
      - name: Left
        steps:
          - id: left
            model: flux-2-pro
            with: {prompt: "{{first.primary}} "}
      - name: Right
        steps:
          - id: right
            model: flux-2-pro
            with: {prompt: "{{first.primary}}"}
  - id: gate
    if: $.inputs.tier == "a"
    then:
      - id: maybe
        pass: {ok: true}
  - id: last
    model: flux-2-max
    with:
      prompt: "{{left.primary}}"
  - id: after
    pass: "{{last.primary}}"
outputs:
  image: "{{last.primary}}"
"""


async def _complete(client: LanguageClient, text: str, pos: lsp.Position) -> list[str]:
    uri, _ = await open_doc(client, text)
    result = await client.text_document_completion_async(lsp.CompletionParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri), position=pos))
    assert result is not None
    items = result.items if isinstance(result, lsp.CompletionList) else result
    return [i.label for i in items]


def _insert(text: str, needle: str, typed: str, tail: str = "") -> tuple[str, lsp.Position]:
    """``text`` with ``typed`` (then ``tail``) inserted right after ``needle``; the cursor
    after ``typed``."""
    at = text.index(needle) + len(needle)
    new = text[:at] + typed + tail + text[at:]
    return new, after(new, needle + typed)


async def test_template_completion_offers_only_earlier_steps(client: LanguageClient) -> None:
    text, pos = _insert(FLOW, 'with: {prompt: "{{first.primary}} ', "{{")
    labels = await _complete(client, text, pos)
    assert "inputs" in labels and "first" in labels
    assert "right" not in labels  # sibling parallel branch
    assert "last" not in labels and "after" not in labels  # later
    assert "left" not in labels  # itself


async def test_template_completion_later_step_sees_parallel_and_maybe(client: LanguageClient) -> None:
    text, pos = _insert(FLOW, '    pass: "', "{{")
    labels = await _complete(client, text, pos)
    assert {"first", "fan", "left", "right", "gate", "last", "maybe"} <= set(labels)
    assert "after" not in labels


async def test_template_fields_and_inputs(client: LanguageClient) -> None:
    text, pos = _insert(FLOW, '    pass: "', "{{first.")
    assert set(await _complete(client, text, pos)) >= {"primary", "output"}
    text, pos = _insert(FLOW, '    pass: "', "{{inputs.")
    assert set(await _complete(client, text, pos)) == {"prompt", "tier"}
    text, pos = _insert(FLOW, '    pass: "', "{{maybe.output.")
    assert await _complete(client, text, pos) == ["ok"]


async def test_condition_completion(client: LanguageClient) -> None:
    text = FLOW.replace('$.inputs.tier == "a"', "$.")
    labels = await _complete(client, text, after(text, "if: $."))
    assert "inputs" in labels and "first" in labels and "last" not in labels
    text = FLOW.replace('$.inputs.tier == "a"', "$.first.primary ")
    labels = await _complete(client, text, after(text, "$.first.primary "))
    assert {"==", "matches", "is null", "not-in", "string_equals"} <= set(labels)


async def test_model_slug_completion(client: LanguageClient) -> None:
    text = FLOW.replace("model: flux-2-max\n    with:\n      prompt: \"{{left", "model: flu\n    with:\n      prompt: \"{{left")
    uri, _ = await open_doc(client, text)
    result = await client.text_document_completion_async(lsp.CompletionParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri), position=after(text, "model: flu")))
    assert isinstance(result, lsp.CompletionList)
    by_label = {i.label: i for i in result.items}
    assert "flux-2-max" in by_label and "flux-2-pro" in by_label
    assert "Flux 2 Max" in (by_label["flux-2-max"].detail or "")
    assert "image" in (by_label["flux-2-max"].detail or "")


async def test_with_completion_offers_unused_params(client: LanguageClient) -> None:
    text, pos = _insert(FLOW, '      prompt: "{{inputs.prompt}}"\n', "      ", "\n")
    labels = await _complete(client, text, pos)
    assert "prompt" not in labels  # already used
    assert {"aspect_ratio", "num_outputs", "seed"} <= set(labels)


async def test_with_completion_flow_style_and_enum_values(client: LanguageClient) -> None:
    text, pos = _insert(FLOW, 'with: {prompt: "{{first.primary}}"', ", ")
    labels = await _complete(client, text, pos)
    assert "prompt" not in labels and "aspect_ratio" in labels
    text, pos = _insert(FLOW, '      prompt: "{{inputs.prompt}}"\n', "      aspect_ratio: ", "\n")
    uri, _ = await open_doc(client, text)
    result = await client.text_document_completion_async(lsp.CompletionParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri), position=pos))
    assert isinstance(result, lsp.CompletionList)
    items = {i.label: i for i in result.items}
    assert "16:9" in items
    assert items["16:9"].text_edit is not None and items["16:9"].text_edit.new_text == '"16:9"'


async def test_step_key_completion(client: LanguageClient) -> None:
    text, pos = _insert(FLOW, "    pass: \"{{last.primary}}\"\n", "  - ", "\n")
    labels = await _complete(client, text, pos)
    assert {"id", "model", "parallel", "if", "http", "python", "pass"} <= set(labels)


async def test_completion_in_a_half_typed_document(client: LanguageClient) -> None:
    uri, _ = await open_doc(client, FLOW)
    broken = FLOW.replace("outputs:\n", "outputs:\n  x: \"{{")
    change(client, uri, 2, broken)
    await diagnostics_for(client, uri)
    result = await client.text_document_completion_async(lsp.CompletionParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri), position=after(broken, 'x: "{{')))
    assert isinstance(result, lsp.CompletionList)
    assert {"last", "after", "inputs"} <= {i.label for i in result.items}


# ---------------------------------------------------------------- hover


async def _hover(client: LanguageClient, uri: str, pos: lsp.Position) -> str:
    result = await client.text_document_hover_async(lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri), position=pos))
    assert result is not None
    assert isinstance(result.contents, lsp.MarkupContent)
    return result.contents.value


async def test_hover_on_model_reference_and_finding(client: LanguageClient) -> None:
    text = FLOW.replace('prompt: "{{left.primary}}"', 'prompt: "{{left.primary}}"\n      bogus: 1')
    uri, _ = await open_doc(client, text)
    md = await _hover(client, uri, position_of(text, "flux-2-max", 3))
    assert "aspect_ratio" in md and "16:9" in md and "| `prompt` | string | yes" in md
    assert "output: `array`, image" in md
    md = await _hover(client, uri, position_of(text, "{{left.primary}}", 4))
    assert "step **left**" in md and "flux-2-pro" in md
    md = await _hover(client, uri, position_of(text, "bogus", 2))
    assert "unknown-param" in md


# ---------------------------------------------------------------- navigation


async def test_definition_and_references(client: LanguageClient) -> None:
    uri, _ = await open_doc(client, FLOW)
    doc = lsp.TextDocumentIdentifier(uri=uri)
    result = await client.text_document_definition_async(lsp.DefinitionParams(
        text_document=doc, position=position_of(FLOW, "{{first.primary}}", 3)))
    assert isinstance(result, list) and len(result) == 1
    assert result[0].range.start == position_of(FLOW, "id: first", 4)
    refs = await client.text_document_references_async(lsp.ReferenceParams(
        text_document=doc, position=position_of(FLOW, "id: first", 4),
        context=lsp.ReferenceContext(include_declaration=True)))
    assert refs is not None and len(refs) == 3  # the id, two templates
    refs = await client.text_document_references_async(lsp.ReferenceParams(
        text_document=doc, position=position_of(FLOW, "tier:", 1),
        context=lsp.ReferenceContext(include_declaration=False)))
    assert refs is not None and len(refs) == 1  # the condition's $.inputs.tier
    assert refs[0].range.start == position_of(FLOW, "$.inputs.tier", 9)


async def test_rename_step_and_refusal(client: LanguageClient) -> None:
    uri, _ = await open_doc(client, FLOW)
    doc = lsp.TextDocumentIdentifier(uri=uri)
    edit = await client.text_document_rename_async(lsp.RenameParams(
        text_document=doc, position=position_of(FLOW, "id: last", 4), new_name="final"))
    assert edit is not None and edit.changes is not None
    edits = edit.changes[uri]
    assert len(edits) == 3  # the id, the pass template, the output
    assert all(e.new_text == "final" for e in edits)
    with pytest.raises(Exception, match="already exists"):
        await client.text_document_rename_async(lsp.RenameParams(
            text_document=doc, position=position_of(FLOW, "id: last", 4), new_name="first"))


async def test_rename_input(client: LanguageClient) -> None:
    uri, _ = await open_doc(client, FLOW)
    edit = await client.text_document_rename_async(lsp.RenameParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri),
        position=position_of(FLOW, "{{inputs.prompt}}", 10), new_name="text"))
    assert edit is not None and edit.changes is not None
    assert len(edit.changes[uri]) == 2


# ---------------------------------------------------------------- code actions


async def _actions(client: LanguageClient, uri: str, diags: list[lsp.Diagnostic],
                   code: str) -> list[lsp.CodeAction]:
    diag = next(d for d in diags if d.code == code)
    result = await client.text_document_code_action_async(lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri), range=diag.range,
        context=lsp.CodeActionContext(diagnostics=[diag])))
    assert result is not None
    return [a for a in result if isinstance(a, lsp.CodeAction)]


def _apply(text: str, action: lsp.CodeAction, uri: str) -> str:
    assert action.edit is not None and action.edit.changes is not None
    lines = text.split("\n")
    for e in sorted(action.edit.changes[uri], key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        assert e.range.start.line == e.range.end.line
        line = lines[e.range.start.line]
        lines[e.range.start.line] = line[:e.range.start.character] + e.new_text + line[e.range.end.character:]
    return "\n".join(lines)


async def test_code_actions(client: LanguageClient) -> None:
    text = FLOW.replace('      prompt: "{{inputs.prompt}}"', '      promt: "{{inputs.prompt}}"\n      aspect_ratio: 16:9')
    text = text.replace('pass: "{{last.primary}}"', 'pass: "{{lats.primary}}"')
    uri, diags = await open_doc(client, text)
    fixed = text
    quote = next(d.code for d in diags if "16:9" in d.message or "969" in d.message)
    for code, title in (("unknown-param", "Change to prompt"), (quote, 'Quote 16:9'),
                        ("undefined-reference", "Change to {{last.primary}}")):
        acts = await _actions(client, uri, diags, str(code))
        chosen = next(a for a in acts if a.title.startswith(title))
        fixed = _apply(fixed, chosen, uri)
        assert any(a.title == f"Ignore {code} on this line" for a in acts)
    assert 'prompt: "{{inputs.prompt}}"' in fixed and 'aspect_ratio: "16:9"' in fixed
    assert '{{last.primary}}' in fixed
    change(client, uri, 2, fixed)
    assert await diagnostics_for(client, uri) == []


async def test_ignore_action_silences_the_finding(client: LanguageClient) -> None:
    text = FLOW.replace('      prompt: "{{inputs.prompt}}"', '      prompt: "{{inputs.prompt}}"\n      bogus: 1')
    uri, diags = await open_doc(client, text)
    acts = await _actions(client, uri, diags, "unknown-param")
    ignore = next(a for a in acts if a.title.startswith("Ignore"))
    fixed = _apply(text, ignore, uri)
    assert "bogus: 1  # flowdsl: ignore[unknown-param]" in fixed
    change(client, uri, 2, fixed)
    assert "unknown-param" not in {d.code for d in await diagnostics_for(client, uri)}


# ---------------------------------------------------------------- outline and robustness


async def test_document_symbols_are_nested(client: LanguageClient) -> None:
    uri, _ = await open_doc(client, FLOW)
    result = await client.text_document_document_symbol_async(lsp.DocumentSymbolParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri)))
    assert result is not None
    syms = [s for s in result if isinstance(s, lsp.DocumentSymbol)]
    names = [s.name for s in syms]
    assert names == ["inputs.prompt", "inputs.tier", "first", "fan", "gate", "last", "after",
                     "outputs.image"]
    fan = syms[names.index("fan")]
    assert [b.name for b in fan.children or []] == ["Left", "Right"]
    assert [s.name for s in (fan.children or [])[0].children or []] == ["left"]
    gate = syms[names.index("gate")]
    assert [b.name for b in gate.children or []] == ["then"]
    assert [s.name for s in (gate.children or [])[0].children or []] == ["maybe"]


async def test_bad_requests_never_kill_the_server(client: LanguageClient) -> None:
    uri, _ = await open_doc(client, "name: [\n")
    doc = lsp.TextDocumentIdentifier(uri=uri)
    far = lsp.Position(line=999, character=999)
    assert await client.text_document_hover_async(lsp.HoverParams(text_document=doc, position=far)) is None
    await client.text_document_completion_async(lsp.CompletionParams(text_document=doc, position=far))
    await client.text_document_definition_async(lsp.DefinitionParams(text_document=doc, position=far))
    missing = lsp.TextDocumentIdentifier(uri="file:///nonexistent/dir/x.flow.yaml")
    await client.text_document_document_symbol_async(lsp.DocumentSymbolParams(text_document=missing))
    await client.text_document_hover_async(lsp.HoverParams(text_document=missing, position=far))
    # still alive and answering
    uri2, diags = await open_doc(client, FLOW)
    assert diags == []


async def test_model_did_you_mean(client: LanguageClient) -> None:
    text = FLOW.replace("model: flux-2-max\n    with:\n      prompt: \"{{inputs",
                        "model: flux-2-maxx\n    with:\n      prompt: \"{{inputs")
    uri, diags = await open_doc(client, text)
    acts = await _actions(client, uri, diags, "unknown-model")
    fix = next(a for a in acts if a.title == "Change to flux-2-max")
    assert "model: flux-2-max\n" in _apply(text, fix, uri)


async def test_hover_on_input_reference(client: LanguageClient) -> None:
    uri, _ = await open_doc(client, FLOW)
    md = await _hover(client, uri, position_of(FLOW, "{{inputs.prompt}}", 5))
    assert "input **prompt**" in md and "required" in md
