"""``mlsd score``: ML Test Score evidence and MLOps level."""

from __future__ import annotations

import json

import click

from . import main
from .inputs import lint_config, load
from .terminal import echo


@main.command("score")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def score_command(file: str, fmt: str) -> None:
    """The ML Test Score tests the design shows evidence for, and its MLOps level (0-2)."""
    from ..analyses.score import score

    config = lint_config(file=file)
    result = score(load(file), config)
    if fmt == "json":
        echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    lines = [
        f"{file}: ML Test Score: {result['shown']} of {result['total']} architecture tests shown",
        f"MLOps {result['mlops_reason']}",
        "",
    ]
    for t in result["tests"]:
        mark = "yes" if t["shown"] else "no "
        lines.append(f"  [{mark}] {t['id']:<9} {t['title']}: {t['reason']}")
    lines.append(
        f"\nManual checklist ({len(result['manual'])} tests a diagram cannot show): "
        + "; ".join(f"{m['id']} {m['title']}" for m in result["manual"])
    )
    echo("\n".join(lines))
