"""``flowdsl schema [--path | --modeline] [--definition]``: the JSON Schemas flowdsl ships.

An editor that uses yaml-language-server validates and completes a ``.flow.yaml`` file given
the modeline ``# yaml-language-server: $schema=PATH``. A pip user has no checkout of this
repository; ``flowdsl schema --path`` prints where the installed copy of the schema is.
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import click

from flowdsl.cli.common import fail
from flowdsl.cli.exit_codes import EXIT_FINDINGS, EXIT_OK, epilog

SCHEMAS = {"flow": "flow.schema.json", "definition": "definition.schema.json"}


def schema_path(kind: str = "flow") -> Path:
    """The installed file of the ``flow`` (.flow.yaml) or ``definition`` (engine JSON) schema."""
    return Path(str(resources.files("flowdsl") / "schemas" / SCHEMAS[kind]))


@click.command("schema", epilog=epilog("schema"))
@click.option("--path", "show", flag_value="path", help="Print the schema file's path.")
@click.option("--modeline", "show", flag_value="modeline",
              help="Print the yaml-language-server modeline that points at it.")
@click.option("--definition", is_flag=True,
              help="The engine definition JSON schema instead of the .flow.yaml one.")
def schema(show: str | None, definition: bool) -> None:
    """Print the JSON Schema of .flow.yaml files (or its installed path, or a modeline).

    \b
    Put the modeline on the first line of a flow for editor completion:
      flowdsl schema --modeline
      # yaml-language-server: $schema=/…/site-packages/flowdsl/schemas/flow.schema.json
    """
    path = schema_path("definition" if definition else "flow")
    if not path.is_file():
        fail(f"schema not found at {path} (a broken installation?)", EXIT_FINDINGS)
    if show == "path":
        click.echo(str(path))
    elif show == "modeline":
        click.echo(f"# yaml-language-server: $schema={path.as_uri() if ' ' in str(path) else path}")
    else:
        text = path.read_text(encoding="utf-8")
        click.echo(text, nl=not text.endswith("\n"))
    sys.exit(EXIT_OK)
