"""`flowdsl --help` and `--version` list commands without importing any of them (only the
group's own glue: cli.common for the one error format, cli.exit_codes for the help text)."""

from __future__ import annotations

import subprocess
import sys

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
try:
    main(["check", {path!r}])
except SystemExit:
    pass
print("MODULES:" + ",".join(sorted(m for m in sys.modules if m.startswith(
    ("httpx", "flowdsl.simulate", "flowdsl.emulator", "flowdsl.remote", "flowdsl.lsp", "pygls")))))
"""


def test_check_of_one_clean_file_imports_no_simulator_emulator_or_http() -> None:
    from pathlib import Path

    flow = Path(__file__).resolve().parents[2] / "examples" / "upscale-routing.flow.yaml"
    out = subprocess.run([sys.executable, "-c", CHECK_PROBE.format(path=str(flow))], capture_output=True,
                         text=True, check=True).stdout.strip().splitlines()[-1]
    assert out == "MODULES:", f"check imported {out}"
