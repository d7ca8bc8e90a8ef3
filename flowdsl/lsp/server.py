"""The server: document state, debounced diagnostics, and the wiring of every feature.

Each request handler is wrapped by :func:`guarded`: an exception is logged (and sent to the
client's log) and the request answers with an empty result, so one bad request never kills
the server. Diagnostics are published on open and save at once. On change they are
debounced by :data:`DEBOUNCE_S`: an edit after a quiet spell is analysed on the next loop
turn (unless the file takes long to check); edits in quick succession (typing) wait until
DEBOUNCE_S passes without one. A newer
edit cancels the pending analysis, and the analysis always reads the document's current
text, so the last edit wins.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from pathlib import Path
from typing import Any, Callable, TypeVar

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from flowdsl import __version__
from flowdsl.check.run import CheckedFile, ConfigError, Project, analyze
from flowdsl.lsp import actions, completion, hover, navigation, symbols
from flowdsl.lsp.diagnostics import convert
from flowdsl.lsp.encoding import Columns

log = logging.getLogger("flowdsl.lsp")

DEBOUNCE_S = 0.15
# A document whose analysis takes longer than this is always debounced (see schedule()).
SLOW_ANALYSIS_S = 0.3

F = TypeVar("F", bound=Callable[..., Any])


class FlowServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("flowdsl", __version__)
        self.projects: dict[str, Project] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.last_good: dict[str, CheckedFile] = {}
        self.last_edit: dict[str, float] = {}
        self.cost: dict[str, float] = {}  # seconds the last analysis of each document took
        self.debounce_s = DEBOUNCE_S
        self.lock = threading.Lock()

    # ------------------------------------------------------------ analysis

    def path_of(self, uri: str) -> str:
        return to_fs_path(uri) or uri

    def project_for(self, uri: str) -> Project:
        path = self.path_of(uri)
        key = str(Path(path).parent)
        project = self.projects.get(key)
        if project is None:
            try:
                project = Project.for_paths([path])
            except ConfigError as exc:
                self.show(f"flowdsl: configuration error ({exc}); using defaults",
                          lsp.MessageType.Warning)
                project = Project.bundled()
            except Exception as exc:  # an unreadable directory, a broken cache...
                log.exception("project for %s", path)
                self.show(f"flowdsl: {type(exc).__name__}: {exc}; using defaults",
                          lsp.MessageType.Warning)
                project = Project.bundled()
            self.projects[key] = project
        return project

    def _run(self, uri: str, text: str, project: Project, path: str,
             wait: bool = True) -> CheckedFile | None:
        """Analyse ``text``; one analysis at a time (the diagnostics run in a worker thread
        so that requests keep being answered meanwhile). None when ``wait`` is false and
        the checker is busy."""
        if not self.lock.acquire(blocking=wait):
            return None
        try:
            start = time.perf_counter()
            result = analyze(text, project, file=path)
            self.cost[uri] = time.perf_counter() - start
        finally:
            self.lock.release()
        if result.workflow is not None:
            self.last_good[uri] = result
        return result

    def analysis(self, uri: str) -> CheckedFile:
        doc = self.workspace.get_text_document(uri)
        result = self._run(uri, doc.source, self.project_for(uri), self.path_of(uri))
        assert result is not None
        return result

    def good(self, uri: str) -> CheckedFile | None:
        """The current analysis when the text reads as a workflow, else the last one that did
        (a half-typed document still completes against what was there a moment ago). While
        a long analysis runs (a huge file) the last one is used rather than waiting."""
        doc = self.workspace.get_text_document(uri)
        current = self._run(uri, doc.source, self.project_for(uri), self.path_of(uri), wait=False)
        if current is not None and current.workflow is not None:
            return current
        return self.last_good.get(uri)

    def show(self, message: str, kind: lsp.MessageType = lsp.MessageType.Info) -> None:
        try:
            self.window_show_message(lsp.ShowMessageParams(type=kind, message=message))
        except Exception:
            log.exception("show message")

    # ------------------------------------------------------------ diagnostics

    async def publish(self, uri: str) -> None:
        try:
            doc = self.workspace.get_text_document(uri)
            text, version = doc.source, doc.version
            result = await asyncio.to_thread(self._run, uri, text, self.project_for(uri),
                                             self.path_of(uri))
            assert result is not None
            now = self.workspace.text_documents.get(uri)
            if now is None or now.version != version:
                return  # closed or edited meanwhile: that edit's own analysis publishes
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
                uri=uri, diagnostics=self.columns(text).out(convert(result.diagnostics)),
                version=version))
            # Edits that queued up while a slow analysis ran are a burst: the quiet spell
            # that allows an immediate analysis starts now, not at the last edit.
            if uri in self.last_edit:
                self.last_edit[uri] = time.monotonic()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("diagnostics for %s", uri)
            self.log(f"flowdsl: diagnostics failed: {type(exc).__name__}: {exc}")

    def touched(self, uri: str) -> float:
        """Record an edit of ``uri``; returns the seconds since the one before."""
        now = time.monotonic()
        quiet = now - self.last_edit.get(uri, float("-inf"))
        self.last_edit[uri] = now
        return quiet

    def schedule(self, uri: str) -> None:
        """Publish after the edits stop: an edit after a quiet spell is analysed at once
        (on the next loop turn, so edits already queued coalesce with it); an edit that
        follows another within the debounce waits for DEBOUNCE_S of quiet."""
        quiet = self.touched(uri)
        old = self.pending.pop(uri, None)
        if old is not None:
            old.cancel()
        # At once only when the file is quick to check: on a huge file an analysis started
        # by the first keystroke of a burst would delay the one of the last keystroke.
        cheap = self.cost.get(uri, 0.0) <= SLOW_ANALYSIS_S
        delay = 0.0 if quiet >= self.debounce_s and old is None and cheap else self.debounce_s
        self.publish_after(uri, delay)

    def publish_after(self, uri: str, delay: float) -> None:
        old = self.pending.pop(uri, None)
        if old is not None:
            old.cancel()
        self.pending[uri] = asyncio.get_event_loop().create_task(self._publish_later(uri, delay))

    async def _publish_later(self, uri: str, delay: float) -> None:
        try:
            await asyncio.sleep(delay)
        except asyncio.CancelledError:
            return
        try:
            await self.publish(uri)
        except asyncio.CancelledError:
            return
        finally:
            if self.pending.get(uri) is asyncio.current_task():
                del self.pending[uri]

    def columns(self, text: str) -> Columns:
        """The converter between code points and the client's position units for ``text``."""
        return Columns(self.workspace.position_codec, text)

    def columns_of(self, uri: str) -> Columns:
        return self.columns(self.workspace.get_text_document(uri).source)

    def supports_edit_range(self) -> bool:
        try:
            caps = self.client_capabilities.text_document
            listing = caps.completion.completion_list if caps and caps.completion else None
            return bool(listing and listing.item_defaults and "editRange" in listing.item_defaults)
        except Exception:
            return False

    def log(self, message: str) -> None:
        try:
            self.window_log_message(lsp.LogMessageParams(type=lsp.MessageType.Error,
                                                         message=message))
        except Exception:
            pass


def guarded(server: FlowServer, default: Any = None) -> Callable[[F], F]:
    """Catch and log whatever a handler raises; answer ``default`` instead."""

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def inner(params: Any) -> Any:
            try:
                return fn(params)
            except JsonRpcException:
                raise  # a deliberate refusal (e.g. rename onto an existing id)
            except Exception as exc:
                log.exception("%s failed", fn.__name__)
                server.log(f"flowdsl: {fn.__name__} failed: {type(exc).__name__}: {exc}")
                return default

        return inner  # type: ignore[return-value]

    return wrap


def build_server() -> FlowServer:
    server = FlowServer()

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    @guarded(server)
    def did_open(params: lsp.DidOpenTextDocumentParams) -> None:
        server.touched(params.text_document.uri)
        server.publish_after(params.text_document.uri, 0.0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    @guarded(server)
    def did_change(params: lsp.DidChangeTextDocumentParams) -> None:
        server.schedule(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    @guarded(server)
    def did_save(params: lsp.DidSaveTextDocumentParams) -> None:
        server.publish_after(params.text_document.uri, 0.0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    @guarded(server)
    def did_close(params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        task = server.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        server.last_good.pop(uri, None)
        server.last_edit.pop(uri, None)
        server.cost.pop(uri, None)
        server.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION,
                    lsp.CompletionOptions(trigger_characters=["{", ".", ":", " ", "$"]))
    @guarded(server)
    def on_completion(params: lsp.CompletionParams) -> lsp.CompletionList | None:
        uri = params.text_document.uri
        text = server.workspace.get_text_document(uri).source
        cols = server.columns(text)
        result = completion.complete(text, cols.position_in(params.position), server.good(uri),
                                     server.project_for(uri))
        if result is not None and server.supports_edit_range():
            result = completion.compact(result)
        return cols.out(result)

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    @guarded(server)
    def on_hover(params: lsp.HoverParams) -> lsp.Hover | None:
        uri = params.text_document.uri
        cols = server.columns_of(uri)
        return cols.out(hover.hover(server.analysis(uri), cols.position_in(params.position),
                                    server.project_for(uri)))

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    @guarded(server)
    def on_definition(params: lsp.DefinitionParams) -> list[lsp.Location] | None:
        uri = params.text_document.uri
        cols = server.columns_of(uri)
        return cols.out(navigation.definition(server.analysis(uri),
                                              cols.position_in(params.position), uri))

    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    @guarded(server)
    def on_references(params: lsp.ReferenceParams) -> list[lsp.Location] | None:
        uri = params.text_document.uri
        cols = server.columns_of(uri)
        return cols.out(navigation.references(server.analysis(uri),
                                              cols.position_in(params.position), uri,
                                              params.context.include_declaration))

    @server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
    @guarded(server)
    def on_prepare_rename(params: lsp.PrepareRenameParams) -> lsp.Range | None:
        uri = params.text_document.uri
        cols = server.columns_of(uri)
        return cols.out(navigation.prepare_rename(server.analysis(uri),
                                                  cols.position_in(params.position)))

    @server.feature(lsp.TEXT_DOCUMENT_RENAME)
    @guarded(server)
    def on_rename(params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
        uri = params.text_document.uri
        cols = server.columns_of(uri)
        return cols.out(navigation.rename(server.analysis(uri), cols.position_in(params.position),
                                          uri, params.new_name))

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION,
                    lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
    @guarded(server, default=[])
    def on_code_action(params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        uri = params.text_document.uri
        cols = server.columns_of(uri)
        return cols.out(actions.code_actions(server.analysis(uri), uri,
                                             cols.range_in(params.range)))

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    @guarded(server, default=[])
    def on_symbols(params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
        uri = params.text_document.uri
        return server.columns_of(uri).out(symbols.document_symbols(server.good(uri)))

    return server


def serve() -> None:
    logging.basicConfig(level=logging.WARNING, format="flowdsl-lsp %(levelname)s %(message)s")
    build_server().start_io()
