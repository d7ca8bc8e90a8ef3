"""What the checker and simulator know about a model, whatever the catalog source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

OutputType = Literal["string", "array", "object"]
Media = Literal["image", "video", "audio", "text", "json"]


@dataclass(frozen=True)
class ModelSpec:
    slug: str
    title: str = ""
    version: str | None = None
    # The API's output_type; None when not known.
    output_type: OutputType | None = None
    # The kind of media the primary output is; None when not known.
    output_media: Media | None = None
    # JSON Schema of the model's params; None when unknown.
    request_schema: dict[str, Any] | None = None
    # True when request_schema lists every parameter (so unknown params can be flagged).
    schema_complete: bool = False
    # Media each param expects, e.g. {"image_url": "image"} (checker's media-type rule).
    param_media: dict[str, Media] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    # Simulation hints: typical duration (seconds, low/high) and cost in USD.
    duration_s: tuple[float, float] | None = None
    cost_usd: float | None = None
    source: str = "bundled"  # bundled | cache | live
    # Where the schema came from: docs-table (a documented parameter table, complete),
    # docs-example / seed-list (named in docs, partial), legacy-console (a console export's
    # input spec), api (the model JSON of the API or the emulator). None when unknown.
    origin: str | None = None
    # One line of our own words about the model (catalog list/search); may be empty.
    description: str = ""


class Catalog(Protocol):
    """A source of model specs. ``complete`` is true when ``slugs()`` is the whole list
    the platform offers (only then is an unknown slug an error rather than a warning)."""

    complete: bool

    def get(self, slug: str) -> ModelSpec | None: ...

    def slugs(self) -> list[str]: ...

    def resolve_alias(self, name: str) -> str | None: ...
