"""Dry-run simulation of a workflow in virtual time (``flowdsl simulate``).

    from flowdsl.simulate import Simulator, simulate_definition
    sim = Simulator(workflow, catalog, mocks)      # compile once
    result = sim.run(inputs, seed=None)            # nominal run; a seed draws from ranges
    result.trace()                                 # the JSON trace

Modules: ``engine`` (the executor), ``values`` (templates and ``$.`` lookups),
``operators`` (condition operators), ``mocks`` (the mocks file), ``defaults`` (default
outputs, durations, costs), ``sandbox`` (python steps in a separate process), ``inputs``
(``--input`` parsing and validation), ``timeline`` (text report), ``montecarlo`` (``--runs``).
"""

from __future__ import annotations

import json
from typing import Any

from flowdsl.simulate.engine import Result, Simulator
from flowdsl.simulate.mocks import Mocks, load_mocks, mocks_from_dict, parse_mocks

__all__ = ["Mocks", "Result", "Simulator", "load_mocks", "mocks_from_dict", "parse_mocks", "simulate_definition"]


def simulate_definition(definition_json: dict[str, Any], inputs: dict[str, Any], seed: int | None = None,
                        catalog: Any = None, mocks: dict[str, Any] | None = None) -> dict[str, Any]:
    """Simulate an engine definition (as the API takes it) and return the JSON trace.

    Meant for other tools (the emulator): no checker run and no input validation beyond
    applying defaults; a definition that cannot be read gives a failed trace whose
    ``error.cause`` lists the first problems. ``catalog`` defaults to the bundled one.
    """
    from flowdsl.frontend.source import load_source
    from flowdsl.simulate.inputs import InputError, prepare

    loaded = load_source(json.dumps(definition_json), "definition.json")
    wf = loaded.workflow
    problems = [d for d in loaded.diagnostics if d.severity.value == "error"]
    if wf is None or problems:
        cause = "; ".join(f"{d.span.line}:{d.span.column} {d.message}" for d in problems[:3]) or "unreadable"
        return {"status": "failed", "duration_s": 0.0, "cost_usd": 0.0, "output": None,
                "error": {"error": "invalid_definition", "cause": cause, "step": ""}, "steps": {}}
    if catalog is None:
        from flowdsl.catalog import bundled_catalog
        catalog = bundled_catalog()
    parsed = None
    if mocks is not None:
        parsed, diags = mocks_from_dict(mocks, wf)
        if parsed is None:
            raise ValueError("; ".join(d.message for d in diags[:3]))
    try:
        values = prepare(wf, inputs)
    except InputError:
        values = dict(inputs)  # the caller decides what a bad input means; run with what was given
    return Simulator(wf, catalog, parsed).run(values, seed=seed).trace()
