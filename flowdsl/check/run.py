"""The one analysis entry point: source in, :class:`CheckedFile` out.

``analyze(source, project)`` loads a flow (a path, or text held in memory such as an editor
buffer), reads it into the IR, runs every enabled rule over one :class:`Context`, then
applies the project's policy (config, inline ignores) once to every finding. The CLI,
``remote/`` (deploy refuses what check reports), the simulator and the language server all
call it; none of them re-implements "load, check, apply policy".

A :class:`Project` (configuration + model catalog) is found once for a set of paths and
reused. Calling ``analyze`` again with the same file name and text returns the cached
result, so an editor may call it on every keystroke.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from flowdsl.cached import cached_property
from pathlib import Path
from typing import Callable, Iterable

from flowdsl import ir
from flowdsl.catalog.model import Catalog
from flowdsl.check.config import Config, ConfigError, load_config
from flowdsl.check.context import Context
from flowdsl.check.policy import apply_policy, step_first_lines
from flowdsl.check.symbols import SymbolTable
from flowdsl.diagnostics import Diagnostic, Severity
from flowdsl.rules import REGISTRY

__all__ = ["CheckedFile", "ConfigError", "Project", "analyze", "catalog_for", "check_files",
           "check_workflow"]


# ---------------------------------------------------------------- the project


@dataclass(frozen=True, eq=False)
class Project:
    """What a set of files is checked against: the configuration and the model catalog."""

    config: Config = field(default_factory=Config)
    catalog: Catalog | None = None
    root: Path | None = None  # where the config (or the first file) was found

    @classmethod
    def for_paths(cls, paths: Iterable[Path | str], config_path: Path | str | None = None) -> "Project":
        """The nearest config (or ``config_path``) from the first path upwards, and the catalog
        it names: the bundled snapshot overlaid by the local cache, with the nearest
        ``flowdsl.lock``. Raises :class:`ConfigError` for a broken configuration."""
        first = next(iter(paths), None)
        start = Path(first).resolve().parent if first is not None else Path.cwd()
        config = load_config(Path(config_path) if config_path else None, start)
        return cls(config, catalog_for(config, start), start)

    @classmethod
    def bundled(cls) -> "Project":
        """Default configuration and the catalog bundled in the package (no files consulted)."""
        from flowdsl.catalog import bundled_catalog
        return cls(Config(), bundled_catalog(), None)


def catalog_for(config: Config | None, project_dir: Path | str | None = None) -> Catalog:
    """The catalog a check uses: the bundled snapshot overlaid by the local cache, or by the
    cache directory the config names (``catalog = "..."``), with the nearest lock file."""
    from flowdsl.catalog import cache as cache_mod
    from flowdsl.catalog import load_catalog
    from flowdsl.catalog.layered import LayeredCatalog

    if config is None or config.catalog is None:
        return load_catalog(project_dir)
    lock = cache_mod.find_lock(Path(project_dir)) if project_dir is not None else None
    return LayeredCatalog(cache_directory=config.catalog, lock_path=lock)


# ---------------------------------------------------------------- the result


@dataclass(eq=False)
class CheckedFile:
    """One analysed file: its text, its IR (None when it could not be read as a workflow) and
    its findings after policy, sorted by position."""

    file: str
    source: str
    workflow: ir.Workflow | None
    diagnostics: list[Diagnostic]

    @property
    def loaded(self) -> bool:
        return self.workflow is not None

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity is Severity.WARNING)

    @property
    def has_errors(self) -> bool:
        return self.errors > 0

    @cached_property
    def symbols(self) -> SymbolTable | None:
        return SymbolTable(self.workflow) if self.workflow is not None else None


# ---------------------------------------------------------------- analysis

# (file, text, id(project)) -> result; an editor re-analyses the same text often (hover,
# completion, a save that changes nothing). Small: a buffer's older versions are not reused.
_RECENT: "OrderedDict[tuple[str, str, int], CheckedFile]" = OrderedDict()
_RECENT_MAX = 16


def analyze(source: str | bytes | Path, project: Project | None = None, *,
            file: str | None = None) -> CheckedFile:
    """Analyse one flow: a :class:`~pathlib.Path` is read from disk (an unreadable file is a
    finding, never an exception); ``str``/``bytes`` are the text itself, named ``file``."""
    from flowdsl.frontend.source import load_source, load_workflow

    project = project or Project()
    key: tuple[str, str, int] | None = None
    if isinstance(source, Path):
        loaded = load_workflow(source)
    else:
        name = file or "<text>"
        text = source.decode("utf-8", "surrogateescape") if isinstance(source, bytes) else source
        key = (name, text, id(project))
        hit = _RECENT.get(key)
        if hit is not None:
            _RECENT.move_to_end(key)
            return hit
        loaded = load_source(source, name)
    found = list(loaded.diagnostics)
    lines: dict[str, int] = {}
    if loaded.workflow is not None:
        found += run_rules(loaded.workflow, project.catalog, project.config, loaded.source)
        lines = step_first_lines(loaded.workflow)
    kept = apply_policy(found, project.config, loaded.source, lines)
    result = CheckedFile(loaded.file, loaded.source, loaded.workflow, kept)
    if key is not None:
        _RECENT[key] = result
        while len(_RECENT) > _RECENT_MAX:
            _RECENT.popitem(last=False)
    return result


def run_rules(wf: ir.Workflow, catalog: Catalog | None, config: Config | None,
              source: str | None) -> list[Diagnostic]:
    """The findings of every enabled rule that has a ``check(ctx)``, before policy."""
    config = config or Config()
    ctx = Context(wf, catalog, config, source)
    found: list[Diagnostic] = []
    for rule_id, check in _checks():
        if config.enabled(rule_id):
            found.extend(check(ctx))
    return found


def check_workflow(wf: ir.Workflow, catalog: Catalog | None, config: Config | None = None,
                   *, source: str | None = None) -> list[Diagnostic]:
    """The rules' findings for an IR already in hand (policy applied). ``source`` is the
    file's text (read from ``wf.file`` when omitted); it locates findings inside strings and
    holds the inline ignores."""
    if source is None:
        try:
            source = Path(wf.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError, ValueError):
            source = None
    return apply_policy(run_rules(wf, catalog, config, source), config, source, step_first_lines(wf))


_CHECKS: list[tuple[str, Callable[[Context], Iterable[Diagnostic]]]] | None = None


def _checks() -> list[tuple[str, Callable[[Context], Iterable[Diagnostic]]]]:
    """(rule id, check function) of every rule that has one, imported once."""
    global _CHECKS
    if _CHECKS is None:
        found = []
        for rule in REGISTRY.values():
            check = getattr(rule.load(), "check", None)
            if check is not None:
                found.append((rule.id, check))
        _CHECKS = found
    return _CHECKS


# ---------------------------------------------------------------- many files

# Set in the parent before forking: workers inherit the project instead of pickling it
# (and the catalog's lazily loaded specs) for every file.
_SHARED: Project | None = None
PARALLEL_MIN_FILES = 64


def _in_this_process(files: list[str], project: Project, slim: bool) -> list[CheckedFile]:
    # The results kept so far are hundreds of thousands of acyclic objects (IR, spans) that
    # the cycle collector would walk again and again as they grow (15% of a 1,000-file check
    # that keeps the IR); a check makes next to no cyclic garbage (measured: the same peak
    # memory either way), so the collector rests until the end, as it does while loading.
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        if slim:
            return [_slim(analyze(Path(f), project)) for f in files]
        return [analyze(Path(f), project) for f in files]
    finally:
        if enabled:
            gc.enable()


def _check_in_worker(path: str) -> CheckedFile:
    assert _SHARED is not None
    return _slim(analyze(Path(path), _SHARED))


def _slim(result: CheckedFile) -> CheckedFile:
    # Across a process boundary only what a report needs travels: the findings, and the
    # text when there is something to frame.
    return CheckedFile(result.file, result.source if result.diagnostics else "", None,
                       result.diagnostics)


def busy_cpus(samples: int = 3, pause: float = 0.01) -> float:
    """How many CPUs other processes keep busy now: the runnable tasks in /proc/loadavg
    beside this one, the least of a few samples (a process that runs on is in every one; a
    short-lived one is not). The 1-minute load average, the fallback, lags: right after a
    busy step (a build, another check) it still counts cores that are free by now."""
    import os
    import time

    try:
        seen = []
        for i in range(samples):
            if i:
                time.sleep(pause)
            with open("/proc/loadavg", encoding="ascii") as fh:
                seen.append(int(fh.read().split()[3].split("/")[0]) - 1)
        return float(max(0, min(seen)))
    except (OSError, ValueError, IndexError):
        return os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0


def default_jobs(cpus: int, load: float) -> int:
    """Worker processes for a big check: the CPUs nobody else is using (``load``: how many
    are busy, see :func:`busy_cpus`), at least one. On a shared machine a worker on a busy
    core only slows the others down and adds the cost of forking and pickling results."""
    return max(1, min(cpus, int(cpus - load + 0.5)))


def check_files(paths: Iterable[str | Path], project: Project,
                jobs: int | None = None, slim: bool = False) -> list[CheckedFile]:
    """Analyse many files, in input order. With many files (and more than one CPU) the work
    is spread over ``jobs`` processes (default: the CPUs free now); a 20-step flow takes
    about a millisecond and a half to check, so below PARALLEL_MIN_FILES forking costs more than it saves.
    Results of worker processes carry no IR (``workflow`` is None, ``loaded`` is unknown);
    ``slim=True`` drops it in this process too, so memory stays flat in the number of files
    (what a report needs: findings, and the text of files that have any)."""
    import os

    files = [str(p) for p in paths]
    if len(files) < PARALLEL_MIN_FILES:
        jobs = 1
    elif jobs is None:  # (only now: measuring the busy CPUs takes 20 ms)
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        jobs = default_jobs(cpus, busy_cpus())
    jobs = min(jobs, max(1, len(files) // (PARALLEL_MIN_FILES // 2)))
    if jobs <= 1:
        return _in_this_process(files, project, slim)
    import multiprocessing

    try:
        mp = multiprocessing.get_context("fork")
    except ValueError:  # no fork on this platform: spawning re-imports everything, not worth it
        return _in_this_process(files, project, slim)
    global _SHARED
    _SHARED = project
    try:
        with mp.Pool(jobs) as pool:
            chunk = max(1, len(files) // (jobs * 8))
            return list(pool.imap(_check_in_worker, files, chunksize=chunk))
    finally:
        _SHARED = None
