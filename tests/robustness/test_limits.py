"""Hostile inputs (issue #11): each is a finding or a one-line error, fast, at the right place."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from flowdsl import codes
from flowdsl.check.run import Project, analyze
from flowdsl.cli.main import cli
from flowdsl.emit.compiler import compile_definition, dumps
from flowdsl.emit.printer import print_flow
from flowdsl.frontend.load import MAX_DEPTH, MAX_FILE_BYTES, load_bytes, load_text
from flowdsl.frontend.steps import MAX_STEP_DEPTH

PROJECT = Project.bundled()
HEAD = "name: t\nsteps:\n  - id: a\n    model: flux-2-pro\n    with:\n      prompt: hi\n      extra: "


def rules(text: str, file: str = "x.flow.yaml") -> list[tuple[str, int, int]]:
    return [(str(d.rule), d.span.line, d.span.column) for d in analyze(text, PROJECT, file=file).diagnostics]


@pytest.mark.parametrize("text", [
    "name: t\nsteps: " + "[" * 25_000 + "]" * 25_000 + "\n",
    HEAD + "[" * 25_000 + "]" * 25_000 + "\n",
    HEAD + "{a: " * 5_000 + "1" + "}" * 5_000 + "\n",
])
def test_deep_yaml_is_one_limit_finding(text: str) -> None:
    found = rules(text)
    assert len(found) == 1 and found[0][0] == codes.LIMIT


def test_deep_json_is_one_limit_finding() -> None:
    text = '{"name": "t", "steps": ' + "[" * 25_000 + "]" * 25_000 + "}"
    found = rules(text, "x.json")
    assert [f[0] for f in found] == [codes.LIMIT]


def test_limit_is_placed_where_exceeded() -> None:
    doc = load_text("a: " + "[" * (MAX_DEPTH + 5), "d.yaml")
    assert doc.root is None and doc.diagnostics[0].rule == codes.LIMIT
    # the mapping is level 1, so the list that is one too many opens at column 3 + MAX_DEPTH
    assert doc.diagnostics[0].span.column == 3 + MAX_DEPTH


def test_aliases_count_towards_depth() -> None:
    deep = "[" * 100 + "]" * 100
    text = f"a: &x {deep}\nb: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[*x]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n"
    doc = load_text(text, "a.yaml")
    assert [d.rule for d in doc.diagnostics] == [codes.LIMIT]


def test_deep_value_below_the_limit_compiles_and_prints() -> None:
    depth = MAX_DEPTH - 8
    text = HEAD + "{a: " * depth + "1" + "}" * depth + "\n"
    a = analyze(text, PROJECT, file="x.flow.yaml")
    assert a.workflow is not None
    json.loads(dumps(compile_definition(a.workflow)))
    printed = print_flow(a.workflow)
    assert analyze(printed, PROJECT, file="y.flow.yaml").workflow is not None


@pytest.mark.parametrize("cond", [
    "(" * 250 + "$.inputs.x == 1" + ")" * 250,
    "not " * 500 + "$.inputs.x == 1",
    "$.inputs.x in " + "[" * 300 + "]" * 300,
])
def test_deep_condition_is_a_finding(cond: str) -> None:
    text = ("name: t\ninputs:\n  x: {type: integer}\nsteps:\n  - id: c\n    if: '" + cond
            + "'\n    then:\n      - id: p\n        pass: 1\n")
    assert [f[0] for f in rules(text)] == [codes.CONDITION_SYNTAX]


def test_long_or_chain_is_fast() -> None:
    cond = " or ".join(f"$.inputs.x == {i}" for i in range(10_000))
    text = ("name: t\ninputs:\n  x: {type: integer}\nsteps:\n  - id: c\n    if: '" + cond
            + "'\n    then:\n      - id: p\n        pass: 1\n")
    t = time.monotonic()
    a = analyze(text, PROJECT, file="x.flow.yaml")
    assert a.workflow is not None and time.monotonic() - t < 15
    json.loads(dumps(compile_definition(a.workflow)))


def test_many_templates_in_one_string_is_fast() -> None:
    text = ("name: t\ninputs:\n  x: {type: string}\nsteps:\n  - id: a\n    model: flux-2-pro\n"
            "    with:\n      prompt: \"" + "{{inputs.x}} " * 20_000 + "\"\n")
    t = time.monotonic()
    analyze(text, PROJECT, file="x.flow.yaml")
    assert time.monotonic() - t < 10


def test_many_plain_steps_are_not_billion_laughs() -> None:
    text = "name: t\nsteps:\n" + "".join(
        f"  - id: s{i}\n    pass: {{a: {i}, b: [1, 2, 3], c: text}}\n" for i in range(15_000))
    doc = load_text(text, "big.flow.yaml")
    assert doc.root is not None and not doc.diagnostics


def test_billion_laughs_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    doc = load_text("\n".join(lines) + "\n", "lol.yaml")
    assert doc.root is None and "billion laughs" in doc.diagnostics[0].message


def test_recursive_alias_is_a_finding() -> None:
    doc = load_text("a: &x [*x]\n", "r.yaml")
    assert doc.root is None and doc.diagnostics[0].rule == codes.YAML_SYNTAX


def test_size_limit() -> None:
    doc = load_bytes(b"#" * (MAX_FILE_BYTES + 1), "huge.flow.yaml")
    assert doc.root is None and doc.diagnostics[0].rule == codes.LIMIT


@pytest.mark.parametrize("sep", ["\u2028", "\u2029", "\u0085"])
def test_unicode_separators_do_not_shift_lines(sep: str) -> None:
    text = f'name: t\ndescription: "a{sep}b"\nsteps:\n  - id: a\n    model: nosuch-model\n'
    found = [f for f in rules(text) if f[0] == codes.UNKNOWN_MODEL]
    assert found and found[0][1:] == (5, 12)


def test_cr_line_breaks_count() -> None:
    doc = load_text("a: 1\rb: [\r", "cr.yaml")
    assert doc.diagnostics and doc.diagnostics[0].span.line >= 2


def test_control_character_is_placed() -> None:
    found = rules("name: t\nsteps:\n  - id: a\n    model: fl\x01ux\n")
    assert found == [(codes.YAML_SYNTAX, 4, 14)]


def test_non_finite_numbers_are_findings() -> None:
    found = rules("name: t\nsteps:\n  - id: a\n    pass: {x: .inf, y: .nan}\n")
    assert [f[0] for f in found].count(codes.YAML_SYNTAX) == 2


@pytest.mark.parametrize("text", ["a\x7fb", "x\uffff", "p\u2028q", "r\x85s", "tab\tnl\n"])
def test_printer_strings_load_back(text: str) -> None:
    src = "name: t\nsteps:\n  - id: a\n    pass: {v: " + json.dumps(text) + "}\n"
    a = analyze(src, PROJECT, file="x.flow.yaml")
    assert a.workflow is not None
    again = analyze(print_flow(a.workflow), PROJECT, file="y.flow.yaml")
    assert again.workflow is not None
    assert compile_definition(again.workflow) == compile_definition(a.workflow)


def _run(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(cli, list(args))
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.stderr


def test_dev_zero_is_a_usage_error() -> None:
    for cmd in ("check", "compile"):
        code, err = _run(cmd, "/dev/zero")
        assert code == 2 and "not a regular file" in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_in_a_directory_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "ok.flow.yaml").write_text("name: t\nsteps:\n  - id: a\n    pass: 1\n")
    os.mkfifo(tmp_path / "pipe.flow.yaml")
    code, err = _run("check", str(tmp_path))
    assert code == 0 and "skipping" in err
    code, err = _run("check", str(tmp_path / "pipe.flow.yaml"))
    assert code == 2


def test_compile_into_missing_directory(tmp_path: Path) -> None:
    flow = tmp_path / "x.flow.yaml"
    flow.write_text("name: t\nsteps:\n  - id: a\n    pass: 1\n")
    code, err = _run("compile", str(flow), "-o", str(tmp_path / "missing" / "out.json"))
    assert code == 2 and "does not exist" in err
    assert not (tmp_path / "missing").exists()


def test_non_ascii_api_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from flowdsl.remote.errors import ConfigError
    from flowdsl.remote.settings import API_KEY_ENV, read_api_key
    monkeypatch.setenv(API_KEY_ENV, "k\u00e9y")
    with pytest.raises(ConfigError):
        read_api_key(None)
    bad = tmp_path / "key"
    bad.write_bytes(b"\xff\xfe")
    with pytest.raises(ConfigError):
        read_api_key(bad)


def _nested_ifs(levels: int) -> str:
    cond = "\"$.inputs.p == 'x'\""
    head = "name: t\ninputs:\n  p: {type: string, required: true}\nsteps:\n"
    return (head + "  - " + "".join(f"{{id: c{i}, if: {cond}, then: [" for i in range(levels - 1))
            + "{id: deep, pass: {v: 1}}" + "]}" * (levels - 1) + "\n")


def test_steps_nested_beyond_the_step_limit_are_one_finding() -> None:
    found = rules(_nested_ifs(MAX_STEP_DEPTH + 8))
    assert [f[0] for f in found] == [codes.LIMIT]


def test_steps_nested_to_the_step_limit_compile() -> None:
    result = analyze(_nested_ifs(MAX_STEP_DEPTH), PROJECT, file="x.flow.yaml")
    assert result.diagnostics == [] and result.workflow is not None
    json.loads(dumps(compile_definition(result.workflow)))


def test_deep_engine_choice_steps_are_one_finding() -> None:
    step = '{"step_id": "c%d", "type": "choice", "choices": [{"conditions": true, "steps": ['
    text = ('{"name": "t", "steps": [' + "".join(step % i for i in range(5_000)) + '{"step_id": "z", "type": "pass"}'
            + "]}]}" * 5_000 + "]}")
    found = rules(text, "x.json")
    assert [f[0] for f in found] == [codes.LIMIT]


def test_size_limit_message_names_the_limit() -> None:
    doc = load_bytes(b"#" * (MAX_FILE_BYTES + 1), "huge.flow.yaml")
    assert f"{MAX_FILE_BYTES:,} bytes" in doc.diagnostics[0].message
