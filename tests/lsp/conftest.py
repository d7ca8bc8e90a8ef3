"""The real server (``python -m flowdsl lsp``) over stdio, driven by pytest-lsp.

One server per test module (starting one costs about half a second); every test opens its
own document under a fresh URI.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path
from typing import AsyncIterator

import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

ROOT = Path(__file__).resolve().parents[2]
_COUNTER = itertools.count()


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(server_command=[sys.executable, "-m", "flowdsl", "lsp"]),
)
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    await lsp_client.initialize_session(lsp.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=ROOT.as_uri()))
    yield
    await lsp_client.shutdown_session()


def new_uri(tmp: Path | None = None) -> str:
    base = tmp or ROOT / "tests" / "lsp"
    return (base / f"doc{next(_COUNTER)}.flow.yaml").as_uri()


async def open_doc(client: LanguageClient, text: str, uri: str | None = None) -> tuple[str, list[lsp.Diagnostic]]:
    """Open ``text`` and wait for its diagnostics."""
    uri = uri or new_uri()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(
        text_document=lsp.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)))
    return uri, await diagnostics_for(client, uri)


async def diagnostics_for(client: LanguageClient, uri: str, version: int | None = None) -> list[lsp.Diagnostic]:
    while True:
        params = await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if params.uri == uri and (version is None or params.version == version):
            return list(params.diagnostics)


def change(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)]))


def position_of(text: str, needle: str, offset: int = 0, occurrence: int = 0) -> lsp.Position:
    """The position of ``needle`` (plus ``offset`` characters) in ``text``."""
    at = -1
    for _ in range(occurrence + 1):
        at = text.index(needle, at + 1)
    at += offset
    line = text.count("\n", 0, at)
    return lsp.Position(line=line, character=at - (text.rfind("\n", 0, at) + 1))


def after(text: str, needle: str, occurrence: int = 0) -> lsp.Position:
    return position_of(text, needle, len(needle), occurrence)
