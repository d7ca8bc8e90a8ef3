"""``plan``: what ``deploy`` would do, per flow, as a diff against the deployed latest version.

A saved plan (``plan --out F``) is bound to the remote state it was made against: the
workflow's latest version id and the SHA-256 of that version's definition (or, for a create,
the fact that no such workflow existed). ``deploy --plan F`` re-reads the remote and refuses
the plan if either moved — including a create-plan whose workflow now exists, so a plan can
never be applied twice.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowdsl.catalog.cache import atomic_write, canonical_json
from flowdsl.remote.client import ApiClient, latest_version_id, version_number
from flowdsl.remote.diff import Change, diff, render
from flowdsl.remote.errors import FlowError, RemoteError, StalePlanError
from flowdsl.remote.flowfile import LocalFlow, comparable
from flowdsl.remote.state import StateFile, find_remote, ref_of

PLAN_VERSION = 1


def definition_hash(definition: dict[str, Any] | None) -> str | None:
    if definition is None:
        return None
    return hashlib.sha256(canonical_json(comparable(definition)).encode("utf-8")).hexdigest()


def find_version(workflow: dict[str, Any], version_id: str | None) -> dict[str, Any] | None:
    for v in workflow.get("versions") or []:
        if isinstance(v, dict) and v.get("version_id") == version_id:
            return v
    return None


def next_version_id(workflow: dict[str, Any]) -> str:
    ids = [str(v.get("version_id")) for v in workflow.get("versions") or [] if isinstance(v, dict)]
    n = max([version_number(i) for i in ids] + [len(ids)]) + 1
    while f"v{n}" in ids:
        n += 1
    return f"v{n}"


def metadata_changes(flow: LocalFlow, remote: dict[str, Any], surface: str) -> list[Change]:
    """Workflow-level fields the surface lets us set (the /v1 surface honours only name)."""
    out: list[Change] = []
    if remote.get("name") != flow.name:
        out.append(Change("~", ("name",), old=remote.get("name"), new=flow.name))
    if surface == "engine":
        if "description" in remote and (remote.get("description") or "") != flow.description:
            out.append(Change("~", ("description",), old=remote.get("description"), new=flow.description))
        cats = list(flow.categories) or None
        if cats is not None and "categories" in remote and list(remote.get("categories") or []) != cats:
            out.append(Change("~", ("categories",), old=remote.get("categories"), new=cats))
    return out


@dataclass
class FlowPlan:
    file: str
    name: str
    action: str  # create | update | noop | error
    workflow_id: str | None = None
    slug: str | None = None
    base_version: str | None = None  # remote latest version id when planned
    base_hash: str | None = None  # sha256 of that version's definition
    next_version: str | None = None
    changes: list[Change] = field(default_factory=list)
    metadata: list[Change] = field(default_factory=list)
    body: dict[str, Any] | None = None  # create request or version request to apply
    flags: dict[str, bool] = field(default_factory=dict)  # --lock / --production
    error: str | None = None

    @property
    def has_changes(self) -> bool:
        return self.action in ("create", "update")

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "name": self.name, "action": self.action,
                "workflow_id": self.workflow_id, "slug": self.slug,
                "base_version": self.base_version, "base_hash": self.base_hash,
                "next_version": self.next_version,
                "changes": [c.to_json() for c in self.changes],
                "metadata": [c.to_json() for c in self.metadata],
                "body": self.body, "flags": self.flags, "error": self.error}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "FlowPlan":
        def changes(items: Any) -> list[Change]:
            return [Change(c["op"], (c["path"],), c.get("old"), c.get("new")) for c in items or []]
        return cls(file=str(data["file"]), name=str(data["name"]), action=str(data["action"]),
                   workflow_id=data.get("workflow_id"), slug=data.get("slug"),
                   base_version=data.get("base_version"), base_hash=data.get("base_hash"),
                   next_version=data.get("next_version"), changes=changes(data.get("changes")),
                   metadata=changes(data.get("metadata")), body=data.get("body"),
                   flags=dict(data.get("flags") or {}), error=data.get("error"))


def plan_flow(client: ApiClient, flow: LocalFlow, *, lock: bool = False,
              production: bool = False) -> FlowPlan:
    state = StateFile.for_flow(flow.path)
    known = state.get(client.endpoints.workflows, flow.path)
    remote = find_remote(client, flow.name, known)
    plan = FlowPlan(file=str(flow.path), name=flow.name, action="noop")
    if remote is None:
        plan.action = "create"
        plan.next_version = str(flow.definition.get("version") or "v1")
        plan.changes = [Change("+", (k,), new=v) for k, v in comparable(flow.definition).items()]
        plan.body = flow.create_body()
        plan.flags = {"locked": lock, "production": production}
        return plan
    other = state.other_owner(client.endpoints.workflows, flow.path, str(remote["workflow_id"]))
    if other is not None and (other_path := state.root / other).is_file():
        # Two files deploying to one workflow would overwrite each other's versions.
        raise FlowError(f"{flow.path} and {other_path} both map to workflow {remote.get('slug')!r}; "
                        f"give each flow its own name")
    # Record the mapping as soon as it is known: a fresh clone learns it from the server.
    state.put(client.endpoints.workflows, flow.path, ref_of(remote))
    plan.workflow_id = str(remote["workflow_id"])
    plan.slug = remote.get("slug")
    plan.base_version = latest_version_id(remote)
    latest = find_version(remote, plan.base_version)
    remote_def = latest.get("definition") if latest else None
    plan.base_hash = definition_hash(remote_def)
    plan.metadata = metadata_changes(flow, remote, client.endpoints.surface)
    plan.changes = diff(comparable(remote_def), comparable(flow.definition))
    flags_differ = latest is not None and ((lock and not latest.get("locked")) or
                                           (production and not latest.get("production")))
    if plan.changes:
        plan.action = "update"
        plan.next_version = next_version_id(remote)
        plan.body = flow.version_body(plan.next_version, locked=lock, production=production)
    elif plan.metadata or flags_differ:
        plan.action = "update"
        plan.next_version = plan.base_version  # flags/metadata only: no new version
        if flags_differ:
            plan.body = flow.version_body(str(plan.base_version), locked=lock, production=production)
    plan.flags = {"locked": lock, "production": production}
    return plan


def render_plan(plans: list[FlowPlan]) -> str:
    lines: list[str] = []
    for p in plans:
        where = f"  ({p.file})"
        if p.action == "error":
            continue  # reported on stderr by the command, one line each
        if p.action == "create":
            steps = [s.get("step_id", s.get("id")) for s in (p.body or {}).get("definition", {}).get("steps", [])
                     if isinstance(s, dict)]
            lines.append(f"+ create workflow {p.name!r} as {p.next_version}{where}")
            lines.append(f"      steps: {', '.join(str(s) for s in steps) or '(none)'}")
        elif p.action == "noop":
            lines.append(f"  {p.name!r} ({p.slug}): no changes, {p.base_version} is up to date{where}")
        else:
            if p.next_version != p.base_version:
                head = f"{p.base_version} -> {p.next_version}"
            else:
                head = f"{p.base_version} (flags/metadata only)"
            lines.append(f"~ update workflow {p.name!r} ({p.slug}): {head}{where}")
            if p.metadata:
                lines.extend(render(p.metadata))
            if p.changes:
                lines.extend(render(p.changes))
            flags = [k for k in ("locked", "production") if p.flags.get(k)]
            if flags:
                lines.append(f"~       set {', '.join(flags)} on {p.next_version}")
    n_create = sum(p.action == "create" for p in plans)
    n_update = sum(p.action == "update" for p in plans)
    n_noop = sum(p.action == "noop" for p in plans)
    n_err = sum(p.action == "error" for p in plans)
    summary = f"Plan: {n_create} to create, {n_update} to update, {n_noop} unchanged"
    if n_err:
        summary += f", {n_err} failed"
    lines.append(summary + ".")
    return "\n".join(lines)


def plan_document(plans: list[FlowPlan], endpoint: str) -> dict[str, Any]:
    return {"plan_version": PLAN_VERSION, "endpoint": endpoint,
            "flows": [p.to_json() for p in plans],
            "summary": {a: sum(p.action == a for p in plans) for a in ("create", "update", "noop", "error")}}


def plan_text(plans: list[FlowPlan], endpoint: str) -> str:
    """The saved-plan file's text (what ``deploy --plan`` reads back)."""
    return json.dumps(plan_document(plans, endpoint), indent=2, sort_keys=True) + "\n"


def save_plan(path: Path, plans: list[FlowPlan], endpoint: str) -> None:
    atomic_write(path, plan_text(plans, endpoint).encode("utf-8"))


def load_plan(path: Path) -> tuple[str, list[FlowPlan]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("plan_version") != PLAN_VERSION:
            raise ValueError(f"unsupported plan_version {data.get('plan_version')!r}")
        return str(data["endpoint"]), [FlowPlan.from_json(f) for f in data["flows"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RemoteError(f"cannot read plan {path}: {exc}") from None


def check_not_stale(plan: FlowPlan, remote: dict[str, Any] | None) -> None:
    if plan.action == "create":
        if remote is not None:
            raise StalePlanError(
                f"stale plan for {plan.file}: it creates {plan.name!r}, but workflow "
                f"{remote.get('slug')!r} now exists (already applied?); run `flowdsl plan` again")
        return
    if remote is None:
        raise StalePlanError(f"stale plan for {plan.file}: workflow {plan.slug!r} no longer exists")
    latest = latest_version_id(remote)
    current = definition_hash((find_version(remote, latest) or {}).get("definition"))
    if latest != plan.base_version or current != plan.base_hash:
        raise StalePlanError(
            f"stale plan for {plan.file}: the remote latest version is now {latest} "
            f"(planned against {plan.base_version}); run `flowdsl plan` again")
