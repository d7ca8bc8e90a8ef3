"""The model catalog endpoints (``/v1/models``, ``/v1/model``), served without auth."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowdsl.emulator.routing import Request, int_param, route
from flowdsl.emulator.store import ApiFailure

if TYPE_CHECKING:
    from flowdsl.emulator.server import Emulator


@route("GET", "/models", surfaces=("v1",), auth=False)
def list_models(emu: "Emulator", req: Request) -> tuple[int, Any]:
    limit = int_param(req.query, "limit", 50, 1, 500)
    offset = int_param(req.query, "offset", 0, 0, None)
    name = req.query.get("name", "").lower()
    items = [m for m in emu.models.values()
             if not name or name in m["slug"].lower() or name in m["title"].lower()]
    return 200, items[offset:offset + limit]


@route("GET", "/model", surfaces=("v1",), auth=False)
def get_model(emu: "Emulator", req: Request) -> tuple[int, Any]:
    slug = req.query.get("slug")
    if not slug:
        raise ApiFailure(400, "slug parameter is required")
    model = emu.models.get(slug)
    if model is None:
        raise ApiFailure(404, "Failed to fetch model: model not found")
    return 200, model
