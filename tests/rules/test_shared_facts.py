"""The shared per-file facts of :class:`flowdsl.check.context.Context` (computed once, in
fused loops, for speed) agree with their plain definitions, and facts memoized by text
across flows (python code, secret scans) still report each flow's own positions."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from flowdsl import ir
from flowdsl.check.context import Context
from flowdsl.check.config import Config
from flowdsl.check.refs import STEP_FIELDS
from flowdsl.check.symbols import Order, Symbol
from flowdsl.frontend.source import load_source
from tests.rules.flowgen import DEFECTS, DrawChooser, dump, flow_data
from tests.rules.harness import catalog, check_text


def _context(text: str) -> Context:
    loaded = load_source(text, "case.flow.yaml")
    assert loaded.workflow is not None, text
    return Context(loaded.workflow, catalog(), Config(), loaded.source)


@st.composite
def flows(draw: Any) -> str:
    """A generated flow, with up to two seeded defects (duplicate ids, forward and
    conditional references, dollars, secrets...) so that every fact has something in it."""
    chooser = DrawChooser(draw)
    flow = flow_data(chooser, draw(st.integers(1, 10)))
    for rule in draw(st.lists(st.sampled_from(sorted(DEFECTS)), max_size=2)):
        DEFECTS[rule](flow, chooser)
    return dump(flow)


@settings(max_examples=60, deadline=None)
@given(flows())
def test_shared_facts_match_their_definitions(text: str) -> None:
    ctx = _context(text)
    # values(): every scalar of every value tree of the step, in ir.iter_scalars order.
    for step in ctx.steps():
        walked = [s for placed in ctx.values(step) for s in placed.scalars]
        plain = [s for v in ir.step_values(step) for s in ir.iter_scalars(v)]
        assert [id(s) for s in walked] == [id(s) for s in plain], text
    # refs(): every template, condition and output reference, in document order.
    plain_refs: list[ir.Ref] = []
    for step in ctx.steps():
        for v in ir.step_values(step):
            for t in ir.iter_templates(v):
                plain_refs.extend(t.refs)
        if isinstance(step, ir.ChoiceStep):
            plain_refs.extend(ir.iter_condition_refs(step.condition))
    for output in ctx.workflow.outputs:
        plain_refs.extend(output.refs)
    assert [id(u.ref) for u in ctx.refs()] == [id(r) for r in plain_refs], text
    # resolved / uncertain: the symbol table's answer for each reference.
    declared = {i.name for i in ctx.workflow.inputs}
    for r in ctx.resolved:
        ref = r.use.ref
        if ref.is_input:
            want = Order.CERTAIN if ref.input_name in declared else Order.UNDEFINED
            assert (r.order, r.why) == (want, None), text
        else:
            assert (r.order, r.why) == ctx.symbols.order(r.use.reader, ref.root), text
    assert ctx.uncertain == [r for r in ctx.resolved if r.order is not Order.CERTAIN], text
    assert ctx.questionable == [
        r for r in ctx.resolved if r.order is not Order.CERTAIN
        or (not r.use.ref.is_input and not (r.use.ref.path and r.use.ref.path[0] in STEP_FIELDS))
    ], text
    # reads: who reads what.
    uses = ctx.refs()
    assert ctx.reads.roots == {u.ref.root for u in uses if not u.ref.is_input}, text
    assert ctx.reads.inputs == {u.ref.input_name for u in uses if u.ref.is_input}, text
    assert ctx.reads.readers == {id(u.reader.step) for u in uses if u.reader is not None}, text
    # dollar_refs(): only strings holding "$." are looked at, but none is missed.
    strings = [s for step in ctx.steps() for placed in ctx.values(step)
               for s in placed.scalars if isinstance(s.value, str) and "$." in s.value]
    assert {id(d.scalar) for d in ctx.dollar_refs()} <= {id(s) for s in strings}, text
    # duplicates(): its shortcut agrees with counting the declarations.
    assert ctx.symbols.duplicates() == _plain_duplicates(ctx.symbols.declarations), text


def _plain_duplicates(declarations: list[Symbol]) -> dict[str, list[Symbol]]:
    seen: dict[str, list[Symbol]] = {}
    for sym in declarations:
        seen.setdefault(sym.name, []).append(sym)
    return {k: v for k, v in seen.items() if len(v) > 1}


DUPLICATES = """\
name: dups
steps:
  - id: a
    pass: 1
  - id: pick
    if: $.a.output == 1
    then:
      - {id: a, pass: 2}
    else:
      id: b
      steps:
        - {id: b, pass: 3}
  - id: pick_condition_met
    pass: 4
"""


def test_declarations_in_document_order_and_duplicates() -> None:
    ctx = _context(DUPLICATES)
    assert [(s.name, s.kind, s.implicit) for s in ctx.symbols.declarations] == [
        ("a", "step", False), ("pick", "step", False),
        ("pick_condition_met", "branch", True), ("a", "step", False),
        ("b", "branch", False), ("b", "step", False),
        ("pick_condition_met", "step", False)]
    assert sorted(ctx.symbols.duplicates()) == ["a", "b", "pick_condition_met"]


TWO_PYTHON_STEPS = """\
name: same code twice
inputs:
  text: {type: string}
steps:
  - id: one
    python: |
      result = inputs['txt'].upper()
    with: {text: "{{inputs.text}}"}
  - id: two
    python: |
      result = inputs['txt'].upper()
    with: {txt: "{{inputs.text}}"}
  - id: three
    python: |
      result = inputs['txt'].upper()
    with: {other: "{{inputs.text}}"}
"""


def test_python_facts_shared_by_code_keep_each_steps_position() -> None:
    # The same code in three steps: its facts are computed once, and each finding still
    # points into its own step (the second step declares the input it reads).
    found = [(d.rule, d.step, d.span.line, d.span.column) for d in check_text(TWO_PYTHON_STEPS)
             if d.rule == "python-undefined-input"]
    assert found == [("python-undefined-input", "one", 7, 23),
                     ("python-undefined-input", "three", 15, 23)]


SECRETS = """\
name: secrets
inputs:
  who: {type: string}
steps:
  - id: a
    pass: {note: "ghp_abcdefghijklmnopqrstuvwxyz0123456789"}
  - id: b
    pass: {note: "{{inputs.who}} ghp_abcdefghijklmnopqrstuvwxyz0123456789"}
  - id: c
    pass: {note: "ghp_abcdefghijklmnopqrstuvwxyz0123456789"}
  - id: d
    pass: {note: "{{inputs.who}} is a short note"}
"""


def test_secret_scan_memo_gives_each_string_its_own_place() -> None:
    # The same key in three strings (one of them holding a template): scanned once, found
    # three times, each at its own column; the templated note without a key stays clean.
    for _ in range(2):  # the second run answers from the memo
        found = [(d.step, d.span.line, d.span.column) for d in check_text(SECRETS)
                 if d.rule == "hardcoded-secret"]
        assert found == [("a", 6, 19), ("b", 8, 34), ("c", 10, 19)]


ODD_REFERENCES = """\
name: odd references
inputs:
  prompt: {type: string}
steps:
  - id: gen
    model: flux-2-pro
    with: {prompt: "{{inputs.prompt}}"}
  - id: keep
    pass: {whole: "{{gen}}", field: "{{gen.url}}", fine: "{{gen.primary}}", later: "{{late.output}}",
           typo: "{{inputs.promt}}"}
  - id: late
    pass: 1
"""


def test_questionable_references_are_the_ones_undefined_reference_reads() -> None:
    ctx = _context(ODD_REFERENCES)
    assert [r.use.ref.text() for r in ctx.questionable] == [
        "{{gen}}", "{{gen.url}}", "{{late.output}}", "{{inputs.promt}}"]
    assert [r.use.ref.text() for r in ctx.uncertain] == ["{{late.output}}", "{{inputs.promt}}"]
    assert len(ctx.resolved) == 6  # every reference, when asked for
