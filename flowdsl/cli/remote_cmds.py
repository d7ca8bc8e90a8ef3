"""``flowdsl plan``, ``flowdsl deploy``, ``flowdsl trigger``.

Exit codes are listed in each command's ``--help`` (from the one table in ``cli.exit_codes``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from flowdsl.cli.common import error_line, format_option, require_regular, write_output
from flowdsl.cli.exit_codes import epilog
from flowdsl.cli.inputs import input_options
from flowdsl.cli.remote_support import fail, handle_errors, make_client, remote_options, scrub
from flowdsl.remote.deploy import DeployOutcome, apply_plan, deploy_flow
from flowdsl.remote.errors import FlowError, RemoteError, StalePlanError, UnreachableError
from flowdsl.remote.flowfile import load_flow
from flowdsl.remote.plan import (FlowPlan, check_not_stale, load_plan, plan_document, plan_flow,
                                 plan_text, render_plan)
from flowdsl.remote.state import StateFile, find_remote
from flowdsl.remote.trigger import BULK_MAX, ExecutionWatch, start_bulk, start_execution


def _err(message: str) -> None:
    """One flow's failure: the common error line (the command goes on with the others)."""
    click.echo(error_line(scrub(message)), err=True)


@click.command("plan", epilog=epilog("plan"))
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@format_option("text", "json")
@click.option("--out", "out", type=click.Path(dir_okay=False),
              help="Save the plan (bound to the current remote state) for `deploy --plan`.")
@click.option("--lock", is_flag=True, help="Plan to lock the deployed version.")
@click.option("--production", is_flag=True, help="Plan to mark the deployed version as production.")
@remote_options
@handle_errors
def plan(files: tuple[str, ...], fmt: str, out: str | None, lock: bool, production: bool,
         api_url: str | None, api_key_file: str | None, verbose: bool) -> None:
    """Show what `deploy` would change: a diff of each compiled flow against its deployed
    latest version."""
    # A missing or special file is a failed flow here (exit 1), not bad usage: plan's exit 2
    # means "changes to deploy", and CI scripts read it that way.
    as_json = fmt == "json"
    plans: list[FlowPlan] = []
    with make_client(api_url, api_key_file, verbose) as client:
        client.settings.require_key()
        for f in files:
            try:
                flow = load_flow(f)
                plans.append(plan_flow(client, flow, lock=lock, production=production))
            except UnreachableError:
                raise  # one line for the command, not the same failure per flow
            except RemoteError as exc:
                plans.append(FlowPlan(file=f, name="", action="error", error=scrub(exc.message)))
        endpoint = client.endpoints.workflows
    errors = [p for p in plans if p.action == "error"]
    if as_json:
        click.echo(json.dumps(plan_document(plans, endpoint), indent=2, sort_keys=True))
    else:
        click.echo(render_plan(plans))
    for p in errors:
        _err(f"{p.file}: {p.error}")
    if out:
        if errors:
            _err(f"plan not saved to {out}: {len(errors)} flow(s) failed")
        else:
            # Written like every output a user names (through a symlink, keeping the file's
            # mode): a plan holds definitions and the endpoint, no secret, unlike the state file.
            write_output(out, plan_text(plans, endpoint))
            click.echo(f"plan saved to {out}; apply it with `flowdsl deploy --plan {out}`", err=True)
    if errors:
        sys.exit(1)
    sys.exit(2 if any(p.has_changes for p in plans) else 0)


def _print_outcome(o: DeployOutcome) -> None:
    mark = {"created": "+", "updated": "~", "noop": "=", "failed": "!"}.get(o.action, " ")
    click.echo(f"{mark} {o.file}: {o.message}")


@click.command("deploy", epilog=epilog("deploy"))
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False, exists=True),
              help="Apply a plan saved by `plan --out` (refused if the remote moved since).")
@click.option("--lock", is_flag=True, help="Lock the deployed version against edits.")
@click.option("--production", is_flag=True, help="Mark the deployed version as production.")
@format_option("text", "json")
@remote_options
@handle_errors
def deploy(files: tuple[str, ...], plan_file: str | None, lock: bool, production: bool, fmt: str,
           api_url: str | None, api_key_file: str | None, verbose: bool) -> None:
    """Create each flow's workflow, or add its next version (v2, v3, ...); unchanged flows are
    left alone. Flows with error findings are refused."""
    as_json = fmt == "json"
    for f in files:  # every named file is readable before any request is sent
        require_regular(f)
    if plan_file and files:
        fail("give either FILE... or --plan, not both", 2)
    if plan_file and (lock or production):
        fail("--lock/--production are part of the saved plan; pass them to `plan`", 2)
    if not plan_file and not files:
        fail("nothing to deploy: give FILE... or --plan F", 2)
    outcomes: list[DeployOutcome] = []
    with make_client(api_url, api_key_file, verbose) as client:
        client.settings.require_key()
        if plan_file:
            endpoint, plans = load_plan(Path(plan_file))
            if endpoint != client.endpoints.workflows:
                fail(f"plan {plan_file} was made against {endpoint}, not {client.endpoints.workflows}")
            # Refuse the whole plan if any part of it is stale, before writing anything.
            for p in plans:
                if p.action == "error":
                    fail(f"plan {plan_file} contains a failed flow ({p.file}); make a new plan")
                state = StateFile.for_flow(Path(p.file))
                remote = find_remote(client, p.name, state.get(endpoint, Path(p.file)))
                if remote is None and p.workflow_id:
                    remote = client.get_workflow(p.workflow_id)
                try:
                    check_not_stale(p, remote)
                except StalePlanError as exc:
                    fail(exc.message)
            for p in plans:
                try:
                    outcomes.append(apply_plan(client, p))
                except UnreachableError:
                    raise
                except RemoteError as exc:
                    outcomes.append(DeployOutcome(p.file, p.name, "failed", p.workflow_id, p.slug,
                                                  message=scrub(exc.message)))
        else:
            for f in files:
                try:
                    flow = load_flow(f)
                    for w in flow.warnings:
                        click.echo(f"flowdsl: {w}", err=True)
                    outcomes.append(deploy_flow(client, flow, lock=lock, production=production))
                except UnreachableError:
                    raise
                except RemoteError as exc:
                    outcomes.append(DeployOutcome(f, "", "failed", message=scrub(exc.message)))
    if as_json:
        click.echo(json.dumps([o.to_json() for o in outcomes], indent=2, sort_keys=True))
    failed = [o for o in outcomes if o.action == "failed"]
    for o in outcomes:
        if o.action == "failed":
            _err(f"{o.file}: {o.message}")
        elif not as_json:
            _print_outcome(o)
    sys.exit(1 if failed else 0)


def _definition_flow(definition: Any) -> Any:
    """The IR of an engine definition (for typing inputs), or None when it cannot be read."""
    if not isinstance(definition, dict):
        return None
    from flowdsl.frontend.source import load_source
    try:
        return load_source(json.dumps(definition), "definition.json").workflow
    except Exception:  # typing inputs is a courtesy; the API still validates them
        return None


def _resolve_target(client: Any, target: str, version_id: str | None) -> tuple[str, Any]:
    """(workflow id or slug to trigger, the flow's IR or None)."""
    path = Path(target)
    if path.exists() or target.endswith((".yaml", ".yml", ".json")):
        # A name that is a file (or looks like one) is a file: a missing flow file is "no such
        # file", not a workflow id the API has never heard of.
        try:
            flow = load_flow(path)
        except FlowError as exc:
            exc.message = f"{target}: {exc.message}"
            raise
        state = StateFile.for_flow(path)
        wf = find_remote(client, flow.name, state.get(client.endpoints.workflows, path))
        if wf is None:
            raise RemoteError(f"{target}: workflow {flow.name!r} is not deployed (run `flowdsl deploy {target}`)")
        return str(wf["workflow_id"]), _definition_flow(flow.definition)
    from flowdsl.remote.client import latest_version_id
    remote = client.get_workflow(target)
    if remote is None:
        return target, None  # the trigger's own 404 says so
    vid = version_id or latest_version_id(remote)
    version = next((v for v in remote.get("versions") or []
                    if isinstance(v, dict) and v.get("version_id") == vid), None)
    return target, _definition_flow((version or {}).get("definition"))


@click.command("trigger", epilog=epilog("trigger"))
@click.argument("target", metavar="FILE|ID")
@input_options(many=True)
@click.option("--version", "version_id", metavar="VERSION", help="Run this version (default: latest).")
@click.option("--wait", is_flag=True, help="Follow the execution(s) to the end and print the outputs.")
@click.option("--interval", type=click.FloatRange(0.01), default=1.0, show_default=True,
              help="Seconds between polls with --wait.")
@click.option("--timeout", type=click.FloatRange(1), default=900.0, show_default=True,
              help="Give up waiting after this many seconds.")
@format_option("text", "json")
@remote_options
@handle_errors
def trigger(target: str, pairs: tuple[str, ...], inputs_file: str | None, version_id: str | None, wait: bool,
            interval: float, timeout: float, fmt: str, api_url: str | None,
            api_key_file: str | None, verbose: bool) -> None:
    """Start an execution of a deployed flow (FILE) or workflow (ID or slug).

    Inputs are typed and checked against the flow's input schema before anything is sent,
    as `simulate` reads them. An --inputs-file holding a list starts one execution per entry
    (10 per request, the API's limit; a progress bar on stderr for more)."""
    from flowdsl.cli.inputs import InputError, check_pairs, inputs_for_trigger, read_trigger_file
    as_json = fmt == "json"
    try:  # a bad pair or file is found before any request
        check_pairs(pairs)
        items, listed = read_trigger_file(inputs_file)
    except InputError as exc:
        fail(str(exc), 2)
    with make_client(api_url, api_key_file, verbose) as client:
        client.settings.require_key()
        ident, flow = _resolve_target(client, target, version_id)
        try:
            runs = inputs_for_trigger(flow, pairs, items, inputs_file)
        except InputError as exc:
            fail(str(exc), 2)
        if listed:
            _trigger_many(client, ident, runs, version_id, wait, interval, timeout, as_json)
        else:
            _trigger_one(client, ident, runs[0], version_id, wait, interval, timeout, as_json)


def _trigger_one(client: Any, ident: str, values: dict[str, Any], version_id: str | None, wait: bool,
                 interval: float, timeout: float, as_json: bool) -> None:
    eid = start_execution(client, ident, values, version_id=version_id)
    click.echo(f"execution {eid} queued", err=True)
    if not wait:
        click.echo(json.dumps({"execution_id": eid, "status": "queued"}) if as_json else eid)
        sys.exit(0)
    tty = sys.stderr.isatty()

    def on_step(sid: str, status: str) -> None:
        # One line per change; on a TTY a fixed-width status column keeps it scannable.
        click.echo(f"  {sid:<24} {status}" if tty else f"step {sid}: {status}", err=True)

    detail = ExecutionWatch(client, eid, interval=interval, timeout=timeout).run(on_step)
    status = detail.get("status")
    if as_json:
        click.echo(json.dumps(detail, indent=2, sort_keys=True))
    else:
        outputs = detail.get("workflow_output") or detail.get("output")
        click.echo(json.dumps(outputs, indent=2, sort_keys=True))
    if status != "completed":
        _err(f"execution {eid} {status}: {detail.get('error_cause') or detail.get('error') or 'no cause given'}")
        sys.exit(1)
    click.echo(f"execution {eid} completed", err=True)
    sys.exit(0)


def _trigger_many(client: Any, ident: str, runs: list[dict[str, Any]], version_id: str | None, wait: bool,
                  interval: float, timeout: float, as_json: bool) -> None:
    """Bulk: batches of BULK_MAX, one line (or JSON entry) per input, in order."""
    batches = [runs[i:i + BULK_MAX] for i in range(0, len(runs), BULK_MAX)]
    entries: list[dict[str, Any]] = []
    with click.progressbar(length=len(runs), label="triggering", file=sys.stderr,
                           hidden=len(batches) == 1) as bar:
        started: set[str] = set()
        for batch in batches:
            got = start_bulk(client, ident, batch, version_id=version_id, known=started)
            started.update(str(e["execution_id"]) for e in got if e.get("execution_id"))
            entries.extend(got)
            bar.update(len(batch))
    if wait:
        for e in entries:
            if e.get("execution_id"):
                detail = ExecutionWatch(client, str(e["execution_id"]), interval=interval, timeout=timeout).run()
                e["status"] = detail.get("status")
                e["detail"] = detail
    failed = 0
    for n, e in enumerate(entries, 1):
        if e.get("status") not in ("queued", "completed"):
            failed += 1
            cause = e.get("message") or (e.get("detail") or {}).get("error_cause") or "no cause given"
            _err(f"input {n}: {e.get('execution_id') or 'not started'} {e.get('status')}: {cause}")
    if as_json:
        click.echo(json.dumps([e.get("detail") or {k: v for k, v in e.items() if k != "detail"}
                               for e in entries], indent=2, sort_keys=True))
    else:
        for e in entries:
            click.echo(f"{e.get('execution_id') or '-'}\t{e.get('status')}")
    click.echo(f"{len(entries) - failed} of {len(entries)} execution(s) "
               f"{'completed' if wait else 'queued'}", err=True)
    sys.exit(1 if failed else 0)
