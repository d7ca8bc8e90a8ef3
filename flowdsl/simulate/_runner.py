"""Runs one python step's code inside the sandbox process (see ``sandbox.py``).

Started (by ``isolation.py``) as ``python -I -S -B _runner.py``, usually inside the OS
isolation described there: it reads ``{code, inputs, cpu_s, hook}`` as JSON on stdin,
installs an audit hook that refuses network, process creation and file access outside its
working directory (reads of the standard library excepted, so imports work) -- a second
layer that gives honest mistakes a clear message; the jail is the operating system's --
runs the code with ``inputs`` bound, and writes one JSON document to fd 3, the result pipe
(never stdout, where the step's own output goes and anything printed there is just a log):
``{"ok": true, "result": ..., "set": bool, "logs": "..."}`` or
``{"ok": false, "error": "ZeroDivisionError", "cause": "division by zero (line 3)", ...}``.

Only the standard library may be used here: ``-I`` leaves the project off ``sys.path``.
"""

import builtins
import contextlib
import io
import json
import os
import sys
import traceback

RESULT_FD = 3
_BLOCKED_PREFIXES = ("socket.", "subprocess.", "os.exec", "os.spawn", "os.posix_spawn", "os.fork",
                     "os.system", "os.kill", "os.killpg", "pty.", "ctypes.", "os.startfile", "webbrowser.",
                     "urllib.Request", "http.client.", "ftplib.", "smtplib.", "poplib.", "imaplib.",
                     "nntplib.", "telnetlib.")
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def _roots() -> tuple[str, ...]:
    seen = []
    for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix):
        for q in (p, os.path.realpath(p)):
            if q and q not in seen:
                seen.append(q.rstrip(os.sep) + os.sep)
    return tuple(seen)


def _install(tmp: str) -> None:
    tmp = os.path.realpath(tmp).rstrip(os.sep) + os.sep
    read_roots = _roots()
    realpath, fsdecode = os.path.realpath, os.fsdecode

    def hook(event, args):  # type: ignore[no-untyped-def]
        if event == "open":
            path, mode, flags = args
            if path is None or isinstance(path, int):
                return
            full = realpath(fsdecode(path))
            if (full + os.sep).startswith(tmp):
                return
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool(
                isinstance(flags, int) and flags & _WRITE_FLAGS)
            if not writing and full.startswith(read_roots):
                return
            raise PermissionError(f"the simulator's sandbox blocks file access outside its temporary "
                                  f"directory: {fsdecode(path)}")
        if event.startswith(_BLOCKED_PREFIXES):
            what = "network access" if event.startswith(("socket.", "http.", "urllib.")) else "starting processes"
            if event.startswith("ctypes."):
                what = "ctypes"
            raise PermissionError(f"the simulator's sandbox blocks {what} ({event})")

    sys.addaudithook(hook)


def _limits(cpu_s: float) -> None:
    try:
        import resource
    except ImportError:  # not on every platform; the parent's wall-clock limit still applies
        return
    cpu = max(1, int(cpu_s) + 1)
    for what, value in ((resource.RLIMIT_CPU, cpu), (resource.RLIMIT_FSIZE, 64 * 2**20)):
        try:
            resource.setrlimit(what, (value, value))
        except (ValueError, OSError):
            pass


def _line_of(tb) -> int | None:  # type: ignore[no-untyped-def]
    line = None
    for frame, lineno in traceback.walk_tb(tb):
        if frame.f_code.co_filename == "<python step>":
            line = lineno
    return line


def main() -> None:
    payload = json.loads(sys.stdin.read())
    sys.stdin.close()
    tmp = os.getcwd()
    os.environ["HOME"] = "/nonexistent"  # no home: ~ is not the scratch directory
    _limits(float(payload.get("cpu_s", 30)))
    # The result pipe: kept out of the step's way (not inherited, not an obvious number).
    out = os.dup(RESULT_FD)
    os.close(RESULT_FD)
    logs = io.StringIO()
    scope = {"__name__": "__main__", "__builtins__": builtins, "inputs": payload["inputs"]}
    reply: dict = {}
    try:
        code = compile(payload["code"], "<python step>", "exec")
    except SyntaxError as exc:
        reply = {"ok": False, "error": "SyntaxError", "cause": f"{exc.msg} (line {exc.lineno})"}
    else:
        if payload.get("hook", True):
            _install(tmp)
        try:
            with contextlib.redirect_stdout(logs), contextlib.redirect_stderr(logs):
                exec(code, scope)
        except BaseException as exc:  # the step's own failure, reported as its error
            line = _line_of(exc.__traceback__)
            where = f" (line {line})" if line else ""
            msg = str(exc) or type(exc).__name__
            reply = {"ok": False, "error": type(exc).__name__, "cause": f"{msg}{where}"}
        else:
            reply = {"ok": True, "set": "result" in scope, "result": scope.get("result")}
    reply["logs"] = logs.getvalue()[-2000:]
    try:
        text = json.dumps(reply, ensure_ascii=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        text = json.dumps({"ok": False, "error": "TypeError",
                           "cause": f"`result` is not JSON data: {exc}", "logs": reply["logs"]})
    data = text.encode("ascii")
    while data:
        data = data[os.write(out, data):]
    os.close(out)
    os._exit(0)


if __name__ == "__main__":
    main()
