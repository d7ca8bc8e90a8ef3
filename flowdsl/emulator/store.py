"""The emulator's state: workflows, their versions and executions, optionally persisted.

Everything is plain JSON-able dicts guarded by one lock, so ``--state FILE`` is a straight
dump/load and a test can inspect the server's view directly (``Store.snapshot()``).
"""

from __future__ import annotations

import copy
import json
import re
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from flowdsl.catalog.cache import atomic_write
from flowdsl.remote.naming import slugify

STATE_VERSION = 2  # 2: executions carry their outcome (end, status, error, output, ...)


def now_iso(ts: float | None = None) -> str:
    dt = datetime.now(timezone.utc) if ts is None else datetime.fromtimestamp(ts, timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


class ApiFailure(Exception):
    """An error the handler turns into ``{"error": message}`` with ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _upgrade_execution(ex: dict[str, Any]) -> dict[str, Any]:
    """An execution saved by state version 1 gets the outcome fields the views read; its
    final output was not saved then and reads as null."""
    if "end" in ex:
        return ex
    steps = ex.get("steps") or []
    fatal = next((r for r in steps if r.get("fatal")), None)
    ex["end"] = max([float(ex.get("run_start", ex.get("created", 0.0)))] + [float(r["end"]) for r in steps])
    ex["status"] = "failed" if fatal else "completed"
    ex["error"] = None if fatal is None else {"step": fatal["step_id"], "error": fatal.get("error"),
                                              "cause": fatal.get("error_cause")}
    for key, default in (("output", None), ("workflow_output", None), ("cost_usd", 0.0)):
        ex.setdefault(key, default)
    return ex


class Store:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.lock = threading.RLock()
        self.workflows: dict[str, dict[str, Any]] = {}  # workflow_id -> record
        self.executions: dict[str, dict[str, Any]] = {}  # execution_id -> record
        self.predictions: dict[str, dict[str, Any]] = {}  # prediction id -> record (same shape)
        self._seq = 0  # creation order: "newest first" must not depend on clock resolution
        if path is not None and path.is_file():
            self._load(path)

    # ------------------------------------------------------------ persistence
    def _load(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot read emulator state {path}: {exc}") from exc
        self.workflows = dict(data.get("workflows", {}))
        self.executions = {eid: _upgrade_execution(ex) for eid, ex in dict(data.get("executions", {})).items()}
        self.predictions = dict(data.get("predictions", {}))
        self._seq = int(data.get("seq", len(self.workflows)))

    def save(self) -> None:
        if self.path is None:
            return
        with self.lock:
            body = {"state_version": STATE_VERSION, "seq": self._seq,
                    "workflows": self.workflows, "executions": self.executions,
                    "predictions": self.predictions}
            text = json.dumps(body, indent=1, sort_keys=True)
        atomic_write(self.path, text.encode("utf-8"))

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return copy.deepcopy({"workflows": self.workflows, "executions": self.executions,
                                  "predictions": self.predictions})

    # ------------------------------------------------------------ workflows
    def find_workflow(self, ident: str) -> dict[str, Any]:
        with self.lock:
            wf = self.workflows.get(ident)
            if wf is None:
                wf = next((w for w in self.workflows.values() if w["slug"] == ident), None)
            if wf is None or wf.get("status") == "deleted":
                raise ApiFailure(404, f"workflow not found: {ident}")
            return wf

    def _slug_taken(self, slug: str, except_id: str | None = None) -> bool:
        return any(w["slug"] == slug and w["workflow_id"] != except_id
                   for w in self.workflows.values())

    def create_workflow(self, body: dict[str, Any], *, full: bool) -> dict[str, Any]:
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ApiFailure(400, "name is required")
        definition = body.get("definition")
        if definition is not None and not isinstance(definition, dict):
            raise ApiFailure(400, "definition must be an object")
        if full:
            # The engine route requires a definition with at least one step.
            if definition is None:
                raise ApiFailure(400, "definition is required")
            if not isinstance(definition.get("steps"), list) or not definition["steps"]:
                raise ApiFailure(400, "definition must include at least one step")
        slug = slugify(name)
        stamp = now_iso()
        with self.lock:
            if self._slug_taken(slug):
                raise ApiFailure(409, f"a workflow with slug '{slug}' already exists")
            self._seq += 1
            wf_id = str(uuid.uuid4())
            categories = body.get("categories") if full else None
            wf: dict[str, Any] = {
                "workflow_id": wf_id,
                "slug": slug,
                "name": name,
                "description": str(body.get("description") or "") if full else "",
                "categories": list(categories) if isinstance(categories, list) else ["general"],
                "tags": [],
                "locked": bool(body.get("locked", False)) if full else False,
                "production": bool(body.get("production", False)) if full else False,
                "is_public": False,
                "clone_count": 0,
                "status": "active",
                "trigger_count": 0,
                "created_at": stamp,
                "updated_at": stamp,
                "seq": self._seq,
                "versions": {},
                "latest_version_id": None,
            }
            if definition is not None:
                label = definition.get("version")
                vid = label if isinstance(label, str) and label else "v1"
                wf["versions"][vid] = self._new_version(wf, vid, definition, stamp)
                wf["latest_version_id"] = vid
            self.workflows[wf_id] = wf
            return wf

    @staticmethod
    def _new_version(wf: dict[str, Any], vid: str, definition: dict[str, Any] | None,
                     stamp: str) -> dict[str, Any]:
        return {
            "version_id": vid,
            "definition": copy.deepcopy(definition) if definition is not None else None,
            "published": False, "locked": False, "production": False,
            "allowed_to_share": False, "trigger_count": 0, "status": "active",
            "visibility": "private", "created_at": stamp, "updated_at": stamp,
        }

    def update_workflow(self, ident: str, body: dict[str, Any], *, full: bool) -> dict[str, Any]:
        with self.lock:
            wf = self.find_workflow(ident)
            unlocking = full and body.get("locked") is False
            if wf["locked"] and not unlocking:
                raise ApiFailure(403, f"workflow '{wf['slug']}' is locked")
            if "name" in body:
                name = body["name"]
                if not isinstance(name, str) or not name.strip():
                    raise ApiFailure(400, "name must be a non-empty string")
                slug = slugify(name)
                if slug != wf["slug"] and self._slug_taken(slug, wf["workflow_id"]):
                    raise ApiFailure(409, f"slug '{slug}' is already taken by another workflow")
                wf["name"], wf["slug"] = name, slug
            if full:  # the v1 route honours only `name`
                if isinstance(body.get("description"), str):
                    wf["description"] = body["description"]
                if isinstance(body.get("categories"), list):
                    wf["categories"] = [str(c) for c in body["categories"]]
                for flag in ("locked", "production"):
                    if isinstance(body.get(flag), bool):
                        wf[flag] = body[flag]
            wf["updated_at"] = now_iso()
            return wf

    def upsert_version(self, ident: str, path_vid: str, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        override = body.get("version_id")
        vid: str = override if isinstance(override, str) and override else path_vid
        definition = body.get("definition")
        if definition is not None and not isinstance(definition, dict):
            raise ApiFailure(400, "definition must be an object")
        with self.lock:
            wf = self.find_workflow(ident)
            if wf["locked"]:
                raise ApiFailure(403, f"workflow '{wf['slug']}' is locked")
            stamp = now_iso()
            version = wf["versions"].get(vid)
            if version is not None and version.get("locked"):
                raise ApiFailure(403, f"version {vid} of workflow '{wf['slug']}' is locked")
            if version is None:
                if definition is None:
                    raise ApiFailure(400, f"definition is required to create version {vid}")
                version = self._new_version(wf, vid, definition, stamp)
                wf["versions"][vid] = version
            elif definition is not None:
                version["definition"] = copy.deepcopy(definition)
            if isinstance(body.get("output_mapping"), dict) and version.get("definition") is not None:
                version["definition"]["output_mapping"] = dict(body["output_mapping"])
            for flag in ("published", "locked", "production", "allowed_to_share"):
                if isinstance(body.get(flag), bool):
                    version[flag] = body[flag]
            if body.get("allowed_to_share") is not None and version["visibility"] != "public":
                version["visibility"] = "unlisted" if version["allowed_to_share"] else "private"
            if version.get("production"):
                # One production version per workflow.
                for other in wf["versions"].values():
                    if other is not version:
                        other["production"] = False
                wf["production"] = True
            version["updated_at"] = stamp
            wf["latest_version_id"] = vid
            wf["updated_at"] = stamp
            return wf, version

    def list_workflows(self, keyword: str | None = None,
                       category: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            items = [w for w in self.workflows.values() if w.get("status") != "deleted"]
        if keyword:
            items = [w for w in items if keyword.lower() in w["name"].lower()]
        if category:
            items = [w for w in items if category in w["categories"]]
        return sorted(items, key=lambda w: w["seq"], reverse=True)


# ---------------------------------------------------------------- views (response bodies)

def version_view(wf: dict[str, Any], version: dict[str, Any], *, with_definition: bool = True) -> dict[str, Any]:
    view = {k: v for k, v in version.items() if k != "definition"}
    view["slug"] = wf["slug"]
    if with_definition and version.get("definition") is not None:
        view["definition"] = copy.deepcopy(version["definition"])
    return view


def _version_order(vid: str) -> tuple[int, str]:
    m = re.fullmatch(r"v(\d+)", vid)
    return (int(m.group(1)) if m else -1, vid)


def workflow_view(wf: dict[str, Any]) -> dict[str, Any]:
    view = {k: copy.deepcopy(v) for k, v in wf.items() if k not in ("versions", "seq", "latest_version_id")}
    if wf.get("latest_version_id"):
        view["latest_version_id"] = wf["latest_version_id"]
    view["versions"] = [version_view(wf, wf["versions"][vid])
                        for vid in sorted(wf["versions"], key=_version_order)]
    return view


def workflow_summary(wf: dict[str, Any]) -> dict[str, Any]:
    keys = ("workflow_id", "slug", "name", "categories", "tags", "status", "trigger_count",
            "clone_count", "is_public", "production", "created_at", "updated_at")
    view = {k: copy.deepcopy(wf[k]) for k in keys}
    view["node_based"] = False
    return view
