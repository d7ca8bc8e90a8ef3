"""Every position counts the same line breaks (\\n, \\r\\n and a lone \\r): the loader's spans
and the ones found inside strings (templates) come from one line table."""

from __future__ import annotations

import pytest

from flowdsl.check.run import Project, analyze


@pytest.mark.parametrize("br", ["\n", "\r\n", "\r"])
def test_a_template_finding_is_on_its_line_whatever_the_line_break(br: str) -> None:
    text = br.join(["steps:", "  - id: a", '    pass: "{{inputs.nope}}"', ""])
    found = analyze(text, Project.bundled(), file="x.flow.yaml").diagnostics
    assert [(d.rule, d.span.line, d.span.column) for d in found] == [("undefined-reference", 3, 12)]
