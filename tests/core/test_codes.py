"""Rule codes live in one place (flowdsl/codes.py): every finding's code comes from there,
and every code is registered and documented."""

from __future__ import annotations

import ast
from pathlib import Path

import flowdsl
from flowdsl import codes
from flowdsl.rules import REGISTRY

PACKAGE = Path(flowdsl.__file__).parent
EMITTERS = {"error", "warning", "note", "report", "Diagnostic", "LiteralError"}


def _emission_sites() -> list[tuple[str, int, ast.expr]]:
    sites = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args:
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
                if name in EMITTERS:
                    sites.append((str(path.relative_to(PACKAGE)), node.lineno, node.args[0]))
    return sites


def test_no_finding_is_emitted_with_a_bare_string_code() -> None:
    sites = _emission_sites()
    assert len(sites) > 100  # the scan sees the emitters at all
    bare = [(f, line, a.value) for f, line, a in sites
            if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    assert bare == []


def test_every_code_constant_used_exists() -> None:
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id == "codes" and node.attr.isupper():
                assert hasattr(codes, node.attr), f"{path}: codes.{node.attr}"


def test_every_code_is_registered_and_documented() -> None:
    assert set(REGISTRY) == set(codes.CODES)
    for code in codes.CODES.values():
        rule = REGISTRY[code]
        assert rule.severity is code.severity
        doc = rule.load().__doc__ or ""
        assert doc.strip().startswith(f"{code}:") or len(doc.strip()) > 80, code


def test_a_code_is_its_own_id() -> None:
    assert codes.SCHEMA == "schema" and isinstance(codes.SCHEMA, str)
    assert codes.CONDITIONAL_REFERENCE.severity.value == "error"
    assert codes.MOCKS in REGISTRY
