"""Workflow endpoints: categories, create/list/get/update workflows, upsert versions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowdsl.emulator.routing import Request, body_object, int_param, route
from flowdsl.emulator.store import version_view, workflow_summary, workflow_view

if TYPE_CHECKING:
    from flowdsl.emulator.server import Emulator


# No key needed: the spec documents only a 200 here (no 401), and the list is static.
@route("GET", "/categories", surfaces=("engine",), auth=False)
def categories(emu: "Emulator", req: Request) -> tuple[int, Any]:
    stamp = "2025-12-01T10:00:00Z"
    cats = [("general", "General"), ("image-generation", "Image Generation"),
            ("video-generation", "Video Generation"), ("text-processing", "Text Processing"),
            ("audio-generation", "Audio Generation")]
    return 200, {"categories": [{"slug": s, "label": lbl, "description": lbl, "is_default": True,
                                 "created_at": stamp, "updated_at": stamp} for s, lbl in cats]}


@route("POST", "/workflows")
def create_workflow(emu: "Emulator", req: Request) -> tuple[int, Any]:
    wf = emu.store.create_workflow(body_object(req), full=not req.v1)
    return 201, workflow_view(wf)


@route("GET", "/workflows")
def list_workflows(emu: "Emulator", req: Request) -> tuple[int, Any]:
    limit = int_param(req.query, "limit", 50, 1, 100, clamp=True)
    offset = int_param(req.query, "offset", 0, 0, None, clamp=True)
    items = emu.store.list_workflows(req.query.get("keyword"), req.query.get("category"))
    page = items[offset:offset + limit]
    body: dict[str, Any] = {"workflows": [workflow_summary(w) for w in page],
                            "total_count": len(items)}
    if len(page) == limit:  # the next page's start, present while pages come back full
        body["offset"] = offset + limit
    return 200, body


@route("GET", "/workflows/{wf}")
def get_workflow(emu: "Emulator", req: Request) -> tuple[int, Any]:
    with emu.store.lock:
        return 200, workflow_view(emu.store.find_workflow(req.params["wf"]))


@route("PUT", "/workflows/{wf}")
def update_workflow(emu: "Emulator", req: Request) -> tuple[int, Any]:
    with emu.store.lock:
        wf = emu.store.update_workflow(req.params["wf"], body_object(req), full=not req.v1)
        return 200, workflow_view(wf)


@route("PUT", "/workflows/{wf}/versions/{version}")
def upsert_version(emu: "Emulator", req: Request) -> tuple[int, Any]:
    with emu.store.lock:
        wf, version = emu.store.upsert_version(req.params["wf"], req.params["version"], body_object(req))
        return 200, version_view(wf, version)
