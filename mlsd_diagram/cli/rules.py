"""``mlsd rules``: the rule catalog and each rule's page."""

from __future__ import annotations

import json

import click

from ..diagnostics import did_you_mean
from . import UserError, main
from .completion import complete_rules
from .terminal import echo


@main.command("rules")
@click.argument("rule", required=False, shell_complete=complete_rules)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
def rules_command(rule: str | None, fmt: str) -> None:
    """List every lint rule, or print the page of RULE (an id or a name)."""
    from ..analyses.rules import RULES, rules_markdown

    if rule is not None:
        found = RULES.get(rule) or RULES.get(rule.upper())
        if found is None:
            names = [r.id for r in RULES] + [r.name for r in RULES]
            raise UserError(f"unknown rule '{rule}'{did_you_mean(rule, names)} (see `mlsd rules`)")
        chosen = [found]
    else:
        chosen = list(RULES)
    if fmt == "json":
        rows = [
            {
                "id": r.id,
                "name": r.name,
                "severity": r.severity,
                "category": r.category,
                "summary": r.summary,
                "source": r.source,
                "doc": r.doc,
            }
            for r in chosen
        ]
        echo(json.dumps({"rules": rows}, indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        echo(rules_markdown(chosen), nl=False)
    elif rule is not None:
        r = chosen[0]
        echo(f"{r.id} {r.name}\n\nSeverity: {r.severity}. Category: {r.category}. Source: {r.source}.\n\n{r.doc}")
    else:
        width = max(len(r.name) for r in chosen)
        for r in chosen:
            echo(f"{r.id}  {r.name:<{width}}  {r.severity:<7}  {r.summary}")
        echo(f"\n{len(chosen)} rules. `mlsd rules ID` prints a rule's page.")
