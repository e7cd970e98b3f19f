"""``mlsd simulate``: knock-outs, latency against the SLO."""

from __future__ import annotations

import json

import click

from ..diagnostics import did_you_mean
from . import UserError, main
from .inputs import load, split_ids


@main.command("simulate")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--knock-out", "knock", multiple=True, metavar="ID",
              help="Knock these components out together (repeat or comma-separate); default: each request-path "
                   "component in turn.")
def simulate_command(file: str, fmt: str, knock: tuple[str, ...]) -> None:
    """Knock components out and report, per entry point, served / degraded / down; latency vs SLO."""
    from ..analyses.simulate import simulate

    blueprint = load(file)
    chosen = split_ids(knock)
    for cid in chosen:
        if cid not in blueprint.components:
            raise UserError(f"--knock-out names '{cid}', which is not a component of {file}"
                            f"{did_you_mean(cid, blueprint.components)}")
    result = simulate(blueprint, [set(chosen)] if chosen else None)
    if fmt == "json":
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    lines = [f"{file}: entry points: {', '.join(result['entry_points']) or 'none (no client sends requests)'}"]
    if result["knock_outs"]:
        what = "knocked out together" if chosen else "knocked out one at a time"
        lines.append(f"Knock-outs ({what}):")
        width = max(len(", ".join(k["components"])) for k in result["knock_outs"])
        for k in result["knock_outs"]:
            states = ", ".join(f"{e} {s}" for e, s in k["entry_points"].items())
            lines.append(f"  {', '.join(k['components']):<{width}}  {states}")
    spofs = result["single_points_of_failure"]
    lines.append(f"Single points of failure: {', '.join(spofs) if spofs else 'none'}")
    lines.append("Latency (p99, slowest request path):")
    for entry, info in result["latency"].items():
        budget = f" of {info['slo_ms']} ms SLO" if info["slo_ms"] is not None else " (no SLO declared)"
        over = "  OVER BUDGET" if info["slo_ms"] is not None and info["p99_ms"] > info["slo_ms"] else ""
        lines.append(f"  {entry}: {info['p99_ms']} ms{budget}{over}: {' -> '.join(info['path'])}")
        if info["missing"]:
            lines.append(f"    no latency declared (counted as 0): {', '.join(info['missing'])}")
    click.echo("\n".join(lines))
