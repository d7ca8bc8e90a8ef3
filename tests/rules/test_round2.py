"""Issue #13 (checker, round 2): the message and hint text of the new findings."""

from __future__ import annotations

from flowdsl.diagnostics import Diagnostic
from tests.rules.harness import check_text


def findings(text: str, complete: bool = False) -> list[Diagnostic]:
    return check_text(text, complete=complete)


def only(text: str, rule: str, complete: bool = False) -> Diagnostic:
    found = findings(text, complete)
    assert [d.rule for d in found] == [rule], [(d.rule, d.message) for d in found]
    return found[0]


def test_http_method_without_url() -> None:
    d = only("steps:\n  - id: call\n    http: POST\n", "schema")
    assert (d.span.line, d.span.column) == (3, 11)
    assert d.message == 'http "POST" has no URL: write "POST https://..."'
