"""``mlsd estimate``: back-of-the-envelope figures with their formulas, and the fields still missing."""

from __future__ import annotations

import json
import math

import click

from . import UserError, main
from .inputs import load


def _utilization(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not 0 < value <= 1:
        raise UserError(f"--target-utilization must be a number in (0, 1], e.g. 0.6 for 60%, got {text!r}")
    return value


@main.command("estimate")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--target-utilization",
    "utilization_text",
    default="0.6",
    show_default=True,
    metavar="U",
    help="Share of a replica's capacity_qps to run at peak (replicas needed = peak QPS / (capacity x U)).",
)
def estimate_command(file: str, fmt: str, utilization_text: str) -> None:
    """Capacity estimates: peak QPS, replicas, memory, storage, event and training volume, with formulas."""
    from ..analyses.estimate import estimate

    utilization = _utilization(utilization_text)
    result = estimate(load(file), utilization)
    if fmt == "json":
        click.echo(json.dumps({"file": file, **result.to_dict()}, indent=2, ensure_ascii=False))
        return
    click.echo("\n".join(text_report(file, result)))


def text_report(file: str, result) -> list[str]:
    """The text form of an :class:`~mlsd_diagram.analyses.estimate.Estimates`."""
    from ..analyses.estimate import SECTIONS

    percent = f"{result.target_utilization * 100:g}%"
    lines = [f"{file}: back-of-the-envelope estimates (replicas at {percent} target utilization)"]
    titles = dict(SECTIONS)
    titles["replicas"] = f"Replicas needed at {percent} utilization"
    titles["qps"] = "Peak QPS per component (the load of `mlsd simulate --load 1`)"
    for name, _ in SECTIONS:
        figures = result.section(name)
        if not figures:
            continue
        # one formula for the whole section: say it once in its heading
        shared = len({f.formula for f in figures}) == 1 and name in ("qps", "replicas")
        lines.append(f"{titles[name]}" + (f": {figures[0].formula}" if shared else ":"))
        width = max(len(f.component or "") for f in figures)
        value_width = max(len(f.approx) for f in figures)
        for f in figures:
            formula = "" if shared else f"{f.formula} = "
            worked = f"{formula}{f.worked}" if f.worked != f.formula else f.formula
            note = f"  ({f.note})" if f.note else ""
            what = "" if name in ("qps", "replicas") else f"{f.quantity}: "
            assumed = [i.name for i in f.inputs if i.assumed and i.source.startswith("components.")]
            default = f"  [default {', '.join(assumed)}]" if assumed else ""
            lines.append(f"  {f.component or '':<{width}}  {f.approx:>{value_width}}  {what}{worked}{note}{default}")
    if result.missing:
        lines.append("Not estimated (add these fields):")
        for m in result.missing:
            where = f"{m.component}: " if m.component else ""
            lines.append(f"  {where}{m.quantity}: {', '.join(m.fields)}")
    return lines
