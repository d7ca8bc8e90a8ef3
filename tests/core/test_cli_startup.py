"""`flowdsl --help` and `--version` list commands without importing any of them (only the
group's own glue: cli.group, cli.common for the one error format, cli.exit_codes for the help
text, cli.quick and cli.basics that `main` looks at first); `check` of clean files imports
neither click nor the heavy dependencies a clean file does not need."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from flowdsl.cli.main import COMMANDS, SUMMARIES

PROBE = """
import sys
from flowdsl.cli.main import main
try:
    main([{arg!r}])
except SystemExit:
    pass
heavy = sorted(m for m in sys.modules if m.startswith(("flowdsl.cli.", "flowdsl.check", "flowdsl.remote",
                                                     "flowdsl.simulate", "flowdsl.emulator", "httpx", "jsonschema",
                                                     "lark")) and m not in ("flowdsl.cli.main", "flowdsl.cli.common", "flowdsl.cli.exit_codes",
                            "flowdsl.cli.group", "flowdsl.cli.quick", "flowdsl.cli.basics",
                            "flowdsl.check", "flowdsl.check.perf"))
print("MODULES:" + ",".join(heavy))
"""


def test_every_command_has_a_summary() -> None:
    assert set(COMMANDS) <= set(SUMMARIES)


def test_help_and_version_import_no_command() -> None:
    for arg in ("--help", "--version"):
        out = subprocess.run([sys.executable, "-c", PROBE.format(arg=arg)], capture_output=True,
                             text=True, check=True).stdout.strip().splitlines()[-1]
        assert out == "MODULES:", f"{arg} imported {out}"


CHECK_PROBE = """
import sys
from flowdsl.cli.main import main
for path in {paths!r}:
    try:
        main(["check", path])
    except SystemExit as exc:
        assert exc.code == 0, (path, exc.code)
print("MODULES:" + ",".join(sorted(m for m in sys.modules if m.startswith(
    ("httpx", "flowdsl.simulate", "flowdsl.emulator", "flowdsl.remote", "flowdsl.lsp", "pygls",
     "jsonschema", "referencing", "lark", "click")))))
"""


def test_check_of_clean_files_imports_no_click_simulator_emulator_http_jsonschema_or_lark() -> None:
    """Every example is clean; between them they have conditions, enum and maxLength inputs,
    templates and model params, all answered by the fast paths (lang/condition_scan.py,
    lang/templates.py, check/quick_schema.py) without lark or jsonschema, and the command
    line by cli/quick.py without click."""
    flows = sorted(str(p) for p in (Path(__file__).resolve().parents[2] / "examples").glob("*.flow.yaml"))
    assert len(flows) >= 5
    out = subprocess.run([sys.executable, "-c", CHECK_PROBE.format(paths=flows)], capture_output=True,
                         text=True, check=True).stdout.strip().splitlines()[-1]
    assert out == "MODULES:", f"check imported {out}"


BROKEN_PROBE = """
import sys
from flowdsl.cli.main import main
try:
    main(["check", {path!r}])
except SystemExit as exc:
    print("EXIT:", exc.code)
"""


def test_a_malformed_condition_is_still_explained(tmp_path: Path) -> None:
    """The other side of the lazy import: text the fast path leaves goes to lark's message."""
    flow = tmp_path / "bad.flow.yaml"
    flow.write_text("name: bad\nsteps:\n  - id: route\n    if: $.inputs.x = 1\n    then:\n"
                    "      - id: a\n        pass: {x: 1}\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-c", BROKEN_PROBE.format(path=str(flow))], capture_output=True,
                         text=True, check=True)
    assert "EXIT: 1" in run.stdout
    assert "'=' is not an operator: use '==' to compare" in run.stdout + run.stderr
