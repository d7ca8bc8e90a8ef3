"""Python steps: how (and whether) their code runs in a simulation.

Three policies (``flowdsl simulate --python``):

``isolated`` (default)
    Each step runs in its own process inside fresh Linux namespaces (user, pid with its own
    ``/proc``, network with no interface up, mount with a read-only view of only the
    interpreter and its standard library plus an empty scratch tmpfs), as an unprivileged
    uid, with rlimits (512 MiB address space, CPU, no new processes, file size, open files)
    and an empty environment; see ``isolation.py``. The process group and the namespace are
    killed when the step ends. Inside, an audit hook (``_runner.py``) still turns honest
    mistakes (opening ``/etc/...``, a socket) into clear ``PermissionError`` messages; it is
    not what contains hostile code, the kernel is.
``mock``
    Nothing runs: the step takes its mock, else ``None`` (its ``result`` unset).
``host``
    Explicit opt-in for trusted local flows: the same runner, rlimits and empty environment,
    but no namespaces.

The result travels on a dedicated pipe (fd 3 in the child), never on stdout: what the code
prints is a log, and a "result marker" printed there means nothing. stdout and stderr are
read with a cap (1 MiB each kept, the rest counted and dropped), so a flood cannot grow the
simulator. Where isolation is not available, :func:`resolve_mode` says why and the CLI falls
back to ``mock`` -- never to running the code unisolated.

Results are cached by (code, inputs, limit) for the life of the runner: the same step with
the same inputs runs once, however many Monte Carlo runs or retries ask for it.
:meth:`PythonRunner.prefetch` starts a step in the background (the simulator does so for
the python steps of parallel branches), bounded by the machine's cores; :meth:`run` then
waits for that same process, so results do not depend on timing.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from flowdsl.simulate import isolation
from flowdsl.simulate.defaults import PYTHON_TIME_LIMIT_S

RUNNER = Path(__file__).with_name("_runner.py")
Mode = Literal["isolated", "mock", "host"]
MODES: tuple[str, ...] = ("isolated", "mock", "host")
OUTPUT_CAP = 2**20  # bytes of stdout / stderr kept per step
RESULT_CAP = 16 * 2**20  # a result bigger than this is refused
CHUNK = 1 << 16


@dataclass(frozen=True)
class PythonResult:
    ok: bool
    output: Any = None
    error: str = ""
    cause: str = ""
    logs: str = ""
    timed_out: bool = False
    result_set: bool = True
    stdout: bytes = b""  # what the process wrote to fd 1 (first OUTPUT_CAP bytes)
    stderr: bytes = b""
    dropped: int = 0  # bytes of stdout + stderr beyond the caps, counted and dropped
    peak_rss_kb: int = 0  # the step process's peak resident size (0 when unknown)
    ran: bool = True  # False in mock mode: nothing was run


def resolve_mode(requested: str) -> tuple[Mode, str]:
    """The mode that will really be used, and a note to print once when it differs."""
    if requested not in MODES:
        raise ValueError(f"unknown python mode {requested!r} (isolated, mock, host)")
    if requested == "isolated":
        ok, why = isolation.available()
        if not ok:
            return "mock", (f"python steps cannot be isolated here ({why}); they are not run: each takes "
                            f"its mock, else no result (--python host runs them unisolated, for trusted flows)")
    return requested, ""  # type: ignore[return-value]


def _workers() -> int:
    # Steps mostly wait (sleep, I/O) or are CPU-limited by rlimit; a little above the cores.
    return max(2, (os.cpu_count() or 1) + 2)


class PythonRunner:
    def __init__(self, time_limit_s: float = PYTHON_TIME_LIMIT_S, mode: Mode = "isolated",
                 audit_hook: bool = True) -> None:
        self.time_limit_s = time_limit_s
        self.mode: Mode = mode
        self.audit_hook = audit_hook  # tests turn it off to show that the OS layer alone holds
        self._cache: dict[tuple[str, str, float], Future[PythonResult]] = {}
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._stop = threading.Event()
        self.runs = 0  # processes started (tests and benchmarks read it)

    # ------------------------------------------------------------------ public
    def run(self, code: str, inputs: Any, timeout_s: float | None = None) -> PythonResult:
        fut = self._future(code, inputs, timeout_s, background=False)
        return fut.result()

    def prefetch(self, code: str, inputs: Any, timeout_s: float | None = None) -> None:
        """Start the step in the background; a later :meth:`run` with the same arguments
        waits for this process instead of starting another."""
        if self.mode != "mock":
            self._future(code, inputs, timeout_s, background=True)

    def close(self) -> None:
        """Stop: processes still running (prefetched for branches that were then cut) are
        killed; later calls start new ones."""
        self._stop.set()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        with self._lock:
            self._cache = {k: f for k, f in self._cache.items()
                           if f.done() and not f.cancelled() and f.result().error != "cancelled"}
        self._stop.clear()

    # ------------------------------------------------------------------ internals
    def _future(self, code: str, inputs: Any, timeout_s: float | None, background: bool) -> Future[PythonResult]:
        limit = min(self.time_limit_s, timeout_s) if timeout_s else self.time_limit_s
        try:
            key_inputs = json.dumps(inputs, sort_keys=True, allow_nan=False)
        except (TypeError, ValueError) as exc:
            done: Future[PythonResult] = Future()
            done.set_result(PythonResult(False, error="TypeError", cause=f"inputs are not JSON data: {exc}"))
            return done
        key = (code, key_inputs, limit)
        with self._lock:
            fut = self._cache.get(key)
            if fut is not None:
                return fut
            if self.mode == "mock":
                fut = Future()
                fut.set_result(PythonResult(True, None, result_set=False, ran=False))
            elif background:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(max_workers=_workers(), thread_name_prefix="flowdsl-py")
                fut = self._pool.submit(self._spawn, code, inputs, limit)
            else:
                fut = Future()
            self._cache[key] = fut
        if not background and not fut.done() and fut.set_running_or_notify_cancel():
            try:
                fut.set_result(self._spawn(code, inputs, limit))
            except BaseException as exc:  # pragma: no cover - _spawn reports its own errors
                fut.set_exception(exc)
        return fut

    def _spawn(self, code: str, inputs: Any, limit: float) -> PythonResult:
        if self.mode == "isolated":
            ok, why = isolation.available()
            if not ok:  # never fall back to running it unisolated
                return PythonResult(False, error="SandboxError",
                                    cause=f"python steps cannot be isolated here: {why}")
        with self._lock:
            self.runs += 1
        payload = json.dumps({"code": code, "inputs": inputs, "cpu_s": limit, "hook": self.audit_hook}).encode()
        rfd, wfd = os.pipe()
        argv = isolation.launcher_argv(self.mode, str(RUNNER), limit, result_fd=wfd)
        cwd = "/" if self.mode == "isolated" else None
        scratch = None
        if self.mode == "host":
            import tempfile
            scratch = tempfile.TemporaryDirectory(prefix="flowdsl-py-")
            cwd = scratch.name
        try:
            try:
                proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, pass_fds=(wfd,), cwd=cwd, env={},
                                        start_new_session=True)
            except OSError as exc:
                os.close(rfd)
                return PythonResult(False, error="SandboxError", cause=f"cannot start python: {exc}")
            finally:
                os.close(wfd)
            return self._collect(proc, rfd, payload, limit)
        finally:
            if scratch is not None:
                scratch.cleanup()

    @staticmethod
    def _kill(proc: subprocess.Popen[bytes]) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the session's group; pid 1 of the namespace with it
        except (ProcessLookupError, PermissionError):
            pass

    def _collect(self, proc: subprocess.Popen[bytes], rfd: int, payload: bytes, limit: float) -> PythonResult:
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        deadline = time.monotonic() + limit
        kept = {1: bytearray(), 2: bytearray()}
        result = bytearray()
        dropped = 0
        result_too_big = False
        sel = selectors.DefaultSelector()
        os.set_blocking(proc.stdin.fileno(), False)
        sel.register(proc.stdin.fileno(), selectors.EVENT_WRITE, 0)
        sel.register(proc.stdout.fileno(), selectors.EVENT_READ, 1)
        sel.register(proc.stderr.fileno(), selectors.EVENT_READ, 2)
        sel.register(rfd, selectors.EVENT_READ, 3)
        view = memoryview(payload)
        timed_out = False
        open_reads = 3
        try:
            while open_reads:
                left = deadline - time.monotonic()
                if left <= 0 or self._stop.is_set():
                    timed_out = True
                    break
                for key, _ in sel.select(min(left, 0.2)):
                    fd, which = key.fd, key.data
                    if which == 0:
                        try:
                            n = os.write(fd, view[:CHUNK])
                        except (BrokenPipeError, BlockingIOError, OSError):
                            n = len(view)
                        view = view[n:]
                        if not len(view):
                            sel.unregister(fd)
                            proc.stdin.close()
                        continue
                    try:
                        data = os.read(fd, CHUNK)
                    except OSError:
                        data = b""
                    if not data:
                        sel.unregister(fd)
                        open_reads -= 1
                        continue
                    if which == 3:
                        if len(result) + len(data) > RESULT_CAP:
                            result_too_big = True
                        else:
                            result += data
                        continue
                    buf = kept[which]
                    room = OUTPUT_CAP - len(buf)
                    if room > 0:
                        buf += data[:room]
                    dropped += max(0, len(data) - max(room, 0))
        finally:
            reaped = None
            if not timed_out:  # it closed its pipes: give it a moment to exit by itself
                end = time.monotonic() + 2.0
                while reaped is None and time.monotonic() < end:
                    pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                    if pid:
                        reaped = (status, usage)
                    else:
                        time.sleep(0.002)
            self._kill(proc)
            sel.close()
            for f in (proc.stdin, proc.stdout, proc.stderr):
                try:
                    f.close()
                except OSError:
                    pass
            os.close(rfd)
        if reaped is None:
            _, status, usage = os.wait4(proc.pid, 0)
        else:
            status, usage = reaped
        proc.returncode = os.waitstatus_to_exitcode(status)
        common: dict[str, Any] = {"stdout": bytes(kept[1]), "stderr": bytes(kept[2]), "dropped": dropped,
                                  "peak_rss_kb": int(usage.ru_maxrss)}
        if timed_out and self._stop.is_set():
            return PythonResult(False, error="cancelled", cause="the simulation ended first", **common)
        if timed_out:
            return PythonResult(False, error="timeout", cause=f"the python step ran longer than {limit:g} s",
                                timed_out=True, **common)
        if result_too_big:
            return PythonResult(False, error="PythonError",
                                cause=f"the result is larger than {RESULT_CAP // 2**20} MiB", **common)
        reply: Any = None
        if result:
            try:
                reply = json.loads(result.decode("ascii"))
            except (UnicodeDecodeError, ValueError):
                reply = None
        if not isinstance(reply, dict) or "ok" not in reply or proc.returncode != 0:
            err = kept[2].decode("utf-8", "replace").strip().splitlines()
            why = err[-1] if err else f"exit status {proc.returncode}"
            if proc.returncode and proc.returncode < 0:
                sig = -proc.returncode
                why = f"killed by signal {sig}" + (" (CPU or file size limit?)" if sig in (9, 24, 25) else "")
            elif reply is not None and proc.returncode == 0:
                why = "the result pipe held no valid result"
            return PythonResult(False, error="PythonError", cause=why, **common)
        logs = str(reply.get("logs", ""))
        if reply.get("ok") is True:
            return PythonResult(True, reply.get("result"), logs=logs, result_set=bool(reply.get("set")), **common)
        return PythonResult(False, error=str(reply.get("error", "PythonError")), cause=str(reply.get("cause", "")),
                            logs=logs, **common)
