"""The worker pool takes only the CPUs that are free (check/run.py busy_cpus, default_jobs)."""

from __future__ import annotations

import builtins
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flowdsl.check.run import busy_cpus, default_jobs


@pytest.mark.parametrize(("cpus", "load", "jobs"), [
    (2, 0.0, 2),   # a quiet machine: both cores
    (2, 1.0, 1),   # the other core is busy: one worker, never slower than a second on it
    (2, 3.7, 1),   # overloaded: still one
    (8, 2.2, 6),
    (1, 0.0, 1),
])
def test_pool_size_follows_the_free_cpus(cpus: int, load: float, jobs: int) -> None:
    assert default_jobs(cpus, load) == jobs


def test_a_process_that_keeps_a_cpu_busy_is_counted() -> None:
    if not os.path.exists("/proc/loadavg"):
        pytest.skip("no /proc/loadavg here")
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        assert busy_cpus() >= 1.0
    finally:
        spinner.kill()
        spinner.wait()


def test_without_proc_the_load_average_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_proc(*args: object, **kwargs: object) -> object:
        raise OSError("no /proc here")

    monkeypatch.setattr(builtins, "open", no_proc)
    monkeypatch.setattr(os, "getloadavg", lambda: (1.5, 1.0, 0.5))
    assert busy_cpus() == 1.5


def test_the_collector_is_left_as_it_was(tmp_path: Path) -> None:
    import gc

    from flowdsl.check.run import Project, check_files

    flow = tmp_path / "a.flow.yaml"
    flow.write_text("steps:\n  - id: a\n    pass: {}\n", encoding="utf-8")
    assert gc.isenabled()
    assert [r.errors for r in check_files([flow, tmp_path / "missing.flow.yaml"], Project.bundled())] == [0, 1]
    assert gc.isenabled()
    gc.disable()
    try:
        check_files([flow], Project.bundled())
        assert not gc.isenabled()
    finally:
        gc.enable()
