"""Execution order between steps (flowdsl/symbols.py), on flows parsed from text."""

from __future__ import annotations

from flowdsl.frontend.source import load_source
from flowdsl.check.symbols import Order, SymbolTable

FLOW = """\
name: order
steps:
  - id: a
    pass: 1
  - id: par
    parallel:
      - steps:
          - {id: left1, pass: 1}
          - {id: left2, pass: 2}
      - steps:
          - id: pick
            if: $.a.output == 1
            then:
              - {id: yes1, pass: 1}
            else:
              name: other
              id: pick_no
              steps:
                - {id: no1, pass: 1}
  - id: z
    pass: 3
"""


def table() -> SymbolTable:
    wf = load_source(FLOW, "order.flow.yaml").workflow
    assert wf is not None
    return SymbolTable(wf)


def test_sequence_order() -> None:
    t = table()
    z, a = t.get("z"), t.get("a")
    assert z is not None and a is not None
    assert t.order(z, "a")[0] is Order.CERTAIN
    assert t.order(a, "z")[0] is Order.FORWARD
    assert t.order(a, "a")[0] is Order.SELF
    assert t.order(a, "nope")[0] is Order.UNDEFINED


def test_parallel_branches() -> None:
    t = table()
    left2, z = t.get("left2"), t.get("z")
    assert left2 is not None and z is not None
    assert t.order(left2, "left1")[0] is Order.CERTAIN
    assert t.order(left2, "a")[0] is Order.CERTAIN
    order, why = t.order(left2, "yes1")
    assert order is Order.CONCURRENT and why is not None and why.common.id == "par"
    assert t.order(z, "left2")[0] is Order.CERTAIN  # a parallel step ends with all branches
    assert t.order(left2, "par")[0] is Order.ENCLOSING


def test_choice_branches() -> None:
    t = table()
    yes1, z, pick = t.get("yes1"), t.get("z"), t.get("pick")
    assert yes1 is not None and z is not None and pick is not None
    order, why = t.order(z, "yes1")
    assert order is Order.MAYBE and why is not None and why.common.id == "pick"
    assert t.order(yes1, "no1")[0] is Order.EXCLUSIVE
    assert t.order(pick, "yes1")[0] is Order.NESTED
    assert t.order(None, "no1")[0] is Order.MAYBE  # workflow outputs, read at the end
    assert t.order(None, "a")[0] is Order.CERTAIN
    # A branch step_id is a symbol too: known, but only maybe taken.
    assert t.order(z, "pick_no")[0] is Order.MAYBE


def test_declarations_include_branch_ids() -> None:
    t = table()
    names = [(s.name, s.kind) for s in t.declarations]
    assert ("pick_no", "branch") in names and ("no1", "step") in names
    assert t.duplicates() == {}


def test_views() -> None:
    t = table()
    left2, z = t.get("left2"), t.get("z")
    assert left2 is not None and z is not None
    assert t.certainly_run(left2) == ["a", "left1"]
    assert t.concurrent_with(left2) == ["pick", "yes1", "no1"]
    assert t.may_have_run(z) == ["yes1", "no1"]
    assert t.certainly_run(None) == ["a", "par", "left1", "left2", "pick", "z"]
