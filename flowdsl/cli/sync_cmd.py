"""``flowdsl catalog sync``: fetch model schemas into the cache and pin them in flowdsl.lock."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from flowdsl.catalog import cache
from flowdsl.cli.common import error_line, format_option
from flowdsl.cli.exit_codes import epilog
from flowdsl.cli.remote_support import fail, handle_errors, make_client, remote_options, scrub
from flowdsl.remote.sync import SyncResult, sync_models, verify_offline


def _lock_path(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    found = cache.find_lock(Path.cwd())
    return found or Path.cwd() / cache.LOCK_NAME


def _report(result: SyncResult, as_json: bool, offline: bool) -> None:
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, sort_keys=True))
        return
    if offline:
        click.echo(f"offline: {len(result.unchanged)} cached model(s) match the lock")
    else:
        click.echo(f"synced {len(result.added) + len(result.updated) + len(result.unchanged) + len(result.changed)} "
                   f"model(s): {len(result.added)} added, {len(result.updated)} re-locked, "
                   f"{len(result.unchanged)} unchanged")
    # Each model that is out of step is one error line (the run exits 1).
    for slug in result.changed:
        _error(f"changed: {slug}: schema differs from flowdsl.lock "
               f"({'cache does not match the lock' if offline else 'not re-locked; run `flowdsl catalog sync --update`'})")
    for slug in result.missing:
        _error(f"missing: {slug}: locked but not in the cache (run `flowdsl catalog sync`)")
    for slug, why in sorted(result.failed.items()):
        _error(f"failed: {slug}: {why}")


def _error(message: str) -> None:
    click.echo(error_line(scrub(message)), err=True)


@click.command("sync", epilog=epilog("catalog sync"))
@click.argument("slugs", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Every model the API lists.")
@click.option("--update", is_flag=True, help="Re-lock models whose schema changed.")
@click.option("--offline", is_flag=True, help="No network: check the cache against the lock.")
@click.option("--lock-file", type=click.Path(dir_okay=False),
              help="Lock file (default: nearest flowdsl.lock, else ./flowdsl.lock).")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Concurrent requests.")
@format_option("text", "json", help="How the result is printed.")
@remote_options
@handle_errors
def sync(slugs: tuple[str, ...], all_: bool, update: bool, offline: bool, lock_file: str | None,
         jobs: int, fmt: str, api_url: str | None, api_key_file: str | None, verbose: bool) -> None:
    """Fetch model schemas (SLUG..., --all, or the slugs already in the lock) into the cache
    and record each schema's hash in flowdsl.lock.

    """
    as_json = fmt == "json"
    lock_path = _lock_path(lock_file)
    if offline:
        if all_ or update:
            fail("--offline cannot be combined with --all or --update", 2)
        result = verify_offline(list(slugs), lock_path=lock_path)
        _report(result, as_json, offline=True)
        sys.exit(0 if result.ok else 1)
    wanted = list(slugs)
    client = make_client(api_url, api_key_file, verbose)
    with client:
        if all_:
            wanted += client.all_model_slugs()
        elif not wanted:
            wanted = sorted(cache.read_lock(lock_path)) if lock_path.is_file() else []
            if not wanted:
                fail("nothing to sync: name SLUG..., or pass --all", 2)
        bar = None
        if sys.stderr.isatty() and not as_json:
            bar = click.progressbar(length=len(set(wanted)), label="syncing models", file=sys.stderr)
            bar.__enter__()
        try:
            result = sync_models(client, wanted, lock_path=lock_path, update=update, jobs=jobs,
                                 progress=(lambda _slug: bar.update(1)) if bar is not None else None)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
        if verbose:
            s = client.stats
            click.echo(f"flowdsl: {s.requests} request(s), {s.rate_limited} rate-limited (429), "
                       f"{s.retried} retried", err=True)
    _report(result, as_json, offline=False)
    sys.exit(0 if result.ok else 1)
