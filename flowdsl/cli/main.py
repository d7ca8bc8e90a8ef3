"""Entry point: a click group whose commands are imported lazily.

Exit codes (all commands): 0 success, 1 findings with errors / failed operation,
2 usage error (bad flag, missing file), 3 internal error. ``plan`` uses 2 for "changes".
Each command's own codes are in :mod:`flowdsl.cli.exit_codes` and in its ``--help``; every
failure is one ``flowdsl: error: ...`` line (:mod:`flowdsl.cli.common`).
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

import click

from flowdsl import __version__
from flowdsl.cli.common import OneLineErrorsGroup
from flowdsl.cli.exit_codes import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, epilog

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

__all__ = ["EXIT_FINDINGS", "EXIT_INTERNAL", "EXIT_OK", "EXIT_USAGE", "cli", "main"]


def _available(name: str) -> bool:
    module = COMMANDS[name].split(":")[0]
    return importlib.util.find_spec(module) is not None


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


class LazyGroup(OneLineErrorsGroup):
    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(n, SUMMARIES.get(n, "")) for n in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(n for n in COMMANDS if _available(n))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None or not _available(cmd_name):
            return None
        module, attr = target.split(":")
        cmd: click.Command = getattr(importlib.import_module(module), attr)
        if not cmd.epilog:  # a command that does not list its exit codes gets them from the table
            cmd.epilog = epilog(cmd_name) or None
        return cmd


@click.group("flowdsl", cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]},
             epilog=epilog("flowdsl"))
@click.version_option(__version__, "--version", prog_name="flowdsl")
def cli() -> None:
    """Author, check, compile, deploy and simulate each::workflows pipelines."""


def main(argv: list[str] | None = None) -> Any:
    from flowdsl.check.perf import tune_gc
    tune_gc()
    # LazyGroup.main prints every failure as one line and exits with its code.
    return cli.main(args=argv, prog_name="flowdsl", standalone_mode=True)
