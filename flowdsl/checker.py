"""Run every registered rule over one workflow and apply the project's policy.

``check_workflow`` builds one :class:`Context` (symbol table, type resolver, model specs,
every reference in the flow, parsed python code), runs each enabled rule's ``check(ctx)``
generator from :data:`flowdsl.rules.REGISTRY`, then applies the configuration (rules off,
severity overrides) and inline ``# flowdsl: ignore[...]`` comments. Rules that fire while
parsing (yaml-syntax, schema, ...) have no ``check``; pass the parser's diagnostics through
:func:`apply_policy` so that config and inline ignores apply to them too.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from flowdsl import ir, types
from flowdsl.catalog.model import Catalog, ModelSpec
from flowdsl.config import Config
from flowdsl.diagnostics import Diagnostic
from flowdsl.rules import REGISTRY
from flowdsl.spans import Span
from flowdsl.suppress import Ignores, parse_ignores
from flowdsl.symbols import StepInfo, SymbolTable


@dataclass(frozen=True, slots=True)
class RefUse:
    """One reference as written: where it sits and who reads it."""

    ref: ir.Ref
    reader: StepInfo | None  # None: the workflow's outputs (read after every step)
    place: str  # "params", "fallback", "condition", "output", "url", "body", ...

    @property
    def step(self) -> str | None:
        return self.reader.id if self.reader is not None else None


@dataclass(frozen=True, slots=True)
class DollarRef:
    """``$.inputs.x`` written in a literal string where a ``{{...}}`` template is meant."""

    scalar: ir.Scalar
    text: str  # "$.inputs.x"
    root: str
    path: tuple[str, ...]
    span: Span
    step: str | None


# $.name(.name)* inside literal text. Detection of a mistake in free text, not a grammar:
# the condition grammar itself is lark's job.
_DOLLAR = re.compile(r"\$((?:\.[A-Za-z0-9_][A-Za-z0-9_\-]*)+)")


class Context:
    """Everything rules share; computed lazily and at most once per workflow."""

    def __init__(self, workflow: ir.Workflow, catalog: Catalog | None, config: Config,
                 source: str | None) -> None:
        self.workflow = workflow
        self.catalog = catalog
        self.config = config
        self.source = source
        self.symbols = SymbolTable(workflow)
        self._lines: list[str] | None = None
        self._specs: dict[str, ModelSpec | None] = {}
        self._types: dict[tuple[str, tuple[str, ...]], types.Type] = {}
        self._resolving: set[tuple[str, tuple[str, ...]]] = set()
        self._refs: list[RefUse] | None = None
        self._dollars: list[DollarRef] | None = None
        self._ast: dict[int, ast.AST | SyntaxError] = {}
        self.memo: dict[str, Any] = {}  # free-form cache shared by cooperating rules

    # ------------------------------------------------------------------ source

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.source.splitlines() if self.source is not None else []
        return self._lines

    def source_text(self, span: Span) -> str | None:
        """The text a single-line span covers, when the source is available."""
        if span.line != span.end_line or not 0 < span.line <= len(self.lines):
            return None
        return self.lines[span.line - 1][span.column - 1:span.end_column - 1]

    def locate_in(self, scalar: ir.Scalar, needle: str, start: int = 0) -> Span:
        """The span of ``needle`` inside a scalar's source text (searched line by line from
        ``start`` characters into its first line), or the scalar's span when not found
        verbatim (escapes, folding)."""
        span = scalar.span
        if not 0 < span.line <= len(self.lines):
            return span
        last = min(span.end_line, len(self.lines))
        for number in range(span.line, last + 1):
            line = self.lines[number - 1]
            lo = span.column - 1 + start if number == span.line else 0
            hi = span.end_column - 1 if number == span.end_line else len(line)
            at = line.find(needle, lo, hi)
            if at >= 0:
                return Span(span.file, number, at + 1, number, at + 1 + len(needle))
        return span

    # ------------------------------------------------------------------ steps & models

    def steps(self) -> list[ir.Step]:
        """Every step, nested ones included, in document order (computed once)."""
        return self.symbols.all_steps

    def info(self, step: ir.Step) -> StepInfo:
        return self.symbols.info(step)

    def spec(self, slug: str) -> ModelSpec | None:
        if self.catalog is None:
            return None
        if slug not in self._specs:
            self._specs[slug] = self.catalog.get(slug)
        return self._specs[slug]

    def python_ast(self, step: ir.PythonStep) -> ast.AST | SyntaxError:
        key = id(step)
        if key not in self._ast:
            try:
                self._ast[key] = ast.parse(step.code.text, filename="<python step>")
            except SyntaxError as exc:
                self._ast[key] = exc
            except ValueError as exc:  # NUL bytes in the source
                self._ast[key] = SyntaxError(str(exc))
        return self._ast[key]

    # ------------------------------------------------------------------ references

    def refs(self) -> list[RefUse]:
        if self._refs is None:
            self._refs = list(self._collect_refs())
        return self._refs

    def _collect_refs(self) -> Iterator[RefUse]:
        for step in self.steps():
            info = self.symbols.info(step)
            for place, value in _places(step):
                for template in ir.iter_templates(value):
                    for ref in template.refs:
                        yield RefUse(ref, info, place)
            if isinstance(step, ir.ChoiceStep):
                for ref in ir.iter_condition_refs(step.condition):
                    yield RefUse(ref, info, "condition")
        for output in self.workflow.outputs:
            for ref in output.refs:
                yield RefUse(ref, None, "output")

    def dollar_refs(self) -> list[DollarRef]:
        """``$.x.y`` written inside literal strings of step values (not conditions)."""
        if self._dollars is None:
            found: list[DollarRef] = []
            for step in self.steps():
                for _, value in _places(step):
                    for scalar in ir.iter_scalars(value):
                        if isinstance(scalar.value, str) and "$." in scalar.value:
                            found.extend(self._dollars_in(scalar, step.common.id))
            self._dollars = found
        return self._dollars

    def _dollars_in(self, scalar: ir.Scalar, step_id: str) -> Iterator[DollarRef]:
        assert isinstance(scalar.value, str)
        known = self.symbols.steps
        cursor = 0
        for m in _DOLLAR.finditer(scalar.value):
            names = tuple(m.group(1)[1:].split("."))
            root, path = names[0], names[1:]
            # Only names that mean something in this flow, or that read a step's value
            # ($.stepx.primary): a price like "$.99" is text.
            if root != "inputs" and root not in known and root not in self.symbols.branches \
                    and not (path and path[0] in ("output", "primary")):
                continue
            span = self.locate_in(scalar, m.group(0), cursor)
            if span is not scalar.span and span.line == scalar.span.line:
                cursor = span.end_column - scalar.span.column  # the next one starts after
            yield DollarRef(scalar, m.group(0), root, path, span, step_id)

    # ------------------------------------------------------------------ types

    def type_of(self, ref: ir.Ref) -> types.Type:
        """The run-time type of what a reference points at; unknown when unsure."""
        key = (ref.root, ref.path)
        cached = self._types.get(key)
        if cached is not None:
            return cached
        if key in self._resolving:  # a pass step whose result refers back to itself
            return types.UNKNOWN
        self._resolving.add(key)
        try:
            result = self._type_of(ref)
        finally:
            self._resolving.discard(key)
        self._types[key] = result
        return result

    def _type_of(self, ref: ir.Ref) -> types.Type:
        if ref.is_input:
            if len(ref.path) != 1:
                return types.UNKNOWN
            declared = self.workflow.input(ref.path[0])
            return types.of_schema(declared.schema.to_python()) if declared else types.UNKNOWN
        info = self.symbols.get(ref.root)
        if info is None:
            return types.UNKNOWN
        step = info.step
        if isinstance(step, ir.ModelStep):
            return self._model_output(step, ref.path)
        if isinstance(step, ir.PassStep) and step.result_path is None:
            return types.of_value(step.result, ref.path, self.type_of)
        return types.UNKNOWN

    def _model_output(self, step: ir.ModelStep, path: tuple[str, ...]) -> types.Type:
        spec = self.spec(step.model)
        if spec is None:
            return types.UNKNOWN
        result = types.of_model_output(spec.output_type, spec.output_media, path)
        fb = step.fallback
        if fb is not None and fb.enabled is not False and result.known:
            other = self.spec(fb.model)
            alt = (types.of_model_output(other.output_type, other.output_media, path)
                   if other is not None else types.UNKNOWN)
            if alt != result:
                return types.UNKNOWN  # either may have produced the output
        return result


def _places(step: ir.Step) -> Iterator[tuple[str, ir.Value]]:
    """A step's value trees with a name for where they sit."""
    if isinstance(step, ir.ModelStep):
        if step.params is not None:
            yield "params", step.params
        if step.fallback is not None and step.fallback.params is not None:
            yield "fallback", step.fallback.params
    elif isinstance(step, ir.HttpStep):
        yield "url", step.url
        for name, v in (("headers", step.headers), ("query", step.query), ("body", step.body)):
            if v is not None:
                yield name, v
        if step.auth is not None:
            yield "auth", step.auth.fields
    elif isinstance(step, ir.PythonStep):
        if step.inputs is not None:
            yield "inputs", step.inputs
    elif isinstance(step, ir.PassStep):
        if step.result is not None:
            yield "result", step.result


def step_first_lines(workflow: ir.Workflow) -> dict[str, int]:
    """Step id -> the line its step starts on (for ignores written on the step)."""
    lines: dict[str, int] = {}
    for step in workflow.all_steps():
        lines.setdefault(step.common.id, step.common.span.line)
    return lines


def _read_source(workflow: ir.Workflow) -> str | None:
    try:
        return Path(workflow.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def check_workflow(wf: ir.Workflow, catalog: Catalog | None, config: Config | None = None,
                   *, source: str | None = None) -> list[Diagnostic]:
    """All findings of the non-structural rules for one parsed workflow, config and inline
    ignores applied, sorted by position. ``source`` is the file's text (read from
    ``wf.file`` when omitted); it locates findings inside strings and holds the ignores."""
    config = config or Config()
    if source is None:
        source = _read_source(wf)
    ctx = Context(wf, catalog, config, source)
    found: list[Diagnostic] = []
    for rule_id, check in _checks():
        if config.enabled(rule_id):
            found.extend(check(ctx))
    return apply_policy(found, config, source, step_first_lines(wf))


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


def apply_policy(diagnostics: Iterable[Diagnostic], config: Config | None, source: str | None,
                 step_lines: dict[str, int] | None = None) -> list[Diagnostic]:
    """Drop disabled rules and ignored findings, apply severity overrides, de-duplicate and
    sort. Safe to call on the parser's diagnostics (and twice on the same list)."""
    config = config or Config()
    ignores: Ignores = parse_ignores(source) if source else Ignores({})
    step_lines = step_lines or {}
    seen: set[tuple[Any, ...]] = set()
    kept: list[Diagnostic] = []
    for d in diagnostics:
        if not config.enabled(d.rule):
            continue
        if ignores.covers(d.rule, d.span.line):
            continue
        if d.step is not None and d.step in step_lines and ignores.covers(d.rule, step_lines[d.step]):
            continue
        override = config.severity_for(d.rule)
        if override is not None and override != d.severity:
            d = d.with_severity(override)
        key = (d.rule, d.span, d.message)
        if key in seen:
            continue
        seen.add(key)
        kept.append(d)
    kept.sort(key=Diagnostic.sort_key)
    return kept


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


# ---------------------------------------------------------------- many files


@dataclass
class FileResult:
    """One checked file: its findings (policy applied) and, when it has any, its text."""

    file: str
    diagnostics: list[Diagnostic]
    source: str  # empty when there are no findings (nothing to frame)
    loaded: bool  # False when the file could not be read as a workflow at all


def check_file(path: str | Path, catalog: Catalog | None, config: Config | None = None) -> FileResult:
    """Load one file and run every rule: exactly what ``flowdsl check FILE`` reports."""
    from flowdsl.pipeline import load_workflow

    loaded = load_workflow(path)
    found = list(loaded.diagnostics)
    lines: dict[str, int] = {}
    if loaded.workflow is not None:
        found += check_workflow(loaded.workflow, catalog, config, source=loaded.source)
        lines = step_first_lines(loaded.workflow)
    kept = apply_policy(found, config, loaded.source, lines)
    return FileResult(loaded.file, kept, loaded.source if kept else "", loaded.workflow is not None)


# Set in the parent before forking: workers inherit the catalog and config instead of
# pickling them (and the catalog's lazily loaded specs) for every file.
_SHARED: tuple[Catalog | None, Config | None] | None = None
PARALLEL_MIN_FILES = 64


def _check_in_worker(path: str) -> FileResult:
    assert _SHARED is not None
    return check_file(path, *_SHARED)


def check_files(paths: Iterable[str | Path], catalog: Catalog | None, config: Config | None = None,
                jobs: int | None = None) -> list[FileResult]:
    """Check many files, in input order. With many files (and more than one CPU) the work
    is spread over ``jobs`` processes (default: every CPU); a 20-step flow takes about a
    millisecond to check, so below PARALLEL_MIN_FILES forking costs more than it saves."""
    import os

    files = [str(p) for p in paths]
    if jobs is None:
        jobs = os.cpu_count() or 1
    jobs = min(jobs, max(1, len(files) // (PARALLEL_MIN_FILES // 2)))
    if jobs <= 1 or len(files) < PARALLEL_MIN_FILES:
        return [check_file(f, catalog, config) for f in files]
    import multiprocessing

    try:
        mp = multiprocessing.get_context("fork")
    except ValueError:  # no fork on this platform: spawning re-imports everything, not worth it
        return [check_file(f, catalog, config) for f in files]
    global _SHARED
    _SHARED = (catalog, config)
    try:
        with mp.Pool(jobs) as pool:
            chunk = max(1, len(files) // (jobs * 8))
            return list(pool.imap(_check_in_worker, files, chunksize=chunk))
    finally:
        _SHARED = None
