"""Language server benchmark (issue 9).

    python bench/bench_lsp.py [--steps 20,200,1000] [--edits 40] [--completions 40]

Starts the real server (``python -m flowdsl lsp``) over stdio, opens a generated flow of
N steps (model steps chained by templates, every tenth a parallel step with two branches,
every fifteenth a choice) and measures, as an editor sees them:

* didChange -> publishDiagnostics ("edit"): one edit (a prompt's text changes) after a
  pause, then the time until the diagnostics of that version arrive. After a pause the
  server analyses at once; see flowdsl/lsp/server.py.
* the same from the last of a burst of 5 edits 40 ms apart ("burst"): the debounce holds
  the analysis until 150 ms pass without an edit, so this is 150 ms + the analysis.
* completion after ``{{`` in the last step (every earlier step is a candidate).

Prints median and p95 per size. Targets: diagnostics <= 150 ms median at 200 steps
(debounce included), completion <= 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

MODELS = ["flux-2-pro", "flux-2-max"]


def generate(steps: int) -> str:
    out = ["name: bench", "inputs:", "  prompt: {type: string, required: true}", "steps:"]
    prev = "inputs.prompt"
    n = 0
    while n < steps:
        sid = f"s{n}"
        if n % 10 == 9:
            out += [f"  - id: {sid}", "    parallel:"]
            for b in ("a", "b"):
                out += [f"      - name: {b}", "        steps:",
                        f"          - id: {sid}{b}", "            model: flux-2-pro",
                        f'            with: {{prompt: "{{{{{prev}}}}} {b}"}}']
            n += 3
            prev = f"{sid}a.primary"
        elif n % 15 == 14:
            out += [f"  - id: {sid}", '    if: $.inputs.prompt == "x"', "    then:",
                    f"      - id: {sid}t", "        pass: {ok: true}"]
            n += 2
        else:
            out += [f"  - id: {sid}", f"    model: {MODELS[n % 2]}", "    with:",
                    f'      prompt: "{{{{{prev}}}}} edit0"']
            prev = f"{sid}.primary"
            n += 1
    out += ["outputs:", f'  last: "{{{{{prev}}}}}"', ""]
    return "\n".join(out)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


async def run(steps: int, edits: int, completions: int) -> tuple[list[float], list[float], list[float]]:
    client = LanguageClient("bench", "1")
    published: asyncio.Queue[lsp.PublishDiagnosticsParams] = asyncio.Queue()

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diags(params: lsp.PublishDiagnosticsParams) -> None:
        published.put_nowait(params)

    await client.start_io(sys.executable, "-m", "flowdsl", "lsp")
    await client.initialize_async(lsp.InitializeParams(capabilities=lsp.ClientCapabilities()))
    client.initialized(lsp.InitializedParams())
    tmp = Path(tempfile.mkdtemp())
    uri = (tmp / f"bench{steps}.flow.yaml").as_uri()
    text = generate(steps)
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(
        text_document=lsp.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)))
    await published.get()

    async def until(version: int) -> None:
        while (await published.get()).version != version:
            pass

    version = 1

    def edit(i: int) -> str:
        nonlocal version
        version += 1
        edited = text.replace("edit0", f"edit{i}", 1)
        client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=edited)]))
        return edited

    diag_ms: list[float] = []  # one edit after a pause (> debounce)
    burst_ms: list[float] = []  # the last of 5 keystrokes 40 ms apart
    for i in range(edits):
        await asyncio.sleep(0.2)
        start = time.perf_counter()
        edited = edit(i + 1)
        await until(version)
        diag_ms.append((time.perf_counter() - start) * 1000)
    for i in range(max(edits // 3, 3)):
        await asyncio.sleep(0.2)
        for k in range(5):
            if k:
                await asyncio.sleep(0.04)
            start = time.perf_counter()
            edited = edit(1000 + i * 10 + k)
        await until(version)
        burst_ms.append((time.perf_counter() - start) * 1000)

    # Completion after "{{" in the last step's prompt.
    lines = edited.split("\n")
    row = max(i for i, line in enumerate(lines) if "prompt: \"{{" in line)
    col = lines[row].index("{{") + 2
    comp_ms: list[float] = []
    for _ in range(completions):
        start = time.perf_counter()
        result = await client.text_document_completion_async(lsp.CompletionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            position=lsp.Position(line=row, character=col)))
        comp_ms.append((time.perf_counter() - start) * 1000)
        assert result is not None
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return diag_ms, burst_ms, comp_ms


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", default="20,200,1000")
    ap.add_argument("--edits", type=int, default=40)
    ap.add_argument("--completions", type=int, default=40)
    args = ap.parse_args()
    print("edit: one didChange after a pause -> publishDiagnostics; burst: from the last of 5 "
          "didChange 40 ms apart (debounce applies) -> publishDiagnostics")
    print(f"{'steps':>6} {'edit median':>12} {'edit p95':>9} {'burst median':>13} {'burst p95':>10}"
          f" {'compl median':>13} {'compl p95':>10}")
    for steps in (int(s) for s in args.steps.split(",")):
        diag, burst, comp = asyncio.run(run(steps, args.edits, args.completions))
        print(f"{steps:>6} {statistics.median(diag):>10.1f}ms {pct(diag, 0.95):>7.1f}ms "
              f"{statistics.median(burst):>11.1f}ms {pct(burst, 0.95):>8.1f}ms "
              f"{statistics.median(comp):>11.1f}ms {pct(comp, 0.95):>8.1f}ms", flush=True)
    print("targets: diagnostics <= 150 ms median at 200 steps (150 ms debounce included); "
          "completion <= 50 ms")


if __name__ == "__main__":
    main()
