"""``flowdsl rules [RULE]``: list every rule with its summary, or print one rule's docs
(``--all``: every rule's documentation, examples included). ``--format json`` prints the
same as data: a list of ``{id, severity, summary}`` (with ``doc`` for RULE or ``--all``)."""

from __future__ import annotations

import json
from typing import Any

import click

from flowdsl.cli.common import UsageError, format_option
from flowdsl.cli.exit_codes import epilog
from flowdsl.rules import REGISTRY, Rule
from flowdsl.suggest import did_you_mean


def _doc(rule: Rule) -> str:
    return f"{rule.id} (default severity: {rule.severity.value})\n\n{rule.doc}\n"


def _data(rule: Rule, with_doc: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"id": rule.id, "severity": rule.severity.value, "summary": rule.summary}
    if with_doc:
        out["doc"] = rule.doc
    return out


@click.command("rules", epilog=epilog("rules"))
@click.argument("rule", required=False)
@click.option("--all", "show_all", is_flag=True, help="Print every rule's documentation.")
@format_option("text", "json")
def rules(rule: str | None, show_all: bool, fmt: str) -> None:
    """List the checker's rules, or show the documentation (with an example) of RULE."""
    if rule is not None:
        found = REGISTRY.get(rule)
        if found is None:
            raise UsageError(f"unknown rule {rule!r}{did_you_mean(rule, REGISTRY)}")
        if fmt == "json":
            click.echo(json.dumps(_data(found, True), indent=2, ensure_ascii=False))
        else:
            click.echo(_doc(found), nl=False)
        return
    if fmt == "json":
        click.echo(json.dumps([_data(r, show_all) for r in REGISTRY.values()], indent=2,
                              ensure_ascii=False))
        return
    if show_all:
        click.echo("\n".join(_doc(r) for r in REGISTRY.values()), nl=False)
        return
    width = max(len(r) for r in REGISTRY)
    for r in REGISTRY.values():
        click.echo(f"{r.id:<{width}}  {r.severity.value:<7}  {r.summary}")
    click.echo("\n`flowdsl rules RULE` shows a rule's documentation with an example "
               "(`--all`: every rule).")
