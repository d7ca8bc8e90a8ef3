"""API model JSON <-> ModelSpec, and the media heuristics used when the API says nothing.

The API (``GET /v1/model?slug=``, and each file of the local cache) describes a model as
``{title, slug, version, output_type, request_schema}``; it does not say what *kind* of
media a model produces or which params take which media. We infer those, conservatively:
an answer of None means "unsure" and the checker then stays silent.

Output media (``infer_output_media``), from the slug and title:

1. an ``X-to-Y`` phrase decides by ``Y`` (``image-to-video`` -> video,
   ``text-to-speech`` -> audio, ``speech-to-text`` -> text);
2. otherwise keyword groups (video / audio / image / text, see ``_OUTPUT_KEYWORDS``);
   exactly one group must match, several (``face-swap-video``?) mean None; trainers
   (``*-trainer``) produce weights, so None.

Param media (``infer_param_media``), from the param's name and schema: only string (or
array-of-string) params qualify. The name is split on ``_``/``-``; trailing
``url``/``urls``/``uri``/``file``/``path``/``link`` tokens are dropped and digits stripped;
the last remaining token decides. Strong nouns (``image``, ``img``, ``photo``,
``picture``, ``video``, ``audio``) decide on their own (``image``, ``input_image2``,
``start_image_url``); weak ones (``mask``, ``face``, ``frame``, ``clip``, ``sound``,
``song``, ``music``) only with a url/file token or ``format: uri`` (``mask_url``,
``face_url``). ``voice`` is never media: it is usually a voice id.

Hints: the emulator and ``api_models()`` add an optional ``x_flowdsl`` object to the API
JSON (``schema_complete``, ``output_media``, ``param_media``, ``duration_s``,
``cost_usd``); the real API never sends it. When present it wins over the heuristics, so
a catalog synced from the emulator matches the bundled one exactly.
"""

from __future__ import annotations

import re
from typing import Any

from flowdsl.catalog.model import Media, ModelSpec, OutputType

HINTS_KEY = "x_flowdsl"
OUTPUT_TYPES: frozenset[str] = frozenset({"string", "array", "object"})
MEDIA: frozenset[str] = frozenset({"image", "video", "audio", "text", "json"})

_TO_PHRASE = re.compile(r"(?:^|[^a-z0-9])to[^a-z0-9]+(image|img|video|audio|speech|music|text|3d)\b")
_TO_MEDIA: dict[str, Media | None] = {
    "image": "image", "img": "image", "video": "video", "audio": "audio",
    "speech": "audio", "music": "audio", "text": "text", "3d": None,
}
# A keyword matches a whole token, or a token prefix when it ends with "*".
_OUTPUT_KEYWORDS: tuple[tuple[Media, tuple[str, ...]], ...] = (
    ("video", ("video", "veo", "veo3", "sora", "pixverse", "hailuo", "lipsync", "lip-sync",
               "i2v", "t2v", "subtitle", "retalking", "pika", "interpolation")),
    ("audio", ("tts", "speech", "music", "audio", "song", "sound", "elevenlabs", "voice")),
    ("image", ("image", "img", "photo", "flux", "imagen", "bg-remover", "background",
               "face-swap", "sdxl", "diffusion", "banana", "seedream", "ideogram",
               "headshot", "sticker")),
    ("text", ("gpt", "chatgpt", "llm", "llama", "claude", "transcri*", "whisper")),
)

_STRONG: dict[str, Media] = {
    "image": "image", "img": "image", "photo": "image", "picture": "image",
    "video": "video", "audio": "audio",
}
_WEAK: dict[str, Media] = {
    "mask": "image", "face": "image", "frame": "image", "clip": "video",
    "sound": "audio", "song": "audio", "music": "audio",
}
_URLISH = {"url", "urls", "uri", "file", "files", "path", "link"}


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[^a-z0-9]+", text.lower()) if t]


def infer_output_media(slug: str, title: str = "") -> Media | None:
    """The media a model produces, guessed from its slug and title; None when unsure."""
    text = f"{slug} {title}".lower()
    phrases = _TO_PHRASE.findall(text)
    if phrases:
        return _TO_MEDIA[phrases[-1]]
    tokens = _tokens(text)
    if any(t.startswith("train") for t in tokens):
        return None  # trainers produce weights, not media
    joined = "-".join(tokens)
    found: set[Media] = set()
    for media, words in _OUTPUT_KEYWORDS:
        for word in words:
            if "-" in word:
                hit = word in joined
            elif word.endswith("*"):
                hit = any(t.startswith(word[:-1]) for t in tokens)
            else:
                hit = word in tokens or any(t.rstrip("s") == word for t in tokens)
            if hit:
                found.add(media)
                break
    return found.pop() if len(found) == 1 else None


def infer_param_media(name: str, schema: dict[str, Any] | None = None) -> Media | None:
    """The media a param takes, guessed from its name (see module docstring)."""
    schema = schema if isinstance(schema, dict) else {}
    typ = schema.get("type")
    if typ == "array":
        items = schema.get("items")
        typ = items.get("type") if isinstance(items, dict) else None
        if typ is None:
            typ = "string"
    if typ is not None and typ != "string":
        return None
    tokens = [re.sub(r"\d+$", "", t) for t in _tokens(name)]
    tokens = [t for t in tokens if t]
    urlish = False
    while tokens and tokens[-1] in _URLISH:
        tokens.pop()
        urlish = True
    if not tokens:
        return None
    last = tokens[-1]
    if last.endswith("s") and last[:-1] in _STRONG | _WEAK:
        last = last[:-1]
    if last in _STRONG:
        return _STRONG[last]
    if last in _WEAK and (urlish or schema.get("format") == "uri"):
        return _WEAK[last]
    return None


def _clean_schema(schema: Any) -> dict[str, Any] | None:
    return schema if isinstance(schema, dict) else None


def _properties(schema: dict[str, Any] | None) -> dict[str, Any]:
    props = schema.get("properties") if schema else None
    return props if isinstance(props, dict) else {}


def api_to_spec(model: dict[str, Any], source: str = "cache", base: ModelSpec | None = None) -> ModelSpec:
    """A ModelSpec from the API's model JSON.

    ``base`` (usually the bundled spec of the same slug) supplies what the API cannot say:
    aliases, simulation hints, and media kinds for params it still has. Raises ValueError
    when ``model`` has no slug.
    """
    slug = model.get("slug")
    if not isinstance(slug, str) or not slug:
        raise ValueError("model JSON without a slug")
    hints = model.get(HINTS_KEY)
    hints = hints if isinstance(hints, dict) else {}
    title = model.get("title") if isinstance(model.get("title"), str) else (base.title if base else "")
    version = model.get("version")
    version = str(version) if isinstance(version, (str, int, float)) and not isinstance(version, bool) else None
    raw_output = model.get("output_type")
    output_type: OutputType | None = raw_output if raw_output in OUTPUT_TYPES else None  # type: ignore[assignment]
    schema = _clean_schema(model.get("request_schema"))
    props = _properties(schema)

    if isinstance(hints.get("schema_complete"), bool):
        complete = bool(hints["schema_complete"])
    elif base is not None and not base.schema_complete and schema == base.request_schema:
        # Our own partial snapshot echoed back (the emulator serves it): still partial.
        complete = False
    else:
        # The platform's own schema lists every param unless it says otherwise.
        complete = bool(props) and schema is not None and schema.get("additionalProperties") is not True

    output_media = hints.get("output_media") if hints.get("output_media") in MEDIA else None
    if output_media is None and "output_media" not in hints:
        output_media = (base.output_media if base else None) or infer_output_media(slug, title or "")

    param_media: dict[str, Media] = {}
    hinted = hints.get("param_media")
    if isinstance(hinted, dict):
        param_media = {k: v for k, v in hinted.items() if isinstance(k, str) and v in MEDIA}
    else:
        for name, prop in props.items():
            media = (base.param_media.get(name) if base else None) or infer_param_media(
                name, prop if isinstance(prop, dict) else None
            )
            if media:
                param_media[name] = media

    duration = hints.get("duration_s")
    if isinstance(duration, (list, tuple)) and len(duration) == 2 and all(
        isinstance(x, (int, float)) for x in duration
    ):
        duration_s: tuple[float, float] | None = (float(duration[0]), float(duration[1]))
    else:
        duration_s = base.duration_s if base else None
    cost = hints.get("cost_usd")
    cost_usd = float(cost) if isinstance(cost, (int, float)) and not isinstance(cost, bool) else (
        base.cost_usd if base else None
    )
    return ModelSpec(
        slug=slug,
        title=title or "",
        version=version,
        output_type=output_type,
        output_media=output_media,  # type: ignore[arg-type]
        request_schema=schema,
        schema_complete=complete,
        param_media=param_media,
        aliases=base.aliases if base else (),
        duration_s=duration_s,
        cost_usd=cost_usd,
        source=source,
        origin="api",
        description=base.description if base else "",
    )


def spec_to_api(spec: ModelSpec, hints: bool = True) -> dict[str, Any]:
    """The API-shaped JSON of a spec (``hints`` adds the ``x_flowdsl`` object)."""
    out: dict[str, Any] = {
        "title": spec.title,
        "slug": spec.slug,
        "version": spec.version,
        "output_type": spec.output_type,
        "request_schema": spec.request_schema,
    }
    if hints:
        out[HINTS_KEY] = {
            "schema_complete": spec.schema_complete,
            "output_media": spec.output_media,
            "param_media": dict(spec.param_media),
            "duration_s": list(spec.duration_s) if spec.duration_s else None,
            "cost_usd": spec.cost_usd,
        }
    return out
