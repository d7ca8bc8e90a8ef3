"""The fuzz campaign: a few hundred cases in the normal run, many more with FLOWDSL_FUZZ=1
(or ``python bench/fuzz.py``). No exception may escape load/analyze/compile/print."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzz.campaign import deep_or_long, exercise, mutated, seeds, structured

_MANY = os.environ.get("FLOWDSL_FUZZ") == "1"
_RUNS = settings(max_examples=5_000 if _MANY else 150, deadline=None, derandomize=not _MANY,
                 suppress_health_check=list(HealthCheck))


def test_seeds_are_clean_inputs() -> None:
    for data in seeds():
        exercise(data)


@_RUNS
@given(mutated())
def test_mutated_examples(data: bytes) -> None:
    exercise(data)


@_RUNS
@given(structured())
def test_structured_flows(data: bytes) -> None:
    exercise(data)


@settings(_RUNS, max_examples=300 if _MANY else 30)
@given(deep_or_long())
def test_deep_and_long(data: bytes) -> None:
    exercise(data)


@pytest.mark.parametrize("data", [
    b"a: &x [*x]\n",  # recursive alias
    b"--- a\n--- b\n",  # two documents
    b"\xef\xbb\xbf",  # a BOM alone
    b"steps: [\xff]",  # not UTF-8
])
def test_regressions(data: bytes) -> None:
    exercise(data)
