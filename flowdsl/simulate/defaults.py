"""What a step returns, how long it takes and what it costs when no mock says otherwise.

Durations: the catalog's figure for the model when it has one, else the table below by
the kind of media the model produces. The docs give image generation 10-60 s and video
generation 60-600 s; the audio, text and json ranges, every cost, and the http and python
figures are the simulator's own assumptions (marked ``estimated`` in traces), since the
docs publish no prices. The image cost is the one figure a docs example shows (0.03 USD).

A nominal run uses the middle of each range; a seeded or Monte Carlo run draws uniformly
from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flowdsl.catalog.model import ModelSpec

MOCK_HOST = "https://mock.flowdsl.invalid"


@dataclass(frozen=True)
class MediaDefault:
    duration_s: tuple[float, float]
    cost_usd: float
    extension: str | None  # None: the output is not a file


MEDIA: dict[str, MediaDefault] = {
    "image": MediaDefault((10.0, 60.0), 0.03, "png"),
    "video": MediaDefault((60.0, 600.0), 0.50, "mp4"),
    "audio": MediaDefault((5.0, 120.0), 0.05, "mp3"),
    "text": MediaDefault((2.0, 30.0), 0.01, None),
    "json": MediaDefault((2.0, 30.0), 0.01, None),
}
# A model the catalog does not know: the image figures, a file without a known extension.
UNKNOWN_MODEL = MediaDefault((10.0, 60.0), 0.03, "bin")

HTTP_DURATION_S = (0.5, 1.5)
HTTP_COST_USD = 0.0
PYTHON_DURATION_S = (0.5, 0.5)
PYTHON_COST_USD = 0.0
# Real-time limit for a python step's process (its own timeout when shorter).
PYTHON_TIME_LIMIT_S = 30.0
# The engine's execution limit: the default workflow timeout and its hard ceiling.
WORKFLOW_LIMIT_S = 900.0
# Retry fields left out of a retry block.
RETRY_BACKOFF = 2.0
RETRY_DELAY_S = 1.0
# Count params that make a model return that many results (capped like the docs' 4 images).
COUNT_PARAMS = ("num_outputs", "num_images")
MAX_COUNT = 4


def media_of(spec: ModelSpec | None, slug: str) -> str | None:
    if spec is not None and spec.output_media is not None:
        return spec.output_media
    try:
        from flowdsl.catalog.convert import infer_output_media
    except ImportError:  # pragma: no cover - the catalog ships with flowdsl
        return None
    return infer_output_media(slug)


def model_estimate(spec: ModelSpec | None, slug: str) -> tuple[tuple[float, float], float, bool, bool]:
    """(duration range, cost, duration estimated?, cost estimated?) for a model."""
    media = media_of(spec, slug)
    table = MEDIA.get(media or "", UNKNOWN_MODEL)
    duration = spec.duration_s if spec is not None and spec.duration_s else None
    cost = spec.cost_usd if spec is not None and spec.cost_usd is not None else None
    return (duration or table.duration_s, table.cost_usd if cost is None else cost,
            duration is None, cost is None)


def _count(params: Any) -> int:
    if isinstance(params, dict):
        for name in COUNT_PARAMS:
            n = params.get(name)
            if isinstance(n, int) and not isinstance(n, bool) and n >= 1:
                return min(n, MAX_COUNT)
    return 1


def model_output(spec: ModelSpec | None, slug: str, step_id: str, attempt: int, params: Any) -> Any:
    """A plausible output: URLs with the right extension for media, a list for array
    models, text for text models, an object for JSON models."""
    media = media_of(spec, slug)
    table = MEDIA.get(media or "", UNKNOWN_MODEL)
    out_type = spec.output_type if spec is not None else None
    if media == "text":
        one: Any = f"Mock text from {slug} ({step_id}, attempt {attempt})."
    elif media == "json" or (out_type == "object" and table.extension is None):
        one = {"mock": True, "model": slug, "step": step_id}
    else:
        one = f"{MOCK_HOST}/{step_id}/{attempt}-0.{table.extension}"
    if out_type == "array":
        if isinstance(one, str) and one.startswith(MOCK_HOST):
            return [f"{MOCK_HOST}/{step_id}/{attempt}-{i}.{table.extension}" for i in range(_count(params))]
        return [one]
    if out_type == "object" and isinstance(one, str) and one.startswith(MOCK_HOST):
        return {"url": one}
    return one


def http_output(method: str, url: Any) -> dict[str, Any]:
    """An http step is never sent: it answers 200 with an empty JSON body."""
    return {"status": 200, "body": {}, "mock": True, "method": method, "url": url}


def primary_of(output: Any) -> Any:
    """The first result of a list output, the output itself otherwise."""
    if isinstance(output, list):
        return output[0] if output else None
    return output
