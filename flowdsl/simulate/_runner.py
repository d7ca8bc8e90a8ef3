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


# seccomp: once started, the runner may not exec another program (a shell, a binary of the
# read-only view), create processes (fork, vfork, clone without CLONE_THREAD; clone3 is
# answered ENOSYS so libc falls back to clone), make namespaces, mount, chroot, ptrace, or
# reach the kernel's riskier interfaces (bpf, perf, userfaultfd, keyrings, io_uring). RLIMIT_NPROC says the same where the kernel
# counts it (it does not for a host-root caller).
_CALLS = {  # arch: (AUDIT_ARCH, denied calls, clone, clone3)
    # execve execveat fork vfork unshare setns mount umount2 pivot_root chroot ptrace bpf
    # perf_event_open userfaultfd keyctl add_key request_key io_uring_setup open_tree move_mount
    # fsopen fsconfig fsmount fspick mount_setattr personality
    "x86_64": (0xC000003E, (59, 322, 57, 58, 272, 308, 165, 166, 155, 161, 101, 321, 298, 323, 250, 248, 249,
                            425, 428, 429, 430, 431, 432, 433, 442, 135), 56, 435),
    "aarch64": (0xC00000B7, (221, 281, 97, 268, 40, 39, 41, 51, 117, 280, 241, 282, 219, 217, 218,
                             425, 428, 429, 430, 431, 432, 433, 442, 92), 220, 435),
}


def _no_exec() -> bool:
    arch = _CALLS.get(os.uname().machine)
    if arch is None or not sys.platform.startswith("linux"):
        return False
    import ctypes
    import struct
    audit_arch, denied, clone, clone3 = arch
    LD, JEQ, JSET, RET = 0x20, 0x15, 0x45, 0x06
    ALLOW, DENY, NOSYS, KILL = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38, 0x80000000
    prog: list[tuple[int, int, int, int]] = []  # (code, jt, jf, k); jumps are fixed up below
    labels: dict[str, int] = {}
    jumps: list[tuple[int, str, str]] = []

    def op(code: int, k: int, jt: str = "", jf: str = "") -> None:
        if jt or jf:
            jumps.append((len(prog), jt, jf))
        prog.append((code, 0, 0, k))

    op(LD, 4)
    op(JEQ, audit_arch, "nr", "kill")
    labels["nr"] = len(prog)
    op(LD, 0)
    for nr in denied:
        op(JEQ, nr, "deny", "next")
        labels.setdefault("next", 0)
        labels["next"] = len(prog)
    op(JEQ, clone3, "nosys", "c")
    labels["c"] = len(prog)
    op(JEQ, clone, "flags", "allow")
    labels["flags"] = len(prog)
    op(LD, 16)  # args[0], low 32 bits (little endian): clone's flags
    op(JSET, 0x10000, "allow", "deny")  # CLONE_THREAD
    for name, k in (("allow", ALLOW), ("deny", DENY), ("nosys", NOSYS), ("kill", KILL)):
        labels[name] = len(prog)
        op(RET, k)
    fixed = list(prog)
    for at, jt, jf in jumps:
        code, _, _, k = fixed[at]
        t = (labels[jt] if jt != "next" else at + 1) - at - 1
        f = (labels[jf] if jf != "next" else at + 1) - at - 1
        fixed[at] = (code, t, f, k)
    data = b"".join(struct.pack("HBBI", *i) for i in fixed)
    buf = ctypes.create_string_buffer(data, len(data))

    class Fprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
    fprog = Fprog(len(fixed), ctypes.addressof(buf))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS (set already when isolated)
    ok = libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) == 0  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
    for name in [m for m in sys.modules if m == "ctypes" or m.startswith(("ctypes.", "_ctypes"))]:
        del sys.modules[name]
    return ok


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
    if not _no_exec():
        try:  # no seccomp filter here: at least no second process (nor thread)
            import resource
            resource.setrlimit(resource.RLIMIT_NPROC, (1, 1))
        except (ImportError, ValueError, OSError):
            pass
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
