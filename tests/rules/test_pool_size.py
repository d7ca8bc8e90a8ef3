"""The worker pool takes only the CPUs that are free (check/run.py default_jobs)."""

from __future__ import annotations

import pytest

from flowdsl.check.run import default_jobs


@pytest.mark.parametrize(("cpus", "load", "jobs"), [
    (2, 0.0, 2),   # a quiet machine: both cores
    (2, 1.0, 1),   # the other core is busy: one worker, never slower than a second on it
    (2, 3.7, 1),   # overloaded: still one
    (8, 2.2, 6),
    (1, 0.0, 1),
])
def test_pool_size_follows_the_free_cpus(cpus: int, load: float, jobs: int) -> None:
    assert default_jobs(cpus, load) == jobs
