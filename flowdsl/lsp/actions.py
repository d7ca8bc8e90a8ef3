"""Code actions: apply a did-you-mean, quote a value YAML reads as a number, add an ignore."""

from __future__ import annotations

import difflib
import re

from lsprotocol import types as lsp

from flowdsl.check.run import CheckedFile
from flowdsl.diagnostics import Diagnostic
from flowdsl.lsp.diagnostics import to_lsp
from flowdsl.lsp.positions import line_at, span_text, to_range

_DID_YOU_MEAN = re.compile(r'did you mean "([^"]+)"\?')
_RENAME = re.compile(r'rename "([^"]+)" to "([^"]+)"')
# A plain scalar YAML 1.1 resolves to a number: 16:9 (base 60), 1e3, 0.5, 007...
_NUMBERISH = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$|^[-+]?[0-9][0-9_.eE+-]*$")
_IGNORE = re.compile(r"#.*?\bflowdsl:\s*ignore(?:\[([^\]]*)\])?")
_QUOTE_RULES = {"param-type", "param-value", "reference-type", "schema", "media-type",
                "condition-operator"}
_WRITE = re.compile(r"(?:^|: )write (.+)$")


def _overlaps(diag: Diagnostic, rng: lsp.Range) -> bool:
    r = to_range(diag.span)
    return not ((r.end.line, r.end.character) < (rng.start.line, rng.start.character)
                or (rng.end.line, rng.end.character) < (r.start.line, r.start.character))


def _edit(uri: str, rng: lsp.Range, text: str) -> lsp.WorkspaceEdit:
    return lsp.WorkspaceEdit(changes={uri: [lsp.TextEdit(range=rng, new_text=text)]})


def replacement(old: str, suggestion: str) -> str:
    """What to write instead of ``old`` (the finding's text) for a did-you-mean."""
    for opener, closer in (("{{", "}}"), ("$.", "")):
        if old.startswith(opener) and old.endswith(closer):
            inner = old[len(opener):len(old) - len(closer)].strip()
            if "." in suggestion:
                return opener + suggestion + closer
            parts = inner.split(".")
            # The misspelt segment: the one closest to the suggestion ("inputs" is never it).
            scores = [(difflib.SequenceMatcher(None, p, suggestion).ratio(), -i)
                      for i, p in enumerate(parts) if not (i == 0 and p == "inputs")]
            if scores:
                parts[-max(scores)[1]] = suggestion
            return opener + ".".join(parts) + closer
    quote = old[:1] if old[:1] in "\"'" and old[-1:] == old[:1] and len(old) > 1 else ""
    return quote + suggestion + quote


def _did_you_mean(diag: Diagnostic, source: str, uri: str) -> lsp.CodeAction | None:
    if not diag.hint:
        return None
    old = span_text(source, diag.span)
    if not old:
        return None
    m = _DID_YOU_MEAN.search(diag.hint)
    if m is not None:
        new = replacement(old, m.group(1))
    else:
        r = _RENAME.search(diag.hint)
        if r is None or r.group(1) != old:
            return None
        new = r.group(2)
    if new == old:
        return None
    return _fix(diag, uri, new)


def _fix(diag: Diagnostic, uri: str, new: str) -> lsp.CodeAction:
    return lsp.CodeAction(title=f"Change to {new}", kind=lsp.CodeActionKind.QuickFix,
                          diagnostics=[to_lsp(diag)], is_preferred=True,
                          edit=_edit(uri, to_range(diag.span), new))


def _write(diag: Diagnostic, source: str, uri: str) -> lsp.CodeAction | None:
    """A hint that says what to write instead (``write "16:9"``, ``write {{a.b}}``)."""
    m = _WRITE.search(diag.hint or "")
    old = span_text(source, diag.span)
    if m is None or not old:
        return None
    new = m.group(1)
    key, sep, value = new.partition(": ")
    if sep and re.fullmatch(r"[\w-]+", key) and not old.startswith(key + ":"):
        new = value  # "write model: x" for a finding on the slug itself
    if new == old:
        return None
    return _fix(diag, uri, new)


def _quote(diag: Diagnostic, source: str, uri: str) -> lsp.CodeAction | None:
    if diag.rule not in _QUOTE_RULES:
        return None
    old = span_text(source, diag.span)
    if not old or not _NUMBERISH.match(old):
        return None
    new = f'"{old}"'
    return lsp.CodeAction(title=f"Quote {old} as a string ({new})",
                          kind=lsp.CodeActionKind.QuickFix, diagnostics=[to_lsp(diag)],
                          is_preferred=":" in old, edit=_edit(uri, to_range(diag.span), new))


def _ignore(diag: Diagnostic, source: str, uri: str) -> lsp.CodeAction:
    index = diag.span.line - 1
    line = line_at(source, index)
    m = _IGNORE.search(line)
    if m is not None and m.group(1) is not None:  # extend the existing list
        names = [n.strip() for n in m.group(1).split(",") if n.strip()]
        start = m.start(1)
        rng = lsp.Range(start=lsp.Position(line=index, character=start),
                        end=lsp.Position(line=index, character=m.end(1)))
        text = ", ".join(names + [str(diag.rule)])
    else:
        end = lsp.Position(line=index, character=len(line))
        rng = lsp.Range(start=end, end=end)
        text = f"  # flowdsl: ignore[{diag.rule}]"
    return lsp.CodeAction(title=f"Ignore {diag.rule} on this line",
                          kind=lsp.CodeActionKind.QuickFix, diagnostics=[to_lsp(diag)],
                          edit=_edit(uri, rng, text))


def code_actions(checked: CheckedFile, uri: str, rng: lsp.Range) -> list[lsp.CodeAction]:
    out: list[lsp.CodeAction] = []
    seen: set[str] = set()  # two findings on one value (param-type, param-value): one fix
    for diag in checked.diagnostics:
        if not _overlaps(diag, rng):
            continue
        for make in (_did_you_mean, _quote, _write):
            action = make(diag, checked.source, uri)
            if action is not None:
                key = f"{_new_text(action)}@{diag.span}"
                if key not in seen:
                    seen.add(key)
                    out.append(action)
        if diag.rule != "yaml-syntax":
            out.append(_ignore(diag, checked.source, uri))
    return out


def _new_text(action: lsp.CodeAction) -> str:
    changes = action.edit.changes if action.edit is not None else None
    return "".join(e.new_text for edits in (changes or {}).values() for e in edits)
