"""``flowdsl simulate FILE``: rehearse a workflow offline, in virtual time.

Exit codes: 0 the run completed (with ``--runs``: at least one run did), 1 it failed (or
the flow has error findings, which are printed), 2 bad usage (an unknown flag, a bad
``--input``, an unreadable or wrong mocks file, an unknown ``--step``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from flowdsl.cli.inputs import input_options
from flowdsl.cli.main import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE


def _fail_usage(message: str) -> None:
    from flowdsl.cli.common import fail
    fail(message, EXIT_USAGE)


def _stdout_encoding() -> str | None:
    return getattr(sys.stdout, "encoding", None)


def _out(text: str, nl: bool = True) -> None:
    """Echo to stdout without ever failing on its encoding: what it cannot carry is replaced."""
    enc = _stdout_encoding() or "utf-8"
    try:
        text.encode(enc)
    except LookupError:
        enc = "ascii"
        text = text.encode("ascii", "replace").decode("ascii")
    except UnicodeEncodeError:
        text = text.encode(enc, "replace").decode(enc)
    click.echo(text, nl=nl)


def _findings(diags: list[Any], sources: dict[str, str]) -> str:
    from flowdsl import report
    return report.render("text", diags, sources, color=False)


@click.command("simulate")
@click.argument("file", type=click.Path(dir_okay=False))
@input_options(many=False)
@click.option("--mocks", "mocks_path", type=click.Path(dir_okay=False),
              help="Mocks file (YAML or JSON): responses per attempt, durations, costs, failure rates.")
@click.option("--seed", type=int, default=None,
              help="Draw durations and failures at random, reproducibly (default: a nominal run).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--step", "step_id", metavar="ID", help="Show one step in full: resolved params, every attempt.")
@click.option("--runs", type=click.IntRange(min=1), default=None,
              help="Monte Carlo: this many seeded runs, summarised.")
@click.option("--params", "show_params", is_flag=True, help="Show each step's resolved params in the timeline.")
@click.option("--python", "python_mode", type=click.Choice(["isolated", "mock", "host"]), default="isolated",
              show_default=True,
              help="Python steps: run in OS isolation (namespaces, read-only minimal root, no network, "
                   "rlimits); mock (run nothing: the mock, else no result); host (trusted flows only: "
                   "rlimits, no isolation). Where isolation is unavailable, isolated falls back to mock.")
def simulate(file: str, pairs: tuple[str, ...], inputs_file: str | None, mocks_path: str | None,
             seed: int | None, fmt: str, step_id: str | None, runs: int | None, show_params: bool,
             python_mode: str) -> None:
    """Simulate FILE (.flow.yaml or JSON definition) without calling anything.

    Steps run in virtual time with mocked model outputs (from --mocks, else defaults that
    follow each model's output type and media); python steps really run, isolated by the
    operating system (see --python); http steps are never sent. Prints a timeline (or the
    JSON trace with --format json).
    """
    from flowdsl.check.run import analyze
    from flowdsl.cli.setup import project_for
    from flowdsl.simulate import Simulator, load_mocks
    from flowdsl.cli.inputs import InputError, inputs_for_run

    path = Path(file)
    from flowdsl.cli.common import require_regular
    require_regular(file)  # missing, a FIFO or a device: one line, exit 2
    project = project_for([path])
    catalog = project.catalog
    analysis = analyze(path, project)
    wf = analysis.workflow
    if wf is None or analysis.errors:
        errors = [d for d in analysis.diagnostics if d.severity.value == "error"]
        text = _findings(errors, {analysis.file: analysis.source})
        click.echo(text, err=True, nl=not text.endswith("\n"))
        from flowdsl.cli.common import fail
        fail(f"{file} has {len(errors)} error(s); fix them before simulating", EXIT_FINDINGS)
    if analysis.warnings:
        from flowdsl.cli.common import warn
        warn(f"{analysis.warnings} warning(s) in {file} (see flowdsl check {file})")

    mocks = None
    if mocks_path is not None:
        # A missing or special mocks file is bad input to the command (one usage line, like
        # every other named input); a mocks file that reads but is wrong gives findings.
        from flowdsl.cli.common import require_regular
        require_regular(mocks_path)
        mocks, diags = load_mocks(mocks_path, wf)
        if mocks is None:
            try:
                from flowdsl.frontend.source import read_regular
                source = read_regular(mocks_path).decode("utf-8", errors="replace")
            except OSError:
                source = ""
            text = _findings(diags, {mocks_path: source})
            click.echo(text, err=True, nl=not text.endswith("\n"))
            sys.exit(EXIT_USAGE)

    try:
        inputs = inputs_for_run(wf, pairs, inputs_file)
    except InputError as exc:
        _fail_usage(str(exc))

    if runs is not None and step_id is not None:
        _fail_usage("--step shows one run in full; it cannot be combined with --runs")
    from flowdsl.simulate.sandbox import Mode, PythonRunner, resolve_mode
    mode: Mode = "mock"
    if any(s.kind == "python" for s in wf.all_steps()):
        mode, note = resolve_mode(python_mode)
        if note:
            from flowdsl.cli.common import warn
            warn(note)
    runner = PythonRunner(mode=mode)
    try:
        _run(Simulator(wf, catalog, mocks, runner), file, inputs, seed, fmt, step_id, runs, show_params)
    finally:
        runner.close()  # a step prefetched for a branch that was then cut is not waited for


def _run(sim: Any, file: str, inputs: dict[str, Any], seed: int | None, fmt: str, step_id: str | None,
         runs: int | None, show_params: bool) -> None:
    if step_id is not None and step_id not in sim.kinds:
        from flowdsl.suggest import did_you_mean
        _fail_usage(f'no step "{step_id}" in {file}{did_you_mean(step_id, sorted(sim.kinds))}')

    if runs is not None:
        from flowdsl.simulate.montecarlo import monte_carlo, render
        summary = monte_carlo(sim, inputs, runs, seed)
        if fmt == "json":
            _out(json.dumps(summary, indent=2, ensure_ascii=False))
        else:
            _out(render(summary, sim.wf.name or file), nl=False)
        sys.exit(EXIT_OK if summary["completed"] else EXIT_FINDINGS)

    result = sim.run(inputs, seed=seed)
    from flowdsl.simulate.timeline import needs_ascii
    from flowdsl.simulate.timeline import render as render_timeline
    from flowdsl.simulate.timeline import render_step
    ascii = needs_ascii(_stdout_encoding())  # bars as # and =, arrows as ->
    if fmt == "json":
        trace = result.trace()
        doc = trace if step_id is None else dict(trace["steps"].get(step_id) or result.step_json(step_id),
                                                 id=step_id)
        _out(json.dumps(doc, indent=2, ensure_ascii=ascii))
    elif step_id is not None:
        _out(render_step(result, step_id, ascii=ascii), nl=False)
    else:
        _out(render_timeline(result, show_params=show_params, ascii=ascii), nl=False)
    sys.exit(EXIT_OK if result.status == "completed" else EXIT_FINDINGS)
