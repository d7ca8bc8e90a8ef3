"""The click group behind :func:`flowdsl.cli.main.main`: commands are imported only when
invoked, and ``--help`` lists them from :data:`~flowdsl.cli.main.SUMMARIES`."""

from __future__ import annotations

import importlib
import importlib.util

import click

from flowdsl import __version__
from flowdsl.cli.common import OneLineErrorsGroup
from flowdsl.cli.exit_codes import epilog
from flowdsl.cli.main import COMMANDS, SUMMARIES


def _available(name: str) -> bool:
    module = COMMANDS[name].split(":")[0]
    return importlib.util.find_spec(module) is not None


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
