"""What the remote commands share: the connection options, the client, error reporting.

Every ``RemoteError`` becomes one line on stderr and its documented exit code; the API key
is scrubbed from anything printed, whatever path the text took.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, NoReturn, TypeVar

import click

from flowdsl.cli.common import fail as common_fail
from flowdsl.remote.client import ApiClient
from flowdsl.remote.errors import RemoteError
from flowdsl.remote.settings import Settings, load_settings, read_api_key, redact

F = TypeVar("F", bound=Callable[..., Any])


def remote_options(f: F) -> F:
    f = click.option("-v", "--verbose", is_flag=True,
                     help="Log each request (method, URL, status, time; never headers) to stderr.")(f)
    f = click.option("--api-key-file", type=click.Path(dir_okay=False),
                     help="Read the API key from this file (default: $EACHLABS_API_KEY).")(f)
    f = click.option("--api-url", metavar="URL",
                     help="API base URL (default: $FLOWDSL_API_URL, else https://workflows.eachlabs.run/api/v1).")(f)
    return f


def make_client(api_url: str | None, api_key_file: str | None, verbose: bool) -> ApiClient:
    settings: Settings = load_settings(api_url, api_key_file)
    def say(line: str) -> None:
        click.echo(f"flowdsl: {line}", err=True)
    return ApiClient(settings, log=say if verbose else None, notice=say)


def fail(message: str, code: int = 1) -> NoReturn:
    common_fail(scrub(message), code)


def scrub(text: str) -> str:
    try:
        key = read_api_key(None)
    except RemoteError:
        key = None
    return redact(text, key)


def handle_errors(fn: F) -> F:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except RemoteError as exc:
            fail(exc.message, exc.exit_code)
        except OSError as exc:
            fail(f"{getattr(exc, 'filename', '') or ''}: {exc.strerror or exc}".lstrip(": "), 1)
    return wrapper  # type: ignore[return-value]
