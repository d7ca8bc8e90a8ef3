"""Talking to the each::labs API: client, catalog sync, plan, deploy, trigger.

Public surface:
    settings: load_settings, Settings, Secret, RetryPolicy, endpoints_for
    client:   ApiClient (httpx over an injected transport), ClientStats
    errors:   RemoteError and subclasses (see errors.py for the tree and exit codes)
    sync:     sync_models, verify_offline, SyncResult
    flows:    load_flow, LocalFlow
    plan:     plan_flow, FlowPlan, render_plan, save_plan, load_plan
    deploy:   deploy_flow, apply_plan, DeployOutcome
    trigger:  start_execution, start_bulk, ExecutionWatch
    state:    StateFile, find_remote (local -> remote mapping)
"""

from flowdsl.remote.client import ApiClient, ClientStats
from flowdsl.remote.errors import (AmbiguousWriteError, ApiError, AuthError, BadRequestError,
                                   ConfigError, ConflictError, FlowError, FlowFileError, ForbiddenError,
                                   LockedError, NotFoundError, RateLimitedError, RemoteError,
                                   ServerError, StalePlanError, SyncError, TransportError,
                                   UnreachableError, WrongEndpointError)
from flowdsl.remote.settings import (Endpoints, RetryPolicy, Secret, Settings, endpoints_for,
                                     load_settings)

__all__ = [
    "ApiClient", "ClientStats", "Endpoints", "RetryPolicy", "Secret", "Settings",
    "endpoints_for", "load_settings",
    "RemoteError", "ConfigError", "FlowError", "FlowFileError", "TransportError", "AmbiguousWriteError",
    "ApiError", "BadRequestError", "AuthError", "ForbiddenError", "LockedError",
    "NotFoundError", "ConflictError", "RateLimitedError", "ServerError", "StalePlanError",
    "SyncError", "UnreachableError", "WrongEndpointError",
]
