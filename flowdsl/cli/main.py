"""Entry point: a click group (:mod:`flowdsl.cli.group`) whose commands are imported lazily;
``flowdsl check FILE`` of a clean file is answered without click (:mod:`flowdsl.cli.quick`).

Exit codes (all commands): 0 success, 1 findings with errors / failed operation,
2 usage error (bad flag, missing file), 3 internal error. ``plan`` uses 2 for "changes".
Each command's own codes are in :mod:`flowdsl.cli.exit_codes` and in its ``--help``; every
failure is one ``flowdsl: error: ...`` line (:mod:`flowdsl.cli.common`).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from flowdsl.cli.exit_codes import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from flowdsl.cli.group import LazyGroup, cli

# name -> "module:attribute". Aliases point at the same command.
COMMANDS: dict[str, str] = {
    "check": "flowdsl.cli.check_cmd:check",
    "lint": "flowdsl.cli.check_cmd:check",
    "compile": "flowdsl.cli.compile_cmd:compile_cmd",
    "import": "flowdsl.cli.import_cmd:import_cmd",
    "fmt": "flowdsl.cli.fmt_cmd:fmt",
    "graph": "flowdsl.cli.graph_cmd:graph",
    "rules": "flowdsl.cli.rules_cmd:rules",
    "catalog": "flowdsl.cli.catalog_cmd:catalog",
    "emulator": "flowdsl.cli.emulator_cmd:emulator",
    "plan": "flowdsl.cli.remote_cmds:plan",
    "deploy": "flowdsl.cli.remote_cmds:deploy",
    "trigger": "flowdsl.cli.remote_cmds:trigger",
    "simulate": "flowdsl.cli.simulate_cmd:simulate",
    "lsp": "flowdsl.cli.lsp_cmd:lsp",
    "schema": "flowdsl.cli.schema_cmd:schema",
}

__all__ = ["EXIT_FINDINGS", "EXIT_INTERNAL", "EXIT_OK", "EXIT_USAGE", "LazyGroup", "cli", "main"]


# One line per command for ``flowdsl --help``, so listing commands imports none of them
# (each command's own --help has its full text).
SUMMARIES: dict[str, str] = {
    "check": "Check .flow.yaml files and JSON definitions (alias: lint).",
    "lint": "Alias of check.",
    "compile": "Compile a flow to the each::workflows definition JSON.",
    "import": "Convert engine JSON or a legacy console export to .flow.yaml.",
    "fmt": "Rewrite flows in canonical layout, keeping comments.",
    "graph": "Draw a flow's steps (mermaid or dot).",
    "rules": "List the rules, or show one rule's documentation.",
    "catalog": "Model schemas: list, show, search, sync.",
    "emulator": "Serve a local each::labs API for tests and offline work.",
    "plan": "Show what deploy would change on the server.",
    "deploy": "Push flows as new workflow versions.",
    "trigger": "Start an execution of a deployed flow.",
    "simulate": "Dry-run a flow offline, in virtual time.",
    "lsp": "Run the language server on stdio (for editors).",
    "schema": "Print where the installed flow JSON Schema is (for editor modelines).",
}


def __getattr__(name: str) -> Any:
    # The click group is built on first use: `flowdsl check FILE` may end without click.
    if name in ("cli", "LazyGroup"):
        from flowdsl.cli import group
        return getattr(group, name)
    raise AttributeError(f"module 'flowdsl.cli.main' has no attribute {name!r}")


def main(argv: list[str] | None = None) -> Any:
    from flowdsl.check.perf import tune_gc
    from flowdsl.cli.quick import clear_handoff, quick_check
    tune_gc()
    code = quick_check(sys.argv[1:] if argv is None else list(argv))
    if code is not None:
        sys.exit(code)
    from flowdsl.cli.group import cli
    try:
        # LazyGroup.main prints every failure as one line and exits with its code.
        return cli.main(args=argv, prog_name="flowdsl", standalone_mode=True)
    finally:
        clear_handoff()  # what quick_check left is for this run only
