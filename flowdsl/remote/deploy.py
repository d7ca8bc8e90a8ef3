"""``deploy``: apply a plan — create the workflow, or PUT the next version — safely under
dropped responses and retries.

Every write is either idempotent or preceded by a look:
- a version is written with ``PUT .../versions/vN`` carrying the whole body, so re-sending
  it after a lost response changes nothing; when a re-send is refused (the first attempt
  already locked the version), the version on the server is compared with what was sent;
- a workflow is created with a non-idempotent POST: after an ambiguous failure (dropped
  connection, 5xx) or a 409, the workflow is looked up by identity before any re-post.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from flowdsl.remote.client import ApiClient, latest_version_id
from flowdsl.remote.errors import (AmbiguousWriteError, ApiError, ConflictError, LockedError,
                                   RemoteError, TransportError)
from flowdsl.remote.flowfile import LocalFlow, comparable
from flowdsl.remote.naming import slugify
from flowdsl.remote.plan import FlowPlan, check_not_stale, find_version, plan_flow
from flowdsl.remote.state import StateFile, find_remote, ref_of


@dataclass
class DeployOutcome:
    file: str
    name: str
    action: str  # created | updated | noop | failed
    workflow_id: str | None = None
    slug: str | None = None
    version: str | None = None
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "name": self.name, "action": self.action,
                "workflow_id": self.workflow_id, "slug": self.slug, "version": self.version,
                "message": self.message}


def _version_matches(wf: dict[str, Any] | None, vid: str, body: dict[str, Any]) -> bool:
    version = find_version(wf or {}, vid)
    if version is None:
        return False
    if comparable(version.get("definition")) != comparable(body.get("definition")):
        return False
    return all(bool(version.get(flag)) == bool(body[flag]) for flag in ("locked", "production") if flag in body)


def _create_or_adopt(client: ApiClient, name: str, body: dict[str, Any],
                     sleep: Callable[[float], None]) -> dict[str, Any]:
    policy = client.settings.retry
    for attempt in range(1, policy.max_attempts + 1):
        conflict: ConflictError | None = None
        try:
            return client.create_workflow(body)
        except AmbiguousWriteError:
            pass  # it may exist now (ours, with the response lost): look before re-posting
        except ConflictError as exc:
            conflict = exc
        found = find_remote(client, name, None)
        if found is not None:
            return found
        if conflict is not None:
            raise ConflictError(f"cannot create workflow {name!r}: its slug {slugify(name)!r} "
                                f"belongs to a workflow with another name", 409)
        if attempt < policy.max_attempts:
            sleep(policy.delay(attempt))
    raise TransportError(f"could not create workflow {name!r} after {policy.max_attempts} attempts")


def _put_version(client: ApiClient, wf: dict[str, Any], vid: str, body: dict[str, Any]) -> None:
    wid = str(wf["workflow_id"])
    existing = find_version(wf, vid)
    if existing is not None and existing.get("locked") and not _version_matches(wf, vid, body):
        raise LockedError(f"version {vid} of workflow {wf.get('slug')!r} is locked; it was not modified", 403)
    try:
        client.upsert_version(wid, vid, body)
    except (LockedError, TransportError, ApiError) as exc:
        # A re-sent PUT may be refused because the first one (response lost) already locked
        # the version: what counts is whether the server now holds what we sent.
        if _version_matches(client.get_workflow(wid), vid, body):
            return
        if isinstance(exc, LockedError):
            raise LockedError(f"workflow {wf.get('slug')!r}: cannot write version {vid}: {exc}", 403) from None
        raise


def apply_plan(client: ApiClient, plan: FlowPlan, *, check_stale: bool = False,
               sleep: Callable[[float], None] = time.sleep) -> DeployOutcome:
    path = Path(plan.file)
    state = StateFile.for_flow(path)
    endpoint = client.endpoints.workflows
    out = DeployOutcome(plan.file, plan.name, plan.action, plan.workflow_id, plan.slug)
    if check_stale:
        remote = find_remote(client, plan.name, state.get(endpoint, path))
        if remote is None and plan.workflow_id:
            remote = client.get_workflow(plan.workflow_id)
        check_not_stale(plan, remote)
    if plan.action == "noop":
        out.version = plan.base_version
        out.message = f"no changes: {plan.base_version} is up to date"
        return out
    flags = {k: v for k, v in plan.flags.items() if v}
    if plan.action == "create":
        assert plan.body is not None
        wf = _create_or_adopt(client, plan.name, plan.body, sleep)
        state.put(endpoint, path, ref_of(wf))
        vid = latest_version_id(wf) or str(plan.next_version or "v1")
        version = find_version(wf, vid)
        if version is None or comparable(version.get("definition")) != comparable(plan.body.get("definition")):
            # The create went through without its version (or a stranger's workflow holds
            # the name): write ours as the next version.
            from flowdsl.remote.plan import next_version_id
            vid = next_version_id(wf) if version is not None else vid
            body = {"version_id": vid, "definition": {**plan.body["definition"], "version": vid}, **flags}
            _put_version(client, wf, vid, body)
        elif flags:
            # Flags go on the version (the create request's locked/production are
            # workflow-level and would lock the whole workflow).
            _put_version(client, wf, vid, {"version_id": vid, "definition": version.get("definition"), **flags})
        out.action, out.workflow_id, out.slug, out.version = "created", str(wf["workflow_id"]), wf.get("slug"), vid
        out.message = f"created workflow {wf.get('slug')!r} ({wf['workflow_id']}) at {vid}"
        return out
    # update
    assert plan.workflow_id is not None
    current = client.get_workflow(plan.workflow_id)
    if current is None:
        raise RemoteError(f"workflow {plan.slug!r} ({plan.workflow_id}) disappeared during deploy")
    wf = current
    if plan.metadata:
        meta = {str(c.path[0]): c.new for c in plan.metadata}
        if client.endpoints.surface == "v1":
            meta = {k: v for k, v in meta.items() if k == "name"}
        wf = client.update_workflow(plan.workflow_id, meta) or wf
        state.put(endpoint, path, ref_of(wf))
    if plan.body is not None:
        vid = str(plan.next_version)
        body = dict(plan.body)
        if vid == plan.base_version:
            # Flags only: never overwrite a locked version (the body carries its definition).
            existing = find_version(wf, vid)
            if existing is not None and existing.get("locked"):
                raise LockedError(f"version {vid} of workflow {wf.get('slug')!r} is locked; "
                                  f"cannot set {', '.join(sorted(flags)) or 'flags'} on it", 403)
        _put_version(client, wf, vid, body)
        out.version = vid
    out.action, out.slug = "updated", wf.get("slug")
    if plan.next_version != plan.base_version:
        out.message = f"workflow {wf.get('slug')!r}: {plan.base_version} -> {plan.next_version}"
    else:
        out.message = f"workflow {wf.get('slug')!r}: updated {plan.base_version} in place (metadata/flags)"
    return out


def deploy_flow(client: ApiClient, flow: LocalFlow, *, lock: bool = False, production: bool = False,
                sleep: Callable[[float], None] = time.sleep) -> DeployOutcome:
    plan = plan_flow(client, flow, lock=lock, production=production)
    return apply_plan(client, plan, sleep=sleep)
