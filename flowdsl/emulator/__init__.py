"""A local emulator of the each::labs API (workflows engine, /v1 surface, model catalog).

    from flowdsl.emulator import Emulator, EmulatorConfig
    with Emulator(EmulatorConfig(api_key="k", rate_limit_per_min=600)) as emu:
        emu.base_url   # http://127.0.0.1:PORT ; engine under /api/v1, newer surface under /v1

Modules: ``server`` (config, lifecycle on uvicorn), ``httpd`` (the ASGI app, and why
uvicorn), ``contract`` (the shipped OpenAPI specs: request checks, documented statuses and
error shapes), ``routing`` (the route table), the handlers ``model_routes``,
``workflow_routes``, ``execution_routes`` (trigger, bulk trigger, get, list),
``public_routes``, ``prediction_routes`` (predictions, the execution history),
``webhook_routes``; ``executions`` (a run, planned by the simulator), ``views`` (execution
response bodies), ``store``, ``catalog``, ``faults``, ``ratelimit``.
"""

from flowdsl.emulator.catalog import generate_models, load_models_dir
from flowdsl.emulator.executions import Timing
from flowdsl.emulator.faults import FAULT_KINDS, FaultConfig
from flowdsl.emulator.server import ENGINE_PREFIX, V1_PREFIX, Emulator, EmulatorConfig

__all__ = ["Emulator", "EmulatorConfig", "FaultConfig", "FAULT_KINDS", "Timing",
           "ENGINE_PREFIX", "V1_PREFIX", "generate_models", "load_models_dir"]
