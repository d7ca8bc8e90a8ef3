"""``flowdsl rules [RULE]``: list every rule with its summary, or print one rule's docs."""

from __future__ import annotations

import click

from flowdsl.rules import REGISTRY
from flowdsl.suggest import did_you_mean


@click.command("rules")
@click.argument("rule", required=False)
def rules(rule: str | None) -> None:
    """List the checker's rules, or show the documentation of RULE."""
    if rule is None:
        width = max(len(r) for r in REGISTRY)
        for r in REGISTRY.values():
            click.echo(f"{r.id:<{width}}  {r.severity.value:<7}  {r.summary}")
        click.echo("\n`flowdsl rules RULE` shows a rule's documentation with an example.")
        return
    found = REGISTRY.get(rule)
    if found is None:
        raise click.UsageError(f"unknown rule {rule!r}{did_you_mean(rule, REGISTRY)}")
    click.echo(f"{found.id} (default severity: {found.severity.value})\n")
    click.echo(found.doc)
