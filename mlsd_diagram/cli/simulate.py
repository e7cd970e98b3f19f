"""``mlsd simulate``: knock-outs, latency by steps against the SLO, load and headroom."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

import click

from ..diagnostics import did_you_mean
from ..printable import figure
from . import UserError, main
from .completion import complete_components
from .inputs import load, split_ids
from .terminal import echo

if TYPE_CHECKING:
    from collections.abc import Mapping


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
    shell_complete=complete_components,
    help="Knock these components out together (repeat or comma-separate); default: each request-path "
    "component in turn.",
)
@click.option(
    "--load",
    "load_text",
    default="1",
    show_default=True,
    metavar="L",
    help="Load factor: each entry point receives L x its peak QPS. A comma-separated sequence "
    "(1,1.5,1) is a load path: each step starts from the state the step before left (retries can "
    "keep an overload going: metastable).",
)
@click.option(
    "--lose",
    type=click.Choice(["replica", "zone"]),
    default=None,
    help="Take away one replica of every request-path component (the worst single loss for each), "
    "or one zone's share where `zones` is declared.",
)
@click.option(
    "--hang",
    "hang",
    multiple=True,
    metavar="ID",
    shell_complete=complete_components,
    help="These components never answer (black-holed): each call to them waits its timeout_ms, "
    "and a caller without one hangs.",
)
@click.option(
    "--cold",
    "cold",
    multiple=True,
    metavar="ID",
    shell_complete=complete_components,
    help="These caches miss every request (hit_ratio 0: after a restart or a flush).",
)
def simulate_command(
    file: str,
    fmt: str,
    knock: tuple[str, ...],
    load_text: str,
    lose: str | None,
    hang: tuple[str, ...],
    cold: tuple[str, ...],
) -> None:
    """Knock components out, load the design at L x peak: served / degraded / down; latency vs SLO."""
    from ..analyses.serving import simulate

    factors = [_factor(part.strip()) for part in load_text.split(",")] if load_text.strip() else [_factor(load_text)]
    factor = factors[0]
    blueprint = load(file)
    chosen = split_ids(knock)
    hung, cooled = split_ids(hang), split_ids(cold)
    for option, ids in (("--knock-out", chosen), ("--hang", hung), ("--cold", cooled)):
        for cid in ids:
            if cid not in blueprint.components:
                raise UserError(
                    f"{option} names '{cid}', which is not a component of {file}"
                    f"{did_you_mean(cid, blueprint.components)}"
                )
    result = simulate(
        blueprint,
        [set(chosen)] if chosen else None,
        load=factor,
        hung=hung,
        cold=cooled,
        lose=lose,
        path=factors if len(factors) > 1 else None,
    )
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


def _assumed_lines(assumed: dict, path: list[str]) -> list[str]:
    """What the latency takes as given, in one line each; "every component" when it is all of them."""
    lines = []
    timed = [c for c in path[1:] if c not in assumed.get("no_latency", [])]
    constant, unqueued = assumed.get("constant_service", []), assumed.get("no_queueing", [])
    if constant:
        who = "no component declares" if set(timed) <= set(constant) else f"{', '.join(constant)}: no"
        lines.append(f"    {who} latency_p50_ms: service times taken as constant at their p99 (no tail)")
    if unqueued:
        who = "no component declares" if set(path[1:]) <= set(unqueued) else f"{', '.join(unqueued)}: no"
        lines.append(f"    {who} workers: latency under load unknown (no queueing counted)")
    return lines


def _share(x) -> str:
    return f"{100 * x:.3g}%"


def _distribution(info: dict) -> str:
    """``p50 X ms, p99 Y ms, p99.9 Z ms; served 99.5%, degraded 0.5%, failed 0%; over the SLO 0.1%``."""
    parts = [f"p50 {_ms(info['p50_ms'])}, p99 {_ms(info['p99_ms'])}, p99.9 {_ms(info['p999_ms'])}"]
    shares = info["shares"]
    parts.append(
        f"served {_share(shares['served'])}, degraded {_share(shares['degraded'])}, failed {_share(shares['failed'])}"
    )
    if info.get("over_slo_share") is not None:
        parts.append(f"over the SLO {_share(info['over_slo_share'])}")
    return "; ".join(parts)


def _p99_note(figures: Mapping[str, Any] | None, result: Mapping[str, Any]) -> str:
    """`` (p99 93 ms)`` beside a knock-out's state, when the entry point still answers and latency is known."""
    if not figures or figures["p99_ms"] is None:
        return ""
    if not any(info["p99_ms"] is not None for info in result["latency"].values()):
        return ""
    return f" (p99 {_ms(figures['p99_ms'])})"


def _ms(value) -> str:
    return "?" if value is None else f"{figure(value)} ms"


MAX_INDENT = 12  # call depths indented in the latency tree; deeper calls say their depth instead


def text_report(file: str, result: Mapping[str, Any], together: bool) -> list[str]:
    """The text form of :func:`~mlsd_diagram.analyses.serving.simulate`'s result."""
    lines = [f"{file}: entry points: {', '.join(result['entry_points']) or 'none (no client sends requests)'}"]
    if result["knock_outs"]:
        what = "knocked out together" if together else "knocked out one at a time"
        lines.append(f"Knock-outs ({what}):")
        width = max(len(", ".join(k["components"])) for k in result["knock_outs"])
        for k in result["knock_outs"]:
            states = ", ".join(
                f"{e} {s}{_p99_note((k['latency'] or {}).get(e), result)}" for e, s in k["entry_points"].items()
            )
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
        lines.append(f"  {entry}: {figure(info['p99_ms'])} ms{budget}{over}")
        lines.append(f"    {_distribution(info)}")
        for row in info["steps"][1:]:
            # Indented by depth up to a point: a 10,000-deep call chain must not print 100 MB of spaces.
            depth = row["depth"]
            indent = "  " * (min(depth, MAX_INDENT) + 1)
            deeper = f"[depth {depth}] " if depth > MAX_INDENT else ""
            head = f"{indent}{deeper}step {row['step']}: {row['component']}"
            cost = _ms(row["cost_ms"])
            detail = [f"own {_ms(row['own_ms'])}"]
            if row["total_ms"] != row["own_ms"]:
                detail.append(f"with its calls {_ms(row['total_ms'])}")
            if row["timeout_ms"] is not None:
                detail.append(
                    f"timeout {row['timeout_ms']} ms" + (" (cut)" if row["cost_ms"] < row["total_ms"] else "")
                )
            if row["parallel"]:
                detail.append(f"parallel with {', '.join(row['parallel'])}")
            lines.append(f"{head}  {cost}  ({'; '.join(detail)})")
        if info["missing"]:
            lines.append(f"    no latency declared (counted as 0): {', '.join(info['missing'])}")
        lines.extend(_assumed_lines(info.get("assumed") or {}, info["path"]))
    slo_set = any(info.get("slo_ms") is not None for info in result["latency"].values())
    lines.extend(_load_lines(result["load"], slo_set))
    for entry, info in result.get("availability", {}).items():
        slo = f" of {100 * info['slo']:g}% SLO" if info["slo"] is not None else ""
        terms = "; ".join(f"{' + '.join(t['components'])} {t['unavailability']:.3g}" for t in info["terms"][:3])
        lines.append(
            f"Availability of {entry}: {100 * info['availability']:.4g}%{slo} (largest terms: {terms or 'none'})"
        )
    for consumer, info in result.get("streams", {}).items():
        if info["events_per_s"] is None or info["capacity"] is None:
            continue
        lag = f"; lag grows {info['lag_per_hour']:,.0f} events per hour" if info["lag_per_hour"] else ""
        lines.append(
            f"Stream into {consumer}: {info['events_per_s']:g} events/s of {info['capacity']:g} "
            f"(utilization {info['utilization']:.2f}){lag}"
        )
    for step in result.get("load_path", []):
        states = ", ".join(f"{e} {s}" for e, s in step["entry_points"].items())
        lines.append(f"Load path, {step['factor']}x peak: {states}")
        for item in step["metastable"]:
            loop = ", ".join(f"flow {i}" for i in item["loop"]) or "no retrying call"
            lines.append(
                f"  {item['component']} {item['state']}: METASTABLE (within capacity at this load from rest; "
                f"kept over it by retries: {loop})"
            )
    return lines


def _load_lines(load: dict, slo_set: bool) -> list[str]:
    lines = [f"Load at {load['factor']}x peak:"]
    rows = list(load["components"].items())
    if not any(info["qps"] for _, info in rows):
        return lines + ["  no peak QPS declared (requirements.scale.peak_qps, or peak_qps on an entry point)"]
    for entry, state in load["entry_points"].items():
        why = _why(load["answered_by"].get(entry, []))
        lines.append(f"  {entry} {state}{f'  ({why})' if why else ''}")
        figures = load.get("latency", {}).get(entry)
        if figures and figures["p99_ms"] is not None:
            lines.append(f"    {_distribution(figures)}")
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
    limit = load.get("slo_limit")
    if load.get("slo_headroom") is not None:
        if limit and limit["by"] == "slo":
            what = f"the SLO: {limit['entry']}'s p99 would pass it"
        elif limit and limit.get("component"):
            what = f"{limit['component']} saturates"
        elif limit:
            what = f"{limit['entry']} stops being served"
        else:
            what = "nothing found"
        if slo_set:
            lines.append(f"SLO headroom: {load['slo_headroom']}x peak (served and within the SLO; limited by {what})")
        else:
            lines.append(
                f"Served headroom (no SLO declared): {load['slo_headroom']}x peak "
                f"(every entry point served; limited by {what})"
            )
    if load.get("autoscaling"):
        lines.extend(_autoscaling_lines(load["autoscaling"]))
    if load.get("lost"):
        lost = ", ".join(f"{c} -{n}" for c, n in load["lost"].items())
        lines.append(f"  replicas lost: {lost}")
    if load.get("retries"):
        retry = load["retries"]
        amplified = {i: a for i, a in retry["attempts"].items() if a > 1.0001}
        if amplified:
            lines.append(
                "  retries: attempts per call "
                + ", ".join(f"flow {i} x{a:g}" for i, a in amplified.items())
                + ("" if retry["converged"] else " (did not settle: the figures are the last round's)")
            )
    if load["unknown_capacity"]:
        lines.append(f"  no capacity_qps declared (never saturate here): {', '.join(load['unknown_capacity'])}")
    return lines


def _autoscaling_lines(auto: dict) -> list[str]:
    """Sustained load meets max_replicas (the headroom above); a surge faster than scale-up meets min_replicas."""
    lines = []
    for c, info in auto["components"].items():
        delay = "" if info["scale_up_s"] is None else f", scale-up {info['scale_up_s']} s"
        needed = "" if info["replicas_needed"] is None else f": {info['replicas_needed']} needed at this load"
        lines.append(f"  autoscaled: {c} {info['min_replicas']}..{info['max_replicas']} replicas{delay}{needed}")
    if auto["surge_headroom"] is None:
        return lines
    first = auto["surge_first_saturated"]
    over = [c for c, info in auto["surge"]["components"].items() if info["state"] not in ("ok",)]
    lines.append(
        f"Surge headroom (a surge faster than scale-up meets min_replicas): {auto['surge_headroom']}x peak"
        + (f" (first to saturate: {first})" if first else "")
        + (f"; at this load, before scaling up: {', '.join(over)} over capacity" if over else "")
    )
    return lines
