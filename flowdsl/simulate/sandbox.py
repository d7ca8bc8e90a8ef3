"""Python steps really run: in a separate, isolated interpreter, with a time limit.

Each run is ``sys.executable -I -S _runner.py`` in a fresh temporary directory (its
working directory), an empty environment, and only the step's resolved ``inputs``. The
runner's audit hook refuses sockets, new processes, ctypes, and file access outside that
directory (the standard library stays readable so imports work), so a step cannot reach the
network or the flow's files. This keeps honest code honest; it is not a jail for hostile
code (a CPython audit hook can be worked around by native extensions).

Results are cached by (code, inputs) for the life of the runner: the same step with the
same inputs is run once, however many Monte Carlo runs or retries ask for it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowdsl.simulate.defaults import PYTHON_TIME_LIMIT_S

RUNNER = Path(__file__).with_name("_runner.py")
MARK = "\x00flowdsl-result\x00"


@dataclass(frozen=True)
class PythonResult:
    ok: bool
    output: Any = None
    error: str = ""
    cause: str = ""
    logs: str = ""
    timed_out: bool = False
    result_set: bool = True


class PythonRunner:
    def __init__(self, time_limit_s: float = PYTHON_TIME_LIMIT_S) -> None:
        self.time_limit_s = time_limit_s
        self._cache: dict[tuple[str, str, float], PythonResult] = {}
        self.runs = 0  # processes started (tests and benchmarks read it)

    def run(self, code: str, inputs: Any, timeout_s: float | None = None) -> PythonResult:
        limit = min(self.time_limit_s, timeout_s) if timeout_s else self.time_limit_s
        try:
            key_inputs = json.dumps(inputs, sort_keys=True, allow_nan=False)
        except (TypeError, ValueError) as exc:
            return PythonResult(False, error="TypeError", cause=f"inputs are not JSON data: {exc}")
        key = (code, key_inputs, limit)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._spawn(code, inputs, limit)
            self._cache[key] = hit
        return hit

    def _spawn(self, code: str, inputs: Any, limit: float) -> PythonResult:
        self.runs += 1
        with tempfile.TemporaryDirectory(prefix="flowdsl-py-") as tmp:
            payload = json.dumps({"code": code, "inputs": inputs, "tmp": tmp, "cpu_s": limit})
            env = {"PATH": os.defpath}
            if sys.platform == "win32":  # pragma: no cover - Windows needs these to start Python
                env.update({k: os.environ[k] for k in ("SYSTEMROOT", "TEMP", "TMP") if k in os.environ})
            try:
                proc = subprocess.run([sys.executable, "-I", "-S", str(RUNNER)], input=payload.encode(),
                                      capture_output=True, timeout=limit, cwd=tmp, env=env)
            except subprocess.TimeoutExpired:
                return PythonResult(False, error="timeout", cause=f"the python step ran longer than {limit:g} s",
                                    timed_out=True)
            except OSError as exc:
                return PythonResult(False, error="SandboxError", cause=f"cannot start python: {exc}")
        text = proc.stdout.decode("utf-8", "replace")
        idx = text.rfind(MARK)
        if idx < 0:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            why = err[-1] if err else f"exit status {proc.returncode}"
            if proc.returncode and proc.returncode < 0:
                why = f"killed by signal {-proc.returncode} (CPU or file size limit?)"
            return PythonResult(False, error="PythonError", cause=why)
        reply = json.loads(text[idx + len(MARK):].strip())
        if reply.get("ok"):
            return PythonResult(True, reply.get("result"), logs=reply.get("logs", ""),
                                result_set=bool(reply.get("set")))
        return PythonResult(False, error=str(reply.get("error", "PythonError")), cause=str(reply.get("cause", "")),
                            logs=reply.get("logs", ""))
