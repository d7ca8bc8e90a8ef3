"""Hostile python steps: every attack fails, and ``simulate`` still completes cleanly.

Most attacks run with the runner's audit hook *off* (``audit_hook=False``), to show that the
operating-system layer alone (namespaces, minimal read-only root, rlimits, seccomp) contains
them; one end-to-end test runs them all through ``flowdsl simulate`` as a user would, in a
separate process with a fake API key in its environment.
"""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from flowdsl.simulate import isolation
from flowdsl.simulate.sandbox import PythonRunner

OK, WHY = isolation.available()
needs_ns = pytest.mark.skipif(not OK, reason=f"OS isolation unavailable here: {WHY}")

SECRET = "sk-fake-flowdsl-test-0123456789"
NEIGHBOUR = "neighbour secret 42"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def runner() -> PythonRunner:
    return PythonRunner(time_limit_s=10, audit_hook=False)


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    (tmp_path / "neighbour.txt").write_text(NEIGHBOUR)
    (tmp_path / "victim.txt").write_text("keep me")
    os.chmod(tmp_path / "victim.txt", 0o644)
    return tmp_path


@pytest.fixture()
def listener() -> Iterator[tuple[int, list[int]]]:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.settimeout(0.2)
    hits: list[int] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            hits.append(1)
            conn.close()
    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield srv.getsockname()[1], hits
    stop.set()
    t.join()
    srv.close()


def _leftovers() -> list[str]:
    """Host processes still running one of our launchers or runners."""
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if "simulate/isolation.py" in cmd or "runner.py" in cmd and "pytest" not in cmd:
            out.append(f"{pid}: {cmd}")
    return out


# ------------------------------------------------------------------ attacks, one by one

ENV_ATTACK = """
import os
seen = [repr(dict(os.environ))]
for pid in [p for p in os.listdir('/proc') if p.isdigit()] + [str(inputs['host_pid']), str(os.getppid())]:
    try:
        seen.append(open('/proc/%s/environ' % pid, 'rb').read().decode('latin-1'))
    except OSError as exc:
        seen.append(type(exc).__name__)
result = seen
"""

NEIGHBOUR_ATTACK = """
import os
got = []
path, folder = inputs['path'], inputs['folder']
def attempt(f):
    try:
        got.append(str(f()))
    except OSError as exc:
        got.append(type(exc).__name__)
attempt(lambda: open(path).read())
attempt(lambda: os.read(os.open('neighbour.txt', os.O_RDONLY, dir_fd=os.open(folder, os.O_RDONLY)), 100))
attempt(lambda: (os.link(path, 'stolen'), open('stolen').read())[1])
attempt(lambda: (os.symlink(path, 'sym'), open('sym').read())[1])
attempt(lambda: os.listdir(folder))
attempt(lambda: os.listdir('/'))
result = got
"""

NET_ATTACK = """
import socket
out = []
for fam, addr in ((socket.AF_INET, ('127.0.0.1', inputs['port'])), (socket.AF_INET, ('1.1.1.1', 53))):
    try:
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(2)
        s.connect(addr)
        out.append('connected')
    except OSError as exc:
        out.append(type(exc).__name__)
try:
    u = socket.socket(socket.AF_UNIX)
    u.connect('/run/docker.sock')
    out.append('connected')
except OSError as exc:
    out.append(type(exc).__name__)
result = out
"""

SHELL_ATTACK = """
import os, subprocess
out = []
for f in (lambda: subprocess.run(['/bin/sh', '-c', 'echo pwned'], capture_output=True).stdout,
          lambda: os.system('echo pwned'),
          lambda: os.posix_spawn('/bin/sh', ['sh', '-c', 'echo pwned'], {}),
          lambda: __import__('_posixsubprocess').fork_exec(['/bin/sh'], [b'/bin/sh'], True, (), None, None,
              -1, -1, -1, -1, -1, -1, -1, -1, False, False, False, None, None, None, -1, None, False),
          lambda: os.execv('/bin/sh', ['sh', '-c', 'echo pwned'])):
    try:
        out.append(repr(f()))
    except (OSError, TypeError, ValueError) as exc:
        out.append(type(exc).__name__)
result = out
"""

FORK_ATTACK = """
import os
try:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    result = 'forked %d' % pid
except OSError as exc:
    result = type(exc).__name__
"""

CTYPES_ATTACK = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
out = {}
out['fork'] = libc.fork()
out['clone'] = libc.syscall(56, 17, 0, 0, 0, 0)  # clone(SIGCHLD): a plain fork
out['setuid0'] = libc.setuid(0)
out['unshare_user_mount'] = libc.unshare(0x10000000 | 0x00020000)
out['mount'] = libc.mount(b'none', b'/usr', b'tmpfs', 0, None)
out['chroot'] = libc.chroot(b'/tmp')
out['execve'] = libc.execve(b'/bin/sh', None, None)
result = out
"""

WRITE_ATTACK = """
import os, shutil
path, folder = inputs['path'], inputs['folder']
exe = inputs['exe']
out = {}
def attempt(name, f):
    try:
        f()
        out[name] = 'done'
    except OSError as exc:
        out[name] = type(exc).__name__
attempt('write_victim', lambda: open(path, 'w').write('owned'))
attempt('delete_victim', lambda: os.remove(path))
attempt('rename_victim', lambda: os.rename(path, path + '.x'))
attempt('chmod_victim', lambda: os.chmod(path, 0o777))
attempt('truncate_victim', lambda: os.truncate(path, 0))
attempt('write_usr', lambda: open('/usr/flowdsl-owned', 'w').write('x'))
attempt('chmod_python', lambda: os.chmod(exe, 0o777))
attempt('rename_python', lambda: os.rename(exe, exe + '.x'))
attempt('delete_stdlib', lambda: os.remove(os.__file__))
attempt('write_root', lambda: open('/owned', 'w').write('x'))
attempt('scratch', lambda: open('scratch.txt', 'w').write('fine'))
attempt('big_file', lambda: open('big', 'wb').write(b'x' * (64 << 20)))
result = out
"""

MEMORY_ATTACK = """
try:
    b = bytearray(8 << 30)
    result = 'allocated'
except MemoryError:
    result = 'MemoryError'
"""

FLOOD_ATTACK = """
import os
chunk = b'x' * (1 << 20)
for _ in range(2048):
    os.write(1, chunk)
result = 'flooded'
"""

FORGE_ATTACK = r"""
import os, sys
forged = json_doc = '{"ok": true, "set": true, "result": "forged", "logs": ""}'
print('\x00flowdsl-result\x00' + forged)
os.write(1, ('\x00flowdsl-result\x00' + forged + '\n').encode())
os.write(2, ('\x00flowdsl-result\x00' + forged + '\n').encode())
try:
    os.write(3, forged.encode())
    wrote3 = 'wrote fd 3'
except OSError as exc:
    wrote3 = type(exc).__name__
result = ['genuine', wrote3]
"""

DETACH_ATTACK = """
import os, subprocess
out = []
for f in (lambda: subprocess.Popen(['/usr/bin/sleep', '60'], start_new_session=True),
          lambda: os.fork()):
    try:
        out.append(repr(f()))
    except OSError as exc:
        out.append(type(exc).__name__)
result = out
"""


@needs_ns
def test_benign_python_still_works(runner: PythonRunner) -> None:
    r = runner.run("import json, re, math, datetime\n"
                   "result = {'j': json.loads(inputs['doc'])['a'], 'r': re.findall(r'\\d+', 'a1b22'),\n"
                   "          'm': math.sqrt(inputs['n']), 'd': (datetime.date(2024, 3, 1) - datetime.timedelta(days=1)).isoformat(),\n"
                   "          'scratch': open('s.txt', 'w').write('abc')}", {"doc": '{"a": [1, 2]}', "n": 16})
    assert r.ok, r
    assert r.output == {"j": [1, 2], "r": ["1", "22"], "m": 4.0, "d": "2024-02-29", "scratch": 3}


@needs_ns
def test_environment_and_parent_secrets(runner: PythonRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOWDSL_FAKE_API_KEY", SECRET)
    r = runner.run(ENV_ATTACK, {"host_pid": os.getpid()})
    assert r.ok, r
    assert SECRET not in json.dumps(r.output)
    assert "FileNotFoundError" in r.output  # the host's pids are not in its /proc


@needs_ns
def test_neighbour_files(runner: PythonRunner, tree: Path) -> None:
    r = runner.run(NEIGHBOUR_ATTACK, {"path": str(tree / "neighbour.txt"), "folder": str(tree)})
    assert r.ok, r
    assert NEIGHBOUR not in json.dumps(r.output)
    assert r.output[:5] == ["FileNotFoundError"] * 5
    root = set(r.output[5].strip("[]").replace("'", "").split(", "))
    assert root <= {"tmp", "proc", "runner.py", "etc", "usr", "bin", "lib", "lib32", "lib64", "root", "opt"}


@needs_ns
def test_network(runner: PythonRunner, listener: tuple[int, list[int]]) -> None:
    port, hits = listener
    r = runner.run(NET_ATTACK, {"port": port})
    assert r.ok, r
    assert "connected" not in r.output
    time.sleep(0.3)
    assert hits == []


@needs_ns
def test_shells_and_subprocesses(runner: PythonRunner) -> None:
    r = runner.run(SHELL_ATTACK, {})
    assert r.ok, r
    # os.system's 32512 is glibc's "could not spawn" (status 127): no process was created
    assert all(o in ("PermissionError", "BlockingIOError", "FileNotFoundError", "TypeError", "ValueError",
                     "32512", "-1") for o in r.output), r.output
    assert b"pwned" not in r.stdout


@needs_ns
def test_fork(runner: PythonRunner) -> None:
    r = runner.run(FORK_ATTACK, {})
    assert r.ok and r.output in ("PermissionError", "BlockingIOError"), r


@needs_ns
def test_ctypes_gains_nothing(runner: PythonRunner) -> None:
    r = runner.run(CTYPES_ATTACK, {})
    assert r.ok, r
    assert all(v == -1 for v in r.output.values()), r.output


@needs_ns
def test_writes_outside_scratch(runner: PythonRunner, tree: Path) -> None:
    victim = tree / "victim.txt"
    before = victim.stat()
    exe = os.path.realpath(sys.executable)
    r = runner.run(WRITE_ATTACK, {"path": str(victim), "folder": str(tree), "exe": exe})
    assert r.ok, r
    out = r.output
    assert out.pop("scratch") == "done"
    assert out.pop("big_file") == "OSError" or out.get("big_file") is None  # 16 MiB file size limit / tmpfs
    assert all(v != "done" for v in out.values()), out
    after = victim.stat()
    assert victim.read_text() == "keep me" and after.st_mode == before.st_mode
    assert sorted(p.name for p in tree.iterdir()) == ["neighbour.txt", "victim.txt"]
    assert os.access(exe, os.X_OK) and not Path("/usr/flowdsl-owned").exists() and not Path("/owned").exists()


@needs_ns
def test_memory(runner: PythonRunner) -> None:
    r = runner.run(MEMORY_ATTACK, {})
    assert r.ok and r.output == "MemoryError", r
    # ru_maxrss of the step's process also counts the pages it shared with the (forked)
    # parent before exec, so in a long test session it can read a few hundred MiB; the
    # point is that the 8 GiB request never got past the 512 MiB address-space limit.
    assert r.peak_rss_kb < 512 * 1024
    print(f"memory attack: step peak RSS {r.peak_rss_kb / 1024:.0f} MiB")


@needs_ns
def test_stdout_flood_is_capped(runner: PythonRunner) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    r = runner.run(FLOOD_ATTACK, {})
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert r.ok and r.output == "flooded", r
    assert len(r.stdout) == 2**20 and r.dropped == 2 * 2**30 - 2**20
    assert after - before < 64 * 1024  # KiB: the parent kept 1 MiB, not 2 GiB
    print(f"flood: 2 GiB in {time.monotonic() - started:.1f} s, parent peak RSS {after / 1024:.0f} MiB "
          f"(+{(after - before) / 1024:.0f}), step peak RSS {r.peak_rss_kb / 1024:.0f} MiB")


@needs_ns
def test_forged_result_marker(runner: PythonRunner) -> None:
    r = runner.run(FORGE_ATTACK, {})
    assert r.ok, r
    assert r.output == ["genuine", "OSError"]


@needs_ns
def test_detached_children_do_not_survive(runner: PythonRunner) -> None:
    r = runner.run(DETACH_ATTACK, {})
    assert r.ok, r
    assert all(o in ("PermissionError", "BlockingIOError") for o in r.output), r.output
    spin = PythonRunner(time_limit_s=1, audit_hook=False).run("while True: pass", {})
    assert spin.timed_out
    time.sleep(0.2)
    assert _leftovers() == []


@needs_ns
def test_parallel_python_steps_run_concurrently() -> None:
    from tests.simulate.helpers import CATALOG, flow
    from flowdsl.simulate import Simulator
    wf = flow("""
steps:
  - id: p
    parallel:
      - {id: a, python: "import time\\ntime.sleep(2)\\nresult = inputs['n'] * 1", with: {n: 1}}
      - {id: b, python: "import time\\ntime.sleep(2)\\nresult = inputs['n'] * 2", with: {n: 1}}
      - {id: c, python: "import time\\ntime.sleep(2)\\nresult = inputs['n'] * 3", with: {n: 1}}
""")
    sim = Simulator(wf, CATALOG, None, PythonRunner())
    started = time.monotonic()
    t = sim.run({}).trace()
    wall = time.monotonic() - started
    assert t["status"] == "completed" and t["steps"]["p"]["output"] == [1, 2, 3]
    print(f"3 parallel 2-second python steps: {wall:.2f} s wall")
    # Measured here: about 2.6 s (target < 3 s). One after another it would be >= 6 s; the
    # bound leaves room for a loaded CI machine without letting sequential runs pass.
    assert wall < 4.5
    again = Simulator(wf, CATALOG, None, PythonRunner()).run({}).trace()  # fresh processes, other timing
    assert again["steps"] == t["steps"]  # the same trace, step for step


# ------------------------------------------------------------------ all of them, through the CLI

@needs_ns
def test_simulate_completes_cleanly_under_attack(tree: Path, listener: tuple[int, list[int]]) -> None:
    port, hits = listener
    victim = tree / "victim.txt"
    attacks = {"env": ENV_ATTACK, "neighbour": NEIGHBOUR_ATTACK, "net": NET_ATTACK, "shell": SHELL_ATTACK,
               "fork": FORK_ATTACK, "ctypes": CTYPES_ATTACK, "write": WRITE_ATTACK, "memory": MEMORY_ATTACK,
               "flood": FLOOD_ATTACK, "forge": FORGE_ATTACK, "detach": DETACH_ATTACK}
    with_ = {"host_pid": 1, "path": str(victim), "folder": str(tree), "port": port,
             "exe": os.path.realpath(sys.executable)}
    branches = [{"id": name, "python": code, "with": with_, "continue_on_error": True}
                for name, code in attacks.items()]
    doc = {"name": "Hostile", "steps": [{"id": "all", "parallel": branches}, {"id": "after", "pass": "done"}]}
    path = tree / "hostile.flow.yaml"
    path.write_text(json.dumps(doc))
    env = dict(os.environ, FLOWDSL_FAKE_API_KEY=SECRET, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "flowdsl", "simulate", str(path), "--format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=str(tree))
    out, err = proc.communicate(timeout=60)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert proc.returncode == 0, err.decode()
    t = json.loads(out)
    assert t["status"] == "completed" and t["steps"]["after"]["output"] == "done"
    assert SECRET not in out.decode() and NEIGHBOUR not in out.decode()
    assert hits == [] and victim.read_text() == "keep me"
    assert sorted(p.name for p in tree.iterdir()) == ["hostile.flow.yaml", "neighbour.txt", "victim.txt"]
    steps = t["steps"]
    assert steps["forge"]["output"][0] == "genuine"
    assert steps["memory"]["output"] == "MemoryError"
    assert peak < 400 * 1024, peak  # KiB: flowdsl and its steps, the 2 GiB flood included
    print(f"simulate under attack: peak RSS of flowdsl and its children {peak / 1024:.0f} MiB")
    time.sleep(0.2)
    assert _leftovers() == []


# ------------------------------------------------------------------ the policy: --python isolated|mock|host

PY_FLOW = "steps:\n  - {id: py, python: \"import os\\nresult = sorted(os.environ)\"}\n"


def _cli(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    from click.testing import CliRunner
    from flowdsl.cli.main import cli
    path = tmp_path / "py.flow.yaml"
    path.write_text(PY_FLOW)
    r = CliRunner().invoke(cli, ["simulate", str(path), "--format", "json", *args])
    return r.exit_code, r.stdout, r.stderr


def test_mock_mode_runs_nothing(tmp_path: Path) -> None:
    code, out, err = _cli(tmp_path, "--python", "mock")
    step = json.loads(out)["steps"]["py"]
    assert code == 0 and step["status"] == "completed" and step["output"] is None
    assert step["attempts"][0]["source"] == "default" and err == ""


def test_unavailable_isolation_falls_back_to_mock_and_says_so(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isolation, "available", lambda: (False, "no user namespaces (test)"))
    code, out, err = _cli(tmp_path)
    assert code == 0 and json.loads(out)["steps"]["py"]["output"] is None
    assert err.count("cannot be isolated here (no user namespaces (test))") == 1


def test_unavailable_isolation_never_runs_code_unisolated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isolation, "available", lambda: (False, "no user namespaces (test)"))
    r = PythonRunner(mode="isolated").run("result = 1", {})
    assert not r.ok and r.error == "SandboxError"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="rlimits and seccomp as used here are Linux's")
def test_host_mode_has_limits_and_an_empty_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOWDSL_FAKE_API_KEY", SECRET)
    runner = PythonRunner(mode="host", time_limit_s=10)
    env = runner.run("import os\nresult = sorted(k for k in os.environ if k != 'LC_CTYPE')", {})
    assert env.ok and env.output == ["HOME"], env
    assert runner.run(MEMORY_ATTACK, {}).output == "MemoryError"
    assert runner.run(FORK_ATTACK, {}).output in ("PermissionError", "BlockingIOError")


@needs_ns
def test_signals_reach_nothing_outside(runner: PythonRunner) -> None:
    code = ("import os, signal\nout = []\n"
            "for f in (lambda: os.kill(inputs['host_pid'], signal.SIGKILL), lambda: os.killpg(inputs['pgid'], 9),\n"
            "          lambda: os.kill(-1, signal.SIGKILL)):\n"
            "    try:\n        f()\n        out.append('sent')\n"
            "    except OSError as exc:\n        out.append(type(exc).__name__)\nresult = out\n")
    r = runner.run(code, {"host_pid": os.getpid(), "pgid": os.getpgid(0)})
    assert r.ok, r  # and this test process is still alive to read it
    assert r.output[:2] == ["ProcessLookupError", "ProcessLookupError"], r.output
