"""Symbol table of a workflow and the execution order between its steps.

Every step id (nested ones included) and every choice branch's engine ``step_id`` is a
symbol. A step's *position* is its path through the tree: index in the top-level list,
then (branch index, index in that branch) per level of nesting. Comparing two positions
answers what the engine guarantees when one step reads another's output:

* CERTAIN: the target finished before the reader starts (earlier in the same or an
  enclosing sequence, or anywhere inside an earlier parallel step);
* MAYBE: the target sits inside a choice branch that ended before the reader: it may not
  have run;
* CONCURRENT: the two are in sibling branches of one parallel step;
* EXCLUSIVE: the two are in the two branches of one choice: never both run;
* FORWARD / SELF / ENCLOSING / NESTED: the target runs later, is the reader itself,
  contains the reader (not finished yet), or is nested inside the reader.
"""

from __future__ import annotations

from enum import Enum
from flowdsl.cached import cached_property
from typing import NamedTuple

from flowdsl import ir
from flowdsl.spans import Span


class Order(str, Enum):
    CERTAIN = "certain"
    MAYBE = "maybe"
    CONCURRENT = "concurrent"
    EXCLUSIVE = "exclusive"
    FORWARD = "forward"
    SELF = "self"
    ENCLOSING = "enclosing"
    NESTED = "nested"
    UNDEFINED = "undefined"


class StepInfo(NamedTuple):
    """Where a step sits. (Immutable tuples: one per step and symbol of every checked flow,
    built at a third of a frozen dataclass's cost.)"""

    step: ir.Step
    # (index, branch, index, branch, ..., index): see the module docstring.
    path: tuple[int, ...]
    # The steps from the top level down to this one, this one included.
    chain: tuple[ir.Step, ...]

    @property
    def id(self) -> str:
        return self.step.common.id

    @property
    def parent(self) -> ir.Step | None:
        return self.chain[-2] if len(self.chain) > 1 else None


class Symbol(NamedTuple):
    """One declaration of a name: a step id, or a choice branch's engine ``step_id``."""

    name: str
    span: Span
    kind: str  # "step" | "branch"
    info: StepInfo  # the step itself, or the choice step that owns the branch
    # A branch id the choice did not write: the engine's <id>_condition_met / <id>_default.
    implicit: bool = False


_new = tuple.__new__  # StepInfo(...) without NamedTuple's Python-level constructor


class SymbolTable:
    def __init__(self, workflow: ir.Workflow) -> None:
        self.workflow = workflow
        self.steps: dict[str, StepInfo] = {}  # first declaration of each step id
        self.branches: dict[str, StepInfo] = {}  # branch step_id -> owning choice step
        self._by_obj: dict[int, StepInfo] = {}
        self.all_steps: list[ir.Step] = []  # document order, parents before children
        self._branch_ids = 0  # how many branch ids are declared (see declarations)
        self._walk(workflow.steps, (), ())
        self._end = (len(workflow.steps),)

    def _walk(self, steps: tuple[ir.Step, ...], prefix: tuple[int, ...],
              chain: tuple[ir.Step, ...]) -> None:
        by_obj = self._by_obj
        all_steps = self.all_steps
        ids = self.steps
        for index, step in enumerate(steps):
            common = step.common
            info = _new(StepInfo, (step, prefix + (index,), chain + (step,)))
            by_obj[id(step)] = info
            all_steps.append(step)
            if common.id not in ids:
                ids[common.id] = info
            if isinstance(step, ir.ChoiceStep):
                for b_index, branch in enumerate(ir.child_branches(step)):
                    # An unnamed branch gets a name from the compiler; that name is taken too.
                    name = branch.step_id or ir.implicit_branch_id(common.id, b_index)
                    self.branches.setdefault(name, info)
                    self._branch_ids += 1
                    self._walk(branch.steps, info.path + (b_index,), info.chain)
            elif isinstance(step, ir.ParallelStep):
                for b_index, branch in enumerate(step.branches):
                    self._walk(branch.steps, info.path + (b_index,), info.chain)

    @cached_property
    def declarations(self) -> list[Symbol]:
        """Every declaration in document order: each step id, then its branches' ids (a
        branch's before the steps inside it). Built on first use: most checks only need to
        know that every name is unique, which :meth:`duplicates` tells without it."""
        out: list[Symbol] = []
        self._declare(self.workflow.steps, out)
        return out

    def _declare(self, steps: tuple[ir.Step, ...], out: list[Symbol]) -> None:
        for step in steps:
            common = step.common
            info = self._by_obj[id(step)]
            out.append(Symbol(common.id, common.id_span, "step", info))
            if isinstance(step, ir.ChoiceStep):
                for b_index, branch in enumerate(ir.child_branches(step)):
                    if branch.step_id:
                        span = branch.step_id_span or common.id_span
                        out.append(Symbol(branch.step_id, span, "branch", info))
                    else:
                        implied = ir.implicit_branch_id(common.id, b_index)
                        out.append(Symbol(implied, common.id_span, "branch", info, True))
                    self._declare(branch.steps, out)
            elif isinstance(step, ir.ParallelStep):
                for branch in step.branches:
                    self._declare(branch.steps, out)

    # ------------------------------------------------------------------ lookups

    def info(self, step: ir.Step) -> StepInfo:
        return self._by_obj[id(step)]

    def get(self, step_id: str) -> StepInfo | None:
        return self.steps.get(step_id)

    def names(self) -> list[str]:
        return list(self.steps)

    def duplicates(self) -> dict[str, list[Symbol]]:
        declared = len(self.all_steps) + self._branch_ids
        if len(self.steps) + len(self.branches) == declared \
                and not self.steps.keys() & self.branches.keys():
            return {}  # every declaration has a name of its own (the usual case)
        seen: dict[str, list[Symbol]] = {}
        for sym in self.declarations:
            seen.setdefault(sym.name, []).append(sym)
        return {k: v for k, v in seen.items() if len(v) > 1}

    # ------------------------------------------------------------------ order

    def order(self, reader: StepInfo | None, target_id: str) -> tuple[Order, ir.Step | None]:
        """How ``target_id`` relates to ``reader`` (None: the workflow's outputs, read at
        the end). Also returns the step that explains the answer (the choice or parallel
        step involved, or the target)."""
        target = self.steps.get(target_id)
        if target is None:
            owner = self.branches.get(target_id)
            if owner is None:
                return Order.UNDEFINED, None
            # A branch id names the branch's outcome: at best it may have been taken.
            rel, why = self._relate(reader, owner)
            return (Order.MAYBE, owner.step) if rel is Order.CERTAIN else (rel, why)
        return self._relate(reader, target)

    def _relate(self, reader: StepInfo | None, target: StepInfo) -> tuple[Order, ir.Step | None]:
        r_path = reader.path if reader is not None else self._end
        t_path = target.path
        k = 0
        while True:
            r_i, t_i = r_path[k], t_path[k]
            if r_i != t_i:
                if t_i > r_i:
                    return Order.FORWARD, target.step
                # The target's ancestor at this level ran earlier in the reader's sequence.
                level = k // 2
                for outer in target.chain[level:-1]:
                    if isinstance(outer, ir.ChoiceStep):
                        return Order.MAYBE, outer
                return Order.CERTAIN, target.step
            r_end, t_end = len(r_path) == k + 1, len(t_path) == k + 1
            if r_end and t_end:
                return Order.SELF, target.step
            if t_end:
                return Order.ENCLOSING, target.step
            if r_end:
                return Order.NESTED, target.step
            common = target.chain[k // 2]
            if r_path[k + 1] != t_path[k + 1]:
                if isinstance(common, ir.ChoiceStep):
                    return Order.EXCLUSIVE, common
                return Order.CONCURRENT, common
            k += 2

    # ------------------------------------------------------------------ views

    def _ids_with(self, reader: StepInfo | None, wanted: Order) -> list[str]:
        return [sid for sid, info in self.steps.items()
                if self._relate(reader, info)[0] is wanted]

    def certainly_run(self, reader: StepInfo | None) -> list[str]:
        """Ids of the steps that have finished whenever ``reader`` starts (None: the end)."""
        return self._ids_with(reader, Order.CERTAIN)

    def may_have_run(self, reader: StepInfo | None) -> list[str]:
        """Ids of the steps inside choice branches that may have run before ``reader``."""
        return self._ids_with(reader, Order.MAYBE)

    def concurrent_with(self, reader: StepInfo) -> list[str]:
        """Ids of the steps in sibling branches of an enclosing parallel step."""
        return self._ids_with(reader, Order.CONCURRENT)
