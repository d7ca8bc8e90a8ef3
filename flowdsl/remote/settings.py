"""Where the API is and how to authenticate: the API key is wrapped so it cannot leak.

Base URL rules (``--api-url`` / ``FLOWDSL_API_URL``):
- ending in ``/api/v1``: the workflows engine (default ``https://workflows.eachlabs.run/api/v1``,
  ``X-API-Key``); models come from ``FLOWDSL_MODELS_URL`` or ``https://api.eachlabs.ai``
  (for a non-production host: the same host's root, which is what the emulator serves);
- ending in ``/v1``: the newer ``https://api.eachlabs.ai/v1`` surface (``Authorization: Bearer``),
  models from the same host;
- a bare root (``http://127.0.0.1:8080``, what ``flowdsl emulator`` prints): the emulator
  layout, engine under ``/api/v1`` and models at the root.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from flowdsl.remote.errors import ConfigError

DEFAULT_API_URL = "https://workflows.eachlabs.run/api/v1"
DEFAULT_MODELS_URL = "https://api.eachlabs.ai"
API_KEY_ENV = "EACHLABS_API_KEY"
API_URL_ENV = "FLOWDSL_API_URL"
MODELS_URL_ENV = "FLOWDSL_MODELS_URL"


class Secret:
    """A string that never prints itself: repr/str/format all give ``***``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")


def redact(text: str, secret: "Secret | None") -> str:
    """Belt and braces: anything shown to the user goes through this."""
    if secret is not None and secret.reveal() and len(secret.reveal()) >= 4:
        return text.replace(secret.reveal(), "***")
    return text


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_delay: float = 0.5  # seconds; doubled per attempt
    max_delay: float = 30.0
    multiplier: float = 2.0

    @classmethod
    def from_env(cls) -> "RetryPolicy":
        def num(name: str, default: float) -> float:
            raw = os.environ.get(name)
            try:
                return float(raw) if raw else default
            except ValueError:
                raise ConfigError(f"{name} must be a number, got {raw!r}") from None
        return cls(max_attempts=max(1, int(num("FLOWDSL_MAX_ATTEMPTS", cls.max_attempts))),
                   base_delay=max(0.0, num("FLOWDSL_BACKOFF_BASE", cls.base_delay)),
                   max_delay=max(0.0, num("FLOWDSL_BACKOFF_MAX", cls.max_delay)))

    def delay(self, attempt: int) -> float:
        """Backoff before retry number ``attempt`` (1-based)."""
        return min(self.max_delay, self.base_delay * self.multiplier ** (attempt - 1))


@dataclass(frozen=True)
class Endpoints:
    surface: str  # "engine" | "v1"
    workflows: str  # base for workflow routes
    models: str  # root serving /v1/models and /v1/model

    @property
    def display(self) -> str:
        return self.workflows


def endpoints_for(api_url: str, models_url: str | None = None) -> Endpoints:
    parts = urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"bad API URL {api_url!r}: expected http(s)://host[/api/v1]")
    base = api_url.rstrip("/")
    root = f"{parts.scheme}://{parts.netloc}"
    path = parts.path.rstrip("/")
    if path.endswith("/api/v1"):
        surface, workflows = "engine", base
        default_models = DEFAULT_MODELS_URL if parts.hostname == "workflows.eachlabs.run" else base[: -len("/api/v1")]
    elif path.endswith("/v1"):
        surface, workflows = "v1", base
        default_models = base[: -len("/v1")]
    elif path == "":
        surface, workflows, default_models = "engine", root + "/api/v1", root
    else:
        raise ConfigError(f"bad API URL {api_url!r}: the path must end in /api/v1 or /v1")
    return Endpoints(surface, workflows, (models_url or default_models).rstrip("/"))


@dataclass(frozen=True)
class Settings:
    endpoints: Endpoints
    api_key: Secret | None = field(default=None, repr=False)
    timeout: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def require_key(self) -> Secret:
        if not self.api_key:
            raise ConfigError(f"no API key: set {API_KEY_ENV} or pass --api-key-file FILE")
        return self.api_key


_MAX_KEY_FILE_BYTES = 64 * 1024


def _valid_key(value: str, where: str) -> Secret:
    """A key that can go into an HTTP header: printable ASCII, no blanks (never echoed)."""
    bad = next((c for c in value if not (0x21 <= ord(c) <= 0x7E)), None)
    if bad is not None:
        what = "a space" if bad == " " else f"the character U+{ord(bad):04X}"
        raise ConfigError(f"the API key in {where} contains {what}; an API key is printable ASCII "
                          "without blanks")
    return Secret(value)


def read_api_key(api_key_file: str | Path | None) -> Secret | None:
    if api_key_file is not None:
        try:
            from flowdsl.frontend.source import read_regular
            data = read_regular(api_key_file, _MAX_KEY_FILE_BYTES)
        except OSError as exc:
            raise ConfigError(f"cannot read API key file {api_key_file}: "
                              f"{exc.strerror or type(exc).__name__}") from None
        if len(data) > _MAX_KEY_FILE_BYTES:
            raise ConfigError(f"API key file {api_key_file} is larger than 64 KiB; it is not an API key")
        try:
            value = data.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise ConfigError(f"API key file {api_key_file} is not UTF-8 text") from None
        if not value:
            raise ConfigError(f"API key file {api_key_file} is empty")
        return _valid_key(value, f"file {api_key_file}")
    env = os.environ.get(API_KEY_ENV, "").strip()
    return _valid_key(env, API_KEY_ENV) if env else None


def load_settings(api_url: str | None = None, api_key_file: str | Path | None = None,
                  models_url: str | None = None, timeout: float | None = None) -> Settings:
    url = api_url or os.environ.get(API_URL_ENV) or DEFAULT_API_URL
    murl = models_url or os.environ.get(MODELS_URL_ENV) or None
    return Settings(endpoints=endpoints_for(url, murl), api_key=read_api_key(api_key_file),
                    timeout=timeout if timeout is not None else float(os.environ.get("FLOWDSL_HTTP_TIMEOUT", "30")),
                    retry=RetryPolicy.from_env())
