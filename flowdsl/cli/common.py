"""Pieces the commands share: one error format, the ``--format``/``--json`` option, finding
files, writing outputs.

Every command reports a failure as one line on stderr, ``flowdsl: error: MESSAGE``, and exits
with the code documented in its ``--help`` (see :mod:`flowdsl.cli.exit_codes`). Commands call
:func:`fail` (or raise :class:`UsageError` / any ``click.ClickException``); click's own usage
errors and anything unexpected are turned into that line by :func:`run_standalone`, which the
command groups run every invocation through.
"""

from __future__ import annotations

import functools
import os
import stat
import sys
from pathlib import Path
from typing import Any, Callable, NoReturn, Sequence, TypeVar

import click

# Click-free, so that cli.quick can use them too; re-exported for the commands.
from flowdsl.cli.basics import error_line as error_line, is_regular as is_regular, one_line as one_line
from flowdsl.cli.exit_codes import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE

F = TypeVar("F", bound=Callable[..., Any])

FLOW_GLOBS = ("*.flow.yaml", "*.flow.yml")
SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache"}


class UsageError(click.UsageError):
    """Bad input to a command: one line on stderr, exit 2."""


def fail(message: str, code: int = EXIT_FINDINGS) -> NoReturn:
    """Print ``flowdsl: error: MESSAGE`` on stderr and exit with ``code``."""
    click.echo(error_line(message), err=True)
    sys.exit(code)


def warn(message: str) -> None:
    """``flowdsl: warning: MESSAGE`` on stderr (the exit code is not changed)."""
    click.echo(f"flowdsl: warning: {one_line(message)}", err=True)


def _sentence(message: str) -> str:
    # click writes "No such option '--x'." ; our lines are lower-case fragments.
    message = one_line(message)
    if message[:1].isupper() and not message[1:2].isupper():
        message = message[0].lower() + message[1:]
    if message.endswith(".") and not message.endswith(".."):
        message = message[:-1]
    return message


def click_error_line(exc: click.ClickException) -> str:
    """The one line for an error click raised (or a command raised through click)."""
    message = _sentence(exc.format_message())
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and not isinstance(exc, UsageError) and ctx is not None:
        # A malformed command line: say where the usage is documented.
        message += f" (see '{ctx.command_path} --help')"
    return error_line(message)


def run_standalone(invoke: Callable[[], Any]) -> NoReturn:
    """Run a click entry point (in click's non-standalone mode) and turn every way it can end
    into an exit code, printing failures as one ``flowdsl: error:`` line."""
    try:
        rv = invoke()
    except SystemExit:
        raise
    except click.exceptions.NoArgsIsHelpError as exc:  # bare ``flowdsl``: the help, exit 2
        click.echo(exc.format_message(), err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        click.echo(click_error_line(exc), err=True)
        sys.exit(exc.exit_code)
    except (click.Abort, KeyboardInterrupt):
        click.echo(error_line("interrupted"), err=True)
        sys.exit(EXIT_INTERRUPTED)
    except OSError as exc:  # the system refused (permissions, a full disk): not a bug of ours
        if os.environ.get("FLOWDSL_DEBUG"):
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        fail(f"{where}{exc.strerror or exc}", EXIT_FINDINGS)
    except Exception as exc:  # a bug of ours, never a user mistake: one line, exit 3
        if os.environ.get("FLOWDSL_DEBUG"):
            raise
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        fail(f"internal error: {detail} (a bug in flowdsl; FLOWDSL_DEBUG=1 shows the traceback)",
             EXIT_INTERNAL)
    # Non-standalone click returns a ctx.exit() code (--help, --version) or the command's value.
    sys.exit(rv if isinstance(rv, int) else 0)


class OneLineErrorsGroup(click.Group):
    """A group whose every invocation ends through :func:`run_standalone` (one error format)."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,  # type: ignore[override]
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        run_standalone(lambda: super(OneLineErrorsGroup, self).main(
            args, prog_name, complete_var, False, **extra))


def format_option(*choices: str, default: str = "text", json_alias: bool = True,
                  help: str | None = None) -> Callable[[F], F]:
    """``--format {choices}`` (and ``--json``, the same as ``--format json``), passed to the
    command as ``fmt``. ``--json`` with another explicit ``--format`` is a usage error."""
    def decorate(f: F) -> F:
        @functools.wraps(f)
        def wrapper(*args: Any, fmt: str | None = None, as_json: bool = False, **kwargs: Any) -> Any:
            if as_json:
                if fmt not in (None, "json"):
                    # A malformed command line (not bad input): click's error, with "see --help".
                    raise click.UsageError(f"--json conflicts with --format {fmt}")
                fmt = "json"
            return f(*args, fmt=fmt or default, **kwargs)

        decorated: Callable[..., Any] = wrapper
        if json_alias:
            decorated = click.option("--json", "as_json", is_flag=True,
                                     help="Same as --format json.")(decorated)
        decorated = click.option("--format", "fmt", type=click.Choice(choices), default=None,
                                 help=(help or "Output format.") + f"  [default: {default}]")(decorated)
        return decorated  # type: ignore[return-value]
    return decorate


def require_regular(p: str) -> Path:
    """A named input that must be a readable regular file, else a one-line usage error."""
    path = Path(p)
    if not path.exists():
        raise UsageError(f"no such file or directory: {p}")
    if not is_regular(path):
        raise UsageError(f"not a regular file: {p} (only regular files are read)")
    return path


def _looks_like_definition(path: Path) -> bool:
    # In a directory walk only JSON that can be a workflow is taken (not package.json...).
    if not is_regular(path):
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
    except OSError:
        return False
    return b'"steps"' in head or b'"definition"' in head


def collect(paths: tuple[str, ...]) -> list[Path]:
    """Files named, and flow files found under directories named (sorted, deduplicated)."""
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
                for name in sorted(files):
                    f = Path(root) / name
                    if name.endswith((".flow.yaml", ".flow.yml")) or (
                            name.endswith(".json") and _looks_like_definition(f)):
                        if not is_regular(f):
                            # A FIFO would block the run forever, a device never ends.
                            click.echo(f"flowdsl: note: skipping {f}: not a regular file", err=True)
                            continue
                        out.append(f)
        elif path.exists():
            out.append(require_regular(p))
        else:
            raise UsageError(f"no such file or directory: {p}")
    seen: set[str] = set()
    unique = []
    for f in out:
        key = str(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def _names_a_descriptor(name: str) -> bool:
    """/dev/stdout, /dev/fd/N, /proc/self/fd/N (or a link to one): a name of an open file
    descriptor. Even when it is a regular file (stdout redirected), it is written into, never
    replaced: the process's descriptor would keep the replaced file."""
    for _ in range(40):  # a link chain longer than the kernel's limit is not followed
        if name.startswith(("/proc/", "/dev/fd/")) or name in ("/dev/stdout", "/dev/stderr"):
            return True
        if not os.path.islink(name):
            return False
        name = os.path.join(os.path.dirname(name), os.readlink(name))
    return False


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def replace_file(path: Path, data: bytes, st: os.stat_result | None = None) -> None:
    """Replace the regular file ``path`` atomically (never half a file), through a symlink if
    ``path`` is one (the link stays a link), keeping the file's mode (a new file gets the one
    the umask gives). ``st``: ``os.stat(path)`` if the caller has it (None: a new file).
    Raises UsageError when the directory is missing, OSError when the write fails."""
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    if not target.parent.is_dir():
        raise UsageError(f"cannot write {path}: the directory {target.parent} does not exist")
    from flowdsl.catalog.cache import atomic_write
    atomic_write(target, data)
    # The temporary file was created 0600: give the result the mode the file had, or the one
    # a new file gets under the umask (a flow or a compiled definition is not a secret).
    os.chmod(target, stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask())


def write_output(out: str | None, text: str) -> None:
    """Write ``text`` to ``out`` (``-`` or None: stdout). A regular file is replaced atomically
    (never half a file), through a symlink if ``out`` is one (the link stays a link); a FIFO, a
    terminal, a device or /dev/stdout is written into, since renaming a file over it would
    replace the device node itself."""
    if out in (None, "-"):
        sys.stdout.write(text)
        return
    assert out is not None
    if out == os.devnull:
        return
    path = Path(out)
    try:
        st: os.stat_result | None = os.stat(path)  # follows symlinks
    except FileNotFoundError:
        st = None
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise UsageError(f"cannot write {out}: it is a directory")
    try:
        if _names_a_descriptor(out) or (st is not None and not stat.S_ISREG(st.st_mode)):
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
            return
        replace_file(path, text.encode("utf-8"), st)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
