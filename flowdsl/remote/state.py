"""Which remote workflow a local flow is: the mapping that must survive a fresh clone.

Two layers, so that neither a second machine nor a CI run ever creates a duplicate:

1. ``.flowdsl/state.json`` in the project root (the nearest directory with ``.flowdsl/``,
   ``flowdsl.lock`` or ``.git``), meant to be committed: per API endpoint, flow path (relative
   to the root) -> ``{workflow_id, slug, name}``. It survives renames: a flow whose ``name``
   changed still maps to its workflow, and deploy renames it.
2. When there is no entry (fresh clone without the file, new CI runner), the workflow is
   found on the server by identity: the API derives a workflow's slug from its name and keeps
   slugs unique, so ``GET /workflows/{slug(name)}`` (then a name search) finds the one
   workflow this flow deployed. The entry is then written back.

Nothing is added to the deployed definition for this: a marker there would show up as a
change in every plan and in the engine's own UI.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowdsl.catalog.cache import LOCK_NAME, atomic_write
from flowdsl.remote.client import ApiClient
from flowdsl.remote.errors import ApiError, ConflictError, NotFoundError
from flowdsl.remote.naming import slugify

STATE_DIR = ".flowdsl"
STATE_FILE = "state.json"
STATE_VERSION = 1


def project_root(start: Path) -> Path:
    here = (start if start.is_dir() else start.parent).resolve()
    for d in (here, *here.parents):
        if (d / STATE_DIR).is_dir() or (d / LOCK_NAME).is_file() or (d / ".git").exists():
            return d
    return here


@dataclass(frozen=True)
class RemoteRef:
    workflow_id: str
    slug: str
    name: str


class StateFile:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / STATE_DIR / STATE_FILE
        self._lock = threading.Lock()

    @classmethod
    def for_flow(cls, flow_path: Path) -> "StateFile":
        return cls(project_root(flow_path))

    def key(self, flow_path: Path) -> str:
        try:
            return flow_path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return flow_path.resolve().as_posix()

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"state_version": STATE_VERSION, "remotes": {}}
        if not isinstance(data, dict) or not isinstance(data.get("remotes"), dict):
            return {"state_version": STATE_VERSION, "remotes": {}}
        return data

    def get(self, endpoint: str, flow_path: Path) -> RemoteRef | None:
        entry = self._read()["remotes"].get(endpoint, {}).get(self.key(flow_path))
        if not isinstance(entry, dict) or not entry.get("workflow_id"):
            return None
        return RemoteRef(str(entry["workflow_id"]), str(entry.get("slug", "")), str(entry.get("name", "")))

    def other_owner(self, endpoint: str, flow_path: Path, workflow_id: str) -> str | None:
        """Another flow file already mapped to this workflow, if any."""
        mine = self.key(flow_path)
        for key, entry in self._read()["remotes"].get(endpoint, {}).items():
            if key != mine and isinstance(entry, dict) and entry.get("workflow_id") == workflow_id:
                return key
        return None

    def put(self, endpoint: str, flow_path: Path, ref: RemoteRef) -> None:
        with self._lock:
            data = self._read()
            remote = data["remotes"].setdefault(endpoint, {})
            entry = {"workflow_id": ref.workflow_id, "slug": ref.slug, "name": ref.name}
            if remote.get(self.key(flow_path)) == entry:
                return
            remote[self.key(flow_path)] = entry
            data["remotes"][endpoint] = {k: remote[k] for k in sorted(remote)}
            atomic_write(self.path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8"))


def ref_of(workflow: dict[str, Any]) -> RemoteRef:
    return RemoteRef(str(workflow["workflow_id"]), str(workflow.get("slug") or ""), str(workflow.get("name") or ""))


def find_remote(client: ApiClient, name: str, known: RemoteRef | None) -> dict[str, Any] | None:
    """The deployed workflow for a flow, or None when it was never deployed."""
    if known is not None:
        wf = client.get_workflow(known.workflow_id)
        if wf is not None:
            return wf
    wf = client.get_workflow(slugify(name))
    if wf is not None and wf.get("name") == name:
        return wf
    try:
        matches = [w for w in client.list_workflows(keyword=name) if w.get("name") == name]
    except (NotFoundError, ConflictError):
        return None  # a surface without the list route: the slug lookup was all we had
    except ApiError as exc:
        if exc.status == 405:
            return None
        raise
    if not matches:
        return None
    if len(matches) > 1:
        ids = ", ".join(str(m.get("workflow_id")) for m in matches)
        raise ConflictError(f"{len(matches)} workflows are named {name!r} ({ids}); "
                            f"record the right one in {STATE_DIR}/{STATE_FILE}", 409)
    return client.get_workflow(str(matches[0]["workflow_id"]))
