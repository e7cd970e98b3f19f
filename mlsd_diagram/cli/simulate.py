"""``mlsd simulate``: knock-outs, latency by steps against the SLO, load and headroom."""

from __future__ import annotations

import json
import math

import click

from ..diagnostics import did_you_mean
from . import UserError, main
from .inputs import load, split_ids
from .terminal import echo


def _factor(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise UserError(f"--load must be a positive number (a multiple of the peak QPS, e.g. 1 or 2.5), got {text!r}")
    return value


@main.command("simulate")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--knock-out",
    "knock",
    multiple=True,
    metavar="ID",
    help="Knock these components out together (repeat or comma-separate); default: each request-path "
    "component in turn.",
)
@click.option(
    "--load",
    "load_text",
    default="1",
    show_default=True,
    metavar="L",
    help="Load factor: each entry point receives L x its peak QPS.",
)
def simulate_command(file: str, fmt: str, knock: tuple[str, ...], load_text: str) -> None:
    """Knock components out, load the design at L x peak: served / degraded / down; latency vs SLO."""
    from ..analyses.serving import simulate

    factor = _factor(load_text)
    blueprint = load(file)
    chosen = split_ids(knock)
    for cid in chosen:
        if cid not in blueprint.components:
            raise UserError(
                f"--knock-out names '{cid}', which is not a component of {file}"
                f"{did_you_mean(cid, blueprint.components)}"
            )
    result = simulate(blueprint, [set(chosen)] if chosen else None, load=factor)
    if fmt == "json":
        echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    echo("\n".join(text_report(file, result, bool(chosen))))


def _why(reasons: list[dict]) -> str:
    parts = []
    for r in reasons:
        if "fallback" in r:
            parts.append(f"fallback {r['fallback']} answered for {r['component']}")
        elif r.get("timed_out"):
            parts.append(f"{r['component']}'s call to {r['call']} timed out")
        else:
            parts.append(
                f"{r['component']} {'skipped' if r['on_failure'] == 'skip' else 'used defaults for'} "
                f"{r['call']} (on_failure: {r['on_failure']})"
            )
    return "; ".join(parts)


def _ms(value) -> str:
    return "?" if value is None else f"{value} ms"


MAX_INDENT = 12  # call depths indented in the latency tree; deeper calls say their depth instead


def text_report(file: str, result: dict, together: bool) -> list[str]:
    """The text form of :func:`~mlsd_diagram.analyses.serving.simulate`'s result."""
    lines = [f"{file}: entry points: {', '.join(result['entry_points']) or 'none (no client sends requests)'}"]
    if result["knock_outs"]:
        what = "knocked out together" if together else "knocked out one at a time"
        lines.append(f"Knock-outs ({what}):")
        width = max(len(", ".join(k["components"])) for k in result["knock_outs"])
        for k in result["knock_outs"]:
            states = ", ".join(f"{e} {s}" for e, s in k["entry_points"].items())
            why = "; ".join(_why(r) for r in k["answered_by"].values())
            lines.append(f"  {', '.join(k['components']):<{width}}  {states}{f'  ({why})' if why else ''}")
    critical, spofs = result["critical"], result["single_points_of_failure"]
    lines.append(f"Critical (losing one alone takes an entry point down): {', '.join(critical) or 'none'}")
    lines.append(f"Single points of failure (critical, one replica): {', '.join(spofs) or 'none'}")
    lines.append("Latency (p99; a caller's steps add up, calls within a step run in parallel):")
    for entry, info in result["latency"].items():
        if info["p99_ms"] is None:
            lines.append(f"  {entry}: unknown: no component on its request path declares latency_p99_ms")
            continue
        budget = f" of {info['slo_ms']} ms SLO" if info["slo_ms"] is not None else " (no SLO declared)"
        over = "  OVER BUDGET" if info["slo_ms"] is not None and info["p99_ms"] > info["slo_ms"] else ""
        lines.append(f"  {entry}: {info['p99_ms']} ms{budget}{over}")
        for row in info["steps"][1:]:
            # Indented by depth up to a point: a 10,000-deep call chain must not print 100 MB of spaces.
            depth = row["depth"]
            indent = "  " * (min(depth, MAX_INDENT) + 1)
            deeper = f"[depth {depth}] " if depth > MAX_INDENT else ""
            head = f"{indent}{deeper}step {row['step']}: {row['component']}"
            cost = f"{row['cost_ms']} ms"
            detail = [f"own {_ms(row['own_ms'])}"]
            if row["total_ms"] != row["own_ms"]:
                detail.append(f"with its calls {row['total_ms']} ms")
            if row["timeout_ms"] is not None:
                detail.append(
                    f"timeout {row['timeout_ms']} ms" + (" (cut)" if row["cost_ms"] < row["total_ms"] else "")
                )
            if row["parallel"]:
                detail.append(f"parallel with {', '.join(row['parallel'])}")
            lines.append(f"{head}  {cost}  ({'; '.join(detail)})")
        if info["missing"]:
            lines.append(f"    no latency declared (counted as 0): {', '.join(info['missing'])}")
    lines.extend(_load_lines(result["load"]))
    return lines


def _load_lines(load: dict) -> list[str]:
    lines = [f"Load at {load['factor']}x peak:"]
    rows = list(load["components"].items())
    if not any(info["qps"] for _, info in rows):
        return lines + ["  no peak QPS declared (requirements.scale.peak_qps, or peak_qps on an entry point)"]
    for entry, state in load["entry_points"].items():
        why = _why(load["answered_by"].get(entry, []))
        lines.append(f"  {entry} {state}{f'  ({why})' if why else ''}")
    width = max(len(c) for c, _ in rows)
    lines.append(f"  {'component':<{width}}  {'qps':>10}  {'capacity':>10}  {'util':>6}  state")
    for c, info in rows:
        cap = "?" if info["capacity_qps"] is None else f"{info['capacity_qps']:g}"
        util = "" if info["utilization"] is None else f"{info['utilization']:.2f}"
        lines.append(f"  {c:<{width}}  {info['qps']:>10g}  {cap:>10}  {util:>6}  {info['state']}")
    if load["headroom"] is None:
        lines.append("Headroom: unknown: no component on the request path declares capacity_qps")
    elif load["first_saturated"] is None:
        lines.append("Headroom: none: an entry point is not fully served even without load (see the states above)")
    else:
        lines.append(f"Headroom: {load['headroom']}x peak (first to saturate: {load['first_saturated']})")
    if load["unknown_capacity"]:
        lines.append(f"  no capacity_qps declared (never saturate here): {', '.join(load['unknown_capacity'])}")
    return lines
