"""``flowdsl rules [RULE]``: list every rule with its summary, or print one rule's docs
(``--all``: every rule's documentation, examples included)."""

from __future__ import annotations

import click

from flowdsl.rules import REGISTRY, Rule
from flowdsl.suggest import did_you_mean


def _doc(rule: Rule) -> str:
    return f"{rule.id} (default severity: {rule.severity.value})\n\n{rule.doc}\n"


@click.command("rules")
@click.argument("rule", required=False)
@click.option("--all", "show_all", is_flag=True, help="Print every rule's documentation.")
def rules(rule: str | None, show_all: bool) -> None:
    """List the checker's rules, or show the documentation (with an example) of RULE."""
    if rule is not None:
        found = REGISTRY.get(rule)
        if found is None:
            raise click.UsageError(f"unknown rule {rule!r}{did_you_mean(rule, REGISTRY)}")
        click.echo(_doc(found), nl=False)
        return
    if show_all:
        click.echo("\n".join(_doc(r) for r in REGISTRY.values()), nl=False)
        return
    width = max(len(r) for r in REGISTRY)
    for r in REGISTRY.values():
        click.echo(f"{r.id:<{width}}  {r.severity.value:<7}  {r.summary}")
    click.echo("\n`flowdsl rules RULE` shows a rule's documentation with an example "
               "(`--all`: every rule).")
