"""``flowdsl emulator``: run the local each::labs API emulator until interrupted."""

from __future__ import annotations

from pathlib import Path

import click

from flowdsl.emulator import Emulator, EmulatorConfig, FaultConfig, Timing
from flowdsl.emulator import generate_models as make_models
from flowdsl.emulator.faults import FAULT_KINDS
from flowdsl.emulator.ratelimit import parse_rate


@click.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="Port (0: any free port).")
@click.option("--api-key", metavar="KEY", help="Accept only this key (default: any non-empty key).")
@click.option("--rate-limit", metavar="N/min", help="Token-bucket rate limit, e.g. 600/min.")
@click.option("--burst", type=click.IntRange(1), help="Bucket size (default: one second's worth).")
@click.option("--fault-rate", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Share of requests that fail, drop or stall.")
@click.option("--fault-kinds", default=",".join(FAULT_KINDS), show_default=True,
              help="Comma-separated: " + ", ".join(FAULT_KINDS) + ".")
@click.option("--slow-seconds", type=click.FloatRange(0), default=1.0, show_default=True,
              help="Delay of a 'slow' fault.")
@click.option("--seed", type=int, help="Seed for fault injection (reproducible runs).")
@click.option("--state", "state_file", type=click.Path(dir_okay=False),
              help="Load workflows/executions from FILE and save them back on every change.")
@click.option("--models-dir", type=click.Path(file_okay=False, exists=True),
              help="Serve the models in DIR/*.json instead of the bundled snapshot.")
@click.option("--generate-models", type=click.IntRange(0), default=0,
              help="Add N synthetic models (for sync at scale).")
@click.option("--step-seconds", type=click.FloatRange(0), default=2.0, show_default=True,
              help="How long each mock execution step runs.")
@click.option("-q", "--quiet", is_flag=True, help="No access log.")
def emulator(host: str, port: int, api_key: str | None, rate_limit: str | None, burst: int | None,
             fault_rate: float, fault_kinds: str, slow_seconds: float, seed: int | None,
             state_file: str | None, models_dir: str | None, generate_models: int,
             step_seconds: float, quiet: bool) -> None:
    """Serve the each::labs API locally: the workflows engine under /api/v1, the newer
    surface (models, workflows) under /v1. Point flowdsl at it with --api-url URL."""
    try:
        per_min = parse_rate(rate_limit) if rate_limit else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--rate-limit") from None
    kinds = tuple(k.strip() for k in fault_kinds.split(",") if k.strip())
    bad = [k for k in kinds if k not in FAULT_KINDS]
    if bad:
        raise click.BadParameter(f"unknown fault kind(s): {', '.join(bad)}", param_hint="--fault-kinds")
    models = None
    if generate_models:
        from flowdsl.emulator.catalog import bundled_models, load_models_dir
        base = load_models_dir(Path(models_dir)) if models_dir else bundled_models()
        models = base + make_models(generate_models)
    config = EmulatorConfig(
        host=host, port=port, api_key=api_key, rate_limit_per_min=per_min, burst=burst,
        faults=FaultConfig(rate=fault_rate, seed=seed, slow_seconds=slow_seconds, kinds=kinds),
        state_path=Path(state_file) if state_file else None, models=models,
        models_dir=Path(models_dir) if models_dir and models is None else None,
        timing=Timing(queued_s=min(1.0, step_seconds / 2), step_s=step_seconds),
        log=None if quiet else (lambda line: click.echo(line, err=True)))
    try:
        emu = Emulator(config)
        emu.start()
    except (OSError, ValueError, RuntimeError) as exc:
        raise click.ClickException(f"cannot start the emulator: {exc}") from None
    click.echo(f"flowdsl emulator listening on {emu.base_url}  "
               f"({len(emu.models)} models; engine {emu.base_url}/api/v1, api {emu.base_url}/v1)", err=True)
    click.echo(f"  flowdsl deploy --api-url {emu.base_url} FLOW    (Ctrl-C stops)", err=True)
    try:
        emu.serve_forever()
    except KeyboardInterrupt:
        emu.stop()
        click.echo("flowdsl emulator stopped", err=True)

