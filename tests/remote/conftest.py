"""Fixtures for the network tests: an in-process emulator on 127.0.0.1 (random port), a
project directory, the CLI runner, and flow files.

Every test talks real HTTP to the emulator; retries use tiny backoffs (FLOWDSL_BACKOFF_BASE)
so fault runs stay fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from click.testing import CliRunner, Result

from flowdsl.emulator import Emulator, EmulatorConfig, FaultConfig, Timing

API_KEY = "sk-flowdsl-TEST-7f3a9c2e51b84d06"  # distinctive, so a leak is easy to grep


@pytest.fixture
def make_emulator() -> Iterator[Callable[..., Emulator]]:
    started: list[Emulator] = []

    def make(**kw: Any) -> Emulator:
        kw.setdefault("api_key", API_KEY)
        kw.setdefault("timing", Timing(queued_s=0.02, step_s=0.03))
        faults = kw.pop("fault_rate", None)
        if faults is not None:
            kw["faults"] = FaultConfig(rate=faults, seed=kw.pop("seed", 7), slow_seconds=kw.pop("slow_seconds", 0.05))
        emu = Emulator(EmulatorConfig(**kw))
        emu.start()
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()


@pytest.fixture
def emulator(make_emulator: Callable[..., Emulator]) -> Emulator:
    return make_emulator()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    (root / ".git").mkdir(parents=True)  # the project root marker a clone has
    monkeypatch.chdir(root)
    monkeypatch.setenv("EACHLABS_API_KEY", API_KEY)
    monkeypatch.setenv("FLOWDSL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("FLOWDSL_BACKOFF_BASE", "0.005")
    monkeypatch.setenv("FLOWDSL_BACKOFF_MAX", "0.05")
    monkeypatch.setenv("FLOWDSL_MAX_ATTEMPTS", "10")
    monkeypatch.delenv("FLOWDSL_API_URL", raising=False)
    monkeypatch.delenv("FLOWDSL_MODELS_URL", raising=False)
    return root


def flow_doc(i: int, *, seed: int = 0, model: str = "flux-2-pro", name: str | None = None) -> dict[str, Any]:
    return {
        "name": name or f"Test flow {i}",
        "description": f"flow number {i}",
        "definition": {
            "version": "v1",
            "input_schema": {"type": "object", "properties": {"prompt": {"type": "string"}},
                             "required": ["prompt"]},
            "steps": [
                {"step_id": "gen", "type": "model", "model": model,
                 "params": {"prompt": "{{inputs.prompt}}", "seed": seed}},
                {"step_id": "keep", "type": "pass", "result": {"note": f"flow {i}"}},
            ],
            "output_mapping": {"image": "{{gen.primary}}"},
        },
    }


def write_flow(directory: Path, i: int, **kw: Any) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"flow{i:02d}.json"
    path.write_text(json.dumps(flow_doc(i, **kw), indent=2), encoding="utf-8")
    return path


class Cli:
    """Runs ``flowdsl`` in-process; keeps everything printed so a test can grep it."""

    def __init__(self) -> None:
        self.runner = CliRunner()
        self.transcript: list[str] = []

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> Result:
        from flowdsl.cli.main import cli
        result = self.runner.invoke(cli, list(args), env=env, catch_exceptions=False)
        self.transcript.append(result.output)
        return result


@pytest.fixture
def run() -> Cli:
    return Cli()
