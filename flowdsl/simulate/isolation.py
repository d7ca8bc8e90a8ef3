"""Operating-system isolation for a python step (Linux): namespaces, a minimal root, rlimits.

This file is both a module (``available()``, ``launcher_argv()``, used by ``sandbox.py``) and
the *launcher* script that ``sandbox.py`` starts as ``python -I -S isolation.py CONFIG``. Run as
a script it imports only the standard library (``-I`` keeps the project off ``sys.path``).

What the launcher does, in order (mode ``isolated``):

1. ``unshare(USER | MOUNT | PID | NET | IPC | UTS)`` and maps the caller's uid/gid to 0 in the
   new user namespace (``setgroups`` denied); a caller that is the host's root first becomes
   ``nobody`` (65534). The new network namespace has only ``lo``, down.
2. ``fork``: the child is pid 1 of the new pid namespace. When it exits, the kernel kills
   every process left in the namespace, so nothing the step starts can outlive it.
3. The child builds a new root on a tmpfs: read-only bind mounts of the interpreter and its
   standard library (and the system library directories it links against), the runner
   script, a fresh ``/proc`` for the new pid namespace, and an empty, size-capped, writable
   tmpfs at ``/tmp`` (the scratch directory, the working directory). ``pivot_root`` into it
   and detach the old root: the user's files, ``/home``, ``/etc``, ``/dev`` are not there.
4. It enters a second user namespace where it is uid/gid 1000 (unprivileged; it has no
   capabilities after ``exec``), sets ``no_new_privs`` and rlimits (address space, CPU,
   8 processes or threads, file size, open files, no core), and ``exec``s the runner with an empty
   environment. Only stdin (the payload), stdout, stderr and fd 3 (the result pipe) are open.

Mode ``host`` (explicit opt-in, trusted flows) skips 1-3: rlimits and empty environment only.
"""

from __future__ import annotations

import json
import os
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_RELATIME = 1 << 21
MNT_DETACH = 2
PR_SET_NO_NEW_PRIVS = 38
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
NOBODY = 65534

SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "armv7l": 218, "ppc64le": 203, "s390x": 217, "riscv64": 41}

RESULT_FD = 3
INNER_UID = 1000
MEMORY_LIMIT = 512 * 2**20
FILE_SIZE_LIMIT = 16 * 2**20
OPEN_FILES_LIMIT = 64
NPROC_LIMIT = 8
SCRATCH_SIZE = "16m"

# System directories the interpreter may need (its shared libraries, the dynamic loader).
SYSTEM_DIRS = ("/usr", "/lib", "/lib64", "/lib32", "/bin")
SYSTEM_FILES = ("/etc/ld.so.cache",)


# ------------------------------------------------------------------ module side (the parent)


def runtime_dirs() -> list[str]:
    """Host directories bound read-only into the step's root (deduplicated, outermost first)."""
    wanted: list[str] = list(SYSTEM_DIRS)
    exe = os.path.realpath(sys.executable)
    for p in (sys.base_prefix, sys.base_exec_prefix, os.path.dirname(os.path.dirname(exe))):
        if p:
            wanted.append(os.path.realpath(p))
    out: list[str] = []
    for d in wanted:
        if d == "/" or not os.path.exists(d):
            continue
        if any(d == o or d.startswith(o.rstrip("/") + "/") for o in out if not os.path.islink(o)):
            continue
        out.append(d)
    return out


def launcher_argv(mode: str, runner: str, cpu_s: float, result_fd: int | None = None) -> list[str]:
    exe = os.path.realpath(sys.executable)
    config = {"mode": mode, "python": exe, "runner": runner, "cpu_s": cpu_s, "result_fd": result_fd,
              "dirs": runtime_dirs() if mode == "isolated" else [], "files": list(SYSTEM_FILES),
              }
    return [exe, "-I", "-S", os.path.abspath(__file__), json.dumps(config)]


_AVAILABLE: tuple[bool, str] | None = None


def available() -> tuple[bool, str]:
    """(True, "") when isolated python steps work here; else (False, why). Probed once, by
    really starting an isolated interpreter (the kernel, a container or a policy may refuse)."""
    global _AVAILABLE
    if _AVAILABLE is None:
        _AVAILABLE = _probe()
    return _AVAILABLE


def _probe() -> tuple[bool, str]:
    if not sys.platform.startswith("linux"):
        return False, f"needs Linux namespaces (this is {sys.platform})"
    if os.uname().machine not in SYS_PIVOT_ROOT:
        return False, f"no pivot_root number known for {os.uname().machine}"
    import subprocess
    probe = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_runner.py")
    argv = launcher_argv("isolated", probe, 5.0)
    argv[-1] = json.dumps(dict(json.loads(argv[-1]), probe=True))
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=20, env={},
                           start_new_session=True)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"cannot start an isolated interpreter: {exc}"
    if p.returncode != 0 or p.stdout.strip() != b"isolated-ok":
        err = p.stderr.decode("utf-8", "replace").strip().splitlines()
        return False, err[-1] if err else f"the isolation probe exited with status {p.returncode}"
    return True, ""


# ------------------------------------------------------------------ launcher side (the child)


def _libc():  # type: ignore[no-untyped-def]
    import ctypes
    import ctypes.util
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return ctypes, libc


def _check(ctypes, rc: int, what: str) -> None:  # type: ignore[no-untyped-def]
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _map_ids(inner: int, outer_uid: int, outer_gid: int) -> None:
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{inner} {outer_uid} 1\n")
    _write("/proc/self/gid_map", f"{inner} {outer_gid} 1\n")


def _mount_flags(path: str) -> int:
    st = os.statvfs(path)
    flags = 0
    for st_bit, ms_bit in ((os.ST_NOSUID, MS_NOSUID), (os.ST_NODEV, MS_NODEV), (os.ST_NOEXEC, MS_NOEXEC),
                           (os.ST_NOATIME, MS_NOATIME), (os.ST_NODIRATIME, MS_NODIRATIME),
                           (os.ST_RELATIME, MS_RELATIME)):
        if st.f_flag & st_bit:
            flags |= ms_bit
    return flags


def _bind_ro(ctypes, libc, src: str, root: str) -> None:  # type: ignore[no-untyped-def]
    dst = root + src
    if os.path.islink(src):
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if not os.path.lexists(dst):
            os.symlink(os.readlink(src), dst)
        return
    if os.path.isdir(src):
        os.makedirs(dst, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if not os.path.exists(dst):
            os.close(os.open(dst, os.O_CREAT | os.O_WRONLY, 0o644))
    _check(ctypes, libc.mount(src.encode(), dst.encode(), None, MS_BIND | MS_REC, None), f"bind {src}")
    flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | _mount_flags(src)
    _check(ctypes, libc.mount(None, dst.encode(), None, flags, None), f"read-only {src}")


def _stage(cfg: dict) -> str:  # type: ignore[type-arg]
    """A host directory to cover with the new root's tmpfs: one that exists and holds
    nothing that is to be bound into it (an interpreter under /tmp, say)."""
    wanted = list(cfg["dirs"]) + list(cfg["files"]) + [cfg["python"]]
    for d in ("/tmp", "/mnt", "/media", "/srv", "/var/tmp", "/opt"):
        if os.path.isdir(d) and not os.path.islink(d) and not any(w == d or w.startswith(d + "/") for w in wanted):
            return d
    raise OSError("no directory to build the sandbox's root on")


def _scratch(cfg: dict) -> str:  # type: ignore[type-arg]
    """The scratch directory's path inside: /tmp, unless the interpreter lives there."""
    wanted = list(cfg["dirs"]) + [cfg["python"]]
    return "/scratch" if any(w == "/tmp" or w.startswith("/tmp/") for w in wanted) else "/tmp"


def _populate(ctypes, libc, cfg: dict, owner: int = 0) -> str:  # type: ignore[no-untyped-def,type-arg]
    """Build the step's root at /tmp (in this process's private mount namespace); read-only."""
    _check(ctypes, libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "make / private")
    root = _stage(cfg)
    _check(ctypes, libc.mount(b"tmpfs", root.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, b"size=1m,mode=0755"),
           "tmpfs root")
    for d in cfg["dirs"]:
        _bind_ro(ctypes, libc, d, root)
    for f in cfg["files"]:
        if os.path.isfile(f):
            _bind_ro(ctypes, libc, f, root)
    with open(root + "/runner.py", "w", encoding="utf-8") as f:
        f.write(cfg["runner_source"])
    os.makedirs(root + "/proc")
    os.makedirs(root + _scratch(cfg), mode=0o755, exist_ok=True)
    _check(ctypes, libc.mount(b"tmpfs", (root + _scratch(cfg)).encode(), b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                              f"size={SCRATCH_SIZE},mode=0755,uid={owner},gid={owner}".encode()), "scratch tmpfs")
    _check(ctypes, libc.mount(None, root.encode(), None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
                              None), "read-only root")
    return root


def _enter(ctypes, libc, root: str) -> None:  # type: ignore[no-untyped-def]
    """As pid 1 of the new pid namespace: its own /proc, then pivot into the root."""
    # A mount made in a more privileged namespace is locked here, and pivot_root refuses a
    # locked new root: put a mount of our own (a recursive bind of it) on top.
    _check(ctypes, libc.mount(root.encode(), root.encode(), None, MS_BIND | MS_REC, None), "bind the root")
    _check(ctypes, libc.mount(None, root.encode(), None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
                              None), "read-only root")
    _check(ctypes, libc.mount(b"proc", (root + "/proc").encode(), b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None),
           "mount /proc")
    os.chdir(root)
    nr = SYS_PIVOT_ROOT[os.uname().machine]
    _check(ctypes, libc.syscall(nr, b".", b"."), "pivot_root")
    _check(ctypes, libc.umount2(b".", MNT_DETACH), "detach the old root")
    os.chdir("/")


def _rlimits(cpu_s: float, nproc: int) -> None:
    import resource
    cpu = max(1, int(cpu_s) + 1)
    for what, value in ((resource.RLIMIT_AS, MEMORY_LIMIT), (resource.RLIMIT_CPU, cpu),
                        (resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT), (resource.RLIMIT_NOFILE, OPEN_FILES_LIMIT),
                        (resource.RLIMIT_CORE, 0), (resource.RLIMIT_NPROC, nproc),
                        (resource.RLIMIT_MEMLOCK, 0)):
        resource.setrlimit(what, (value, value))


def _exec_runner(cfg: dict, runner: str) -> None:  # type: ignore[type-arg]
    os.execve(cfg["python"], [cfg["python"], "-I", "-S", "-B", runner], {})


def _isolated(cfg: dict) -> int:  # type: ignore[type-arg]
    ctypes, libc = _libc()
    flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    host_root = os.getuid() == 0
    uid, gid = os.getuid(), os.getgid()
    if host_root:
        # Called by the host's root: build the root while root can still read everything;
        # the namespaces are then entered by a child whose uid map this launcher writes as
        # 0 -> the host's nobody (65534), so that the kernel (file ownership, RLIMIT_NPROC)
        # sees no host root in the step.
        os.setgroups([])
        _check(ctypes, libc.unshare(CLONE_NEWNS), "unshare the mount namespace")
        root = _populate(ctypes, libc, cfg, owner=NOBODY)
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    child = os.fork()
    if child:  # the launcher
        os.close(ready_w)
        os.close(go_r)
        os.read(ready_r, 1)
        if host_root:
            try:
                for name, text in (("setgroups", "deny"), ("uid_map", f"0 {NOBODY} 1\n"),
                                   ("gid_map", f"0 {NOBODY} 1\n")):
                    _write(f"/proc/{child}/{name}", text)
            except OSError as exc:
                os.write(2, f"flowdsl isolation: uid map: {exc}\n".encode())
                os.kill(child, 9)
        os.write(go_w, b"g")
        os.close(go_w)
        _, status = os.waitpid(child, 0)
        return os.waitstatus_to_exitcode(status)
    try:
        os.close(ready_r)
        os.close(go_w)
        libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)
        _check(ctypes, libc.unshare(flags), "unshare")
        os.write(ready_w, b"r")
        os.close(ready_w)
        if os.read(go_r, 1) != b"g":
            raise OSError("the launcher gave up")
        os.close(go_r)
        if host_root:
            os.setgid(0)
            os.setuid(0)
            libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # setuid cleared it; /proc/self must stay ours
        else:
            _map_ids(0, uid, gid)
            root = _populate(ctypes, libc, cfg)
        pid = os.fork()
        if pid:  # wait for pid 1 of the namespace, pass its status on
            _, status = os.waitpid(pid, 0)
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
        # pid 1 of the new namespace
        libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)
        _enter(ctypes, libc, root)
        os.chdir(_scratch(cfg))
        _check(ctypes, libc.unshare(CLONE_NEWUSER), "unshare the unprivileged user namespace")
        _map_ids(INNER_UID, 0, 0)
        _check(ctypes, libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        if cfg.get("probe"):
            os.execve(cfg["python"], [cfg["python"], "-I", "-S", "-c",
                                      "import os; assert os.getuid() > 0 and not os.path.exists('/etc/hostname');"
                                      "print('isolated-ok')"], {})
        # Threads count as processes here; new processes are refused by the runner's seccomp
        # filter (which lowers this to 1 where it cannot install one).
        _rlimits(cfg["cpu_s"], NPROC_LIMIT)
        _exec_runner(cfg, "/runner.py")
    except BaseException as exc:  # noqa: BLE001 - report and leave; the parent sees the status
        os.write(2, f"flowdsl isolation: {exc}\n".encode())
    os._exit(125)


def _host(cfg: dict) -> int:  # type: ignore[type-arg]
    _rlimits(cfg["cpu_s"], 4096)
    _exec_runner(cfg, cfg["runner"])
    return 125


def main() -> int:
    cfg = json.loads(sys.argv[1])
    # Only the pipes the runner needs: stdin, stdout, stderr, and the result pipe at fd 3.
    fd = cfg.get("result_fd")
    if fd is not None and fd != RESULT_FD:
        os.dup2(fd, RESULT_FD, inheritable=True)
        os.close(fd)
    if cfg["mode"] == "isolated":
        with open(cfg["runner"], encoding="utf-8") as f:  # read before the host's /tmp is covered
            cfg["runner_source"] = f.read()
    if cfg["mode"] == "host":
        return _host(cfg)
    return _isolated(cfg)


if __name__ == "__main__":
    sys.exit(main())
