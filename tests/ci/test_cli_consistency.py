"""One command line (issue 15): every command fails with one `flowdsl: error: ...` line and a
documented exit code, lists its exit codes in --help, and prints results as JSON on request."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from flowdsl.cli import exit_codes
from flowdsl.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "ad-creative.flow.yaml"
# A flow with one warning (an input nothing reads) and no error.
WARNS = ("name: w\ninputs:\n  style: {type: string}\nsteps:\n  - {id: a, pass: 1}\n"
         "outputs:\n  o: \"{{a.output}}\"\n")


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def command_paths() -> list[str]:
    """Every command and subcommand, as typed after `flowdsl`."""
    ctx = click.Context(cli)
    out = []
    for name in cli.list_commands(ctx):
        cmd = cli.get_command(ctx, name)
        assert cmd is not None
        out.append(name)
        if isinstance(cmd, click.Group):
            sub_ctx = click.Context(cmd, parent=ctx)
            out += [f"{name} {sub}" for sub in cmd.list_commands(sub_ctx)]
    return out


COMMANDS = command_paths()
FILE_COMMANDS = ["check", "lint", "compile", "import", "fmt", "graph", "simulate"]


def test_the_walk_finds_every_command() -> None:
    assert {"check", "lint", "compile", "plan", "deploy", "trigger", "catalog show",
            "catalog sync", "schema", "lsp"} <= set(COMMANDS)


def _exit_section(help_text: str) -> dict[int, str]:
    lines = help_text.splitlines()
    assert any(line.strip() == "Exit codes:" for line in lines), "no 'Exit codes:' section"
    start = next(i for i, line in enumerate(lines) if line.strip() == "Exit codes:")
    codes: dict[int, str] = {}
    for line in lines[start + 1:]:
        m = re.match(r"^\s+(\d+)\s{2}(\S.*)$", line)
        if not m:
            break
        codes[int(m.group(1))] = m.group(2)
    return codes


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_every_help_lists_its_exit_codes(command: str) -> None:
    code, out, err = run(*command.split(), "--help")
    assert code == 0 and err == ""
    codes = _exit_section(out)
    assert 0 in codes and 2 in codes and 3 in codes, codes
    assert set(codes) == set(exit_codes.codes_for(command or "flowdsl"))  # meanings may differ in wording


def test_every_command_is_in_the_exit_code_table() -> None:
    assert set(COMMANDS) <= set(exit_codes.EXIT_CODES)


def test_epilog_of_an_unknown_command_is_empty() -> None:
    assert exit_codes.epilog("no-such-command") == "" and exit_codes.codes_for("x") == {}


def _one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("flowdsl: error: "), err
    return lines[0]


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_a_bad_flag_is_one_line_and_exit_2(command: str) -> None:
    code, out, err = run(*command.split(), "--no-such-flag")
    assert code == 2 and out == ""
    line = _one_error_line(err)
    assert "no such option '--no-such-flag'" in line
    assert f"(see 'flowdsl{' ' + command if command else ''} --help')" in line


def test_an_unknown_command_is_one_line() -> None:
    code, _, err = run("chekc", "x")
    assert code == 2
    assert _one_error_line(err) == "flowdsl: error: no such command 'chekc' (see 'flowdsl --help')"
    code, _, err = run("catalog", "shwo")
    assert code == 2 and "no such command 'shwo'" in _one_error_line(err)


def test_a_missing_argument_is_one_line() -> None:
    code, _, err = run("compile")
    assert code == 2
    assert _one_error_line(err) == ("flowdsl: error: missing argument 'FILE' "
                                    "(see 'flowdsl compile --help')")


@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_a_missing_file_is_one_line_and_exit_2(command: str, tmp_path: Path) -> None:
    missing = tmp_path / "nope.flow.yaml"
    code, out, err = run(command, str(missing))
    assert code == 2 and out == ""
    assert str(missing) in _one_error_line(err)


@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_a_device_is_refused_in_one_line(command: str) -> None:
    code, out, err = run(command, os.devnull)
    assert code == 2 and out == ""
    assert _one_error_line(err) == (f"flowdsl: error: not a regular file: {os.devnull} "
                                    "(only regular files are read)")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_a_fifo_is_refused_not_read(command: str, tmp_path: Path) -> None:
    # In a subprocess with a timeout: reading a FIFO nobody writes to blocks forever.
    fifo = tmp_path / "pipe.flow.yaml"
    os.mkfifo(fifo)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-m", "flowdsl", command, str(fifo)], capture_output=True,
                       text=True, timeout=60, env=env, cwd=tmp_path)
    assert r.returncode == 2 and r.stdout == ""
    assert "not a regular file" in _one_error_line(r.stderr)


def test_bad_input_a_command_finds_is_not_told_to_see_help(tmp_path: Path) -> None:
    missing = tmp_path / "none.toml"
    code, _, err = run("check", "--config", str(missing), str(EXAMPLE))
    assert code == 2
    assert _one_error_line(err) == f"flowdsl: error: bad configuration: {missing}: no such config file"
    # ... while a malformed command line is.
    code, _, err = run("check", "--json", "--format", "sarif", str(EXAMPLE))
    assert code == 2 and _one_error_line(err) == ("flowdsl: error: --json conflicts with --format sarif "
                                                  "(see 'flowdsl check --help')")


def test_control_characters_in_an_error_are_escaped(tmp_path: Path) -> None:
    code, _, err = run("compile", str(tmp_path / "a\x1b[31mb"))
    line = _one_error_line(err)
    assert code == 2 and "\x1b" not in line and "a\\x1b[31mb" in line


def test_an_internal_error_is_one_line_and_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    import flowdsl.check.run

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(flowdsl.check.run, "check_files", boom)
    monkeypatch.delenv("FLOWDSL_DEBUG", raising=False)
    code, out, err = run("check", str(EXAMPLE))
    assert code == 3 and out == ""
    assert _one_error_line(err) == ("flowdsl: error: internal error: RuntimeError: boom "
                                    "(a bug in flowdsl; FLOWDSL_DEBUG=1 shows the traceback)")
    with pytest.raises(RuntimeError):
        run("check", str(EXAMPLE), env={"FLOWDSL_DEBUG": "1"})


def test_an_os_error_is_one_line_not_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import flowdsl.check.run

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", "flows/a.flow.yaml")

    monkeypatch.setattr(flowdsl.check.run, "check_files", denied)
    monkeypatch.delenv("FLOWDSL_DEBUG", raising=False)
    code, _, err = run("check", str(EXAMPLE))
    assert code == 1 and _one_error_line(err) == "flowdsl: error: flows/a.flow.yaml: Permission denied"


def test_an_interrupt_is_one_line_and_exit_130(monkeypatch: pytest.MonkeyPatch) -> None:
    import flowdsl.check.run

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(flowdsl.check.run, "check_files", interrupted)
    code, _, err = run("check", str(EXAMPLE))
    assert code == 130 and err.strip().splitlines()[-1] == "flowdsl: error: interrupted"


def test_failures_of_commands_use_the_same_line(tmp_path: Path) -> None:
    code, _, err = run("catalog", "show", "flux-2-maxx")
    assert code == 1 and _one_error_line(err).startswith('flowdsl: error: unknown model "flux-2-maxx"')
    code, _, err = run("catalog", "search", "qqqqqqqqzz")
    assert code == 1 and _one_error_line(err) == 'flowdsl: error: no model matches "qqqqqqqqzz"'
    code, _, err = run("rules", "unknown-parm")
    assert code == 2 and _one_error_line(err) == ("flowdsl: error: unknown rule 'unknown-parm' "
                                                  '(did you mean "unknown-param"?)')
    empty = tmp_path / "empty.flow.yaml"
    empty.write_text("name: x\n")
    code, _, err = run("graph", str(empty))
    assert code == 1 and err.splitlines()[-1] == f"flowdsl: error: {empty} has no steps to draw"
    code, _, err = run("compile", "-o", str(tmp_path / "no" / "dir.json"), str(EXAMPLE))
    assert code == 2 and "the directory" in _one_error_line(err)


def test_lint_is_shown_as_an_alias() -> None:
    code, out, _ = run("--help")
    rows = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ") and line.split()}
    assert "(alias: lint)" in rows["check"] and "Alias of check." in rows["lint"]
    code, out, _ = run("lint", "--help")
    assert code == 0 and out.startswith("Usage: flowdsl lint ")


# --format json everywhere (with --json as its alias)

def test_compile_prints_warnings_on_stderr_and_still_compiles(tmp_path: Path) -> None:
    f = tmp_path / "w.flow.yaml"
    f.write_text(WARNS)
    code, out, err = run("compile", str(f))
    assert code == 0 and json.loads(out)["steps"]
    assert f"{f}:3:3: warning:" in err and "[unused-input]" in err
    out_file = tmp_path / "out.json"
    code, out, err = run("compile", "-o", str(out_file), str(f))
    assert code == 0 and out == "" and "[unused-input]" in err and json.loads(out_file.read_text())


def test_compile_format_json_puts_findings_as_json_on_stderr(tmp_path: Path) -> None:
    f = tmp_path / "w.flow.yaml"
    f.write_text(WARNS)
    code, out, err = run("compile", "--format", "json", str(f))
    assert code == 0 and json.loads(out)["steps"]
    findings = json.loads(err)
    assert [(d["rule"], d["severity"], d["line"], d["column"]) for d in findings] == \
        [("unused-input", "warning", 3, 3)]
    assert run("compile", "--json", str(f))[2] == err
    bad = tmp_path / "bad.flow.yaml"
    bad.write_text("steps:\n  - id: a\n    modle: flux-2-pro\n")
    code, out, err = run("compile", "--format", "json", str(bad))
    assert code == 1 and out == ""
    assert any(d["rule"] == "schema" and d["severity"] == "error" for d in json.loads(err))
    code, out, err = run("compile", str(EXAMPLE), "--json")
    assert code == 0 and json.loads(err) == []


def test_graph_json(tmp_path: Path) -> None:
    code, out, _ = run("graph", "--format", "json", str(EXAMPLE))
    data = json.loads(out)
    labels = [n["label"] for n in data["nodes"]]
    assert code == 0 and labels[0] == "start" and labels[-1] == "end"
    assert any(label.startswith("hero\n") for label in labels)
    ids = {n["id"] for n in data["nodes"]}
    assert all(e["from"] in ids and e["to"] in ids for e in data["edges"])
    assert run("graph", "--json", str(EXAMPLE))[1] == out
    code, _, err = run("graph", "--json", "--format", "dot", str(EXAMPLE))
    assert code == 2 and _one_error_line(err) == ("flowdsl: error: --json conflicts with --format dot "
                                                  "(see 'flowdsl graph --help')")


def test_rules_json() -> None:
    code, out, _ = run("rules", "--format", "json")
    data = json.loads(out)
    assert code == 0 and {"id": "unknown-param", "severity": "error",
                          "summary": "A param the model's schema does not define."} in data
    code, out, _ = run("rules", "unknown-param", "--json")
    one = json.loads(out)
    assert one["id"] == "unknown-param" and "kling-2-1-image-to-video" in one["doc"]
    assert all("doc" in r for r in json.loads(run("rules", "--all", "--json")[1]))


@pytest.mark.parametrize("args", [["list"], ["show", "flux-2-pro"], ["search", "flux"]])
def test_catalog_format_json_is_the_json_alias(args: list[str]) -> None:
    code, out, _ = run("catalog", *args, "--format", "json", "--no-cache")
    assert code == 0 and json.loads(out)
    assert run("catalog", *args, "--json", "--no-cache")[1] == out


def test_catalog_search_json_with_no_match_is_an_empty_list() -> None:
    code, out, _ = run("catalog", "search", "qqqqqqqqzz", "--format", "json")
    assert code == 1 and json.loads(out) == []


def test_catalog_sync_offline_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FLOWDSL_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "flowdsl.lock").write_text("")
    code, out, _ = run("catalog", "sync", "--offline", "--format", "json")
    data = json.loads(out)
    assert code == 0 and isinstance(data, dict)
    assert run("catalog", "sync", "--offline", "--json")[1] == out


def test_catalog_sync_problems_are_error_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FLOWDSL_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "flowdsl.lock").write_text(json.dumps(
        {"lock_version": 1, "models": {"gone-model": {"sha256": "0" * 64, "output_type": "image"}}}))
    code, out, err = run("catalog", "sync", "--offline")
    assert code == 1
    assert _one_error_line(err) == ("flowdsl: error: missing: gone-model: locked but not in the cache "
                                    "(run `flowdsl catalog sync`)")


# -o writes through links and into FIFOs/devices; it never renames a file over one.
# (Only paths under tmp_path here: a regression must not be able to replace /dev/stdout.)

def test_output_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("{}")
    real.chmod(0o644)
    link = tmp_path / "link.json"
    link.symlink_to(real.name)
    code, out, _ = run("compile", "-o", str(link), str(EXAMPLE))
    assert code == 0 and out == ""
    assert link.is_symlink() and json.loads(real.read_text())["steps"]
    assert real.stat().st_mode & 0o777 == 0o644


def test_a_new_output_file_gets_the_umask_mode(tmp_path: Path) -> None:
    new = tmp_path / "new.json"
    old = os.umask(0o022)
    try:
        assert run("compile", "-o", str(new), str(EXAMPLE))[0] == 0
    finally:
        os.umask(old)
    assert new.stat().st_mode & 0o777 == 0o644


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_output_into_a_fifo_streams_into_it(tmp_path: Path) -> None:
    import threading
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, _, err = run("graph", "-o", str(fifo), str(EXAMPLE))
    reader.join(timeout=30)
    assert code == 0 and err == ""
    assert got and got[0].decode().startswith("flowchart")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still a FIFO, not replaced by a file


def test_output_via_a_link_to_a_descriptor_is_written_into(tmp_path: Path) -> None:
    # `-o /dev/stdout` with stdout redirected to a file: the file is written, not replaced.
    target = tmp_path / "stdout.json"
    link = tmp_path / "out"
    link.symlink_to("/proc/self/fd/1")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with open(target, "w") as fh:
        r = subprocess.run([sys.executable, "-m", "flowdsl", "compile", "-o", str(link), str(EXAMPLE)],
                           stdout=fh, stderr=subprocess.PIPE, text=True, timeout=60, env=env)
    assert r.returncode == 0 and r.stderr == ""
    assert link.is_symlink() and json.loads(target.read_text())["steps"]


def test_output_to_a_directory_is_one_line(tmp_path: Path) -> None:
    code, _, err = run("compile", "-o", str(tmp_path), str(EXAMPLE))
    assert code == 2 and f"'{tmp_path}' is a directory" in _one_error_line(err)
    # write_output refuses a directory by itself too, for a caller whose option does not check
    from flowdsl.cli.common import UsageError, write_output
    with pytest.raises(UsageError, match="it is a directory"):
        write_output(str(tmp_path), "x")
