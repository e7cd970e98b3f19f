"""The practice scorecard as text (the terminal) and as one self-contained HTML page.

Both read :class:`~mlsd_diagram.practice.scorecard.Scorecard` and compute nothing: points, evidence,
follow-up questions and the reference's parts come from the grader. Every text from a blueprint
reaches the HTML through :func:`html.escape`.
"""

from __future__ import annotations

import sys
from html import escape

from ..practice.scorecard import NOT_ASKED, Scorecard
from ..printable import NEVER

_MARK = {True: "[x]", False: "[ ]"}


def _ms(value: float | None) -> str:
    return "unknown" if value is None else f"{NEVER if value >= sys.float_info.max else format(value, 'g')} ms"


def serving_lines(card: Scorecard) -> list[str]:
    """The serving numbers as sentences (shared by the text and the HTML)."""
    s = card.serving
    lines = []
    for e in s.latency:
        within = "" if e.within_slo is None else (" (within)" if e.within_slo else " (over)")
        slo = f" against a {_ms(e.slo_ms)} SLO{within}" if e.slo_ms is not None else ""
        unknown = f"; no latency declared by {', '.join(e.unknown_latency)}" if e.unknown_latency else ""
        lines.append(f"'{e.entry}': p99 {_ms(e.p99_ms)}{slo}{unknown}; {e.state_at_peak} at the declared peak")
    if s.headroom is not None:
        lines.append(f"Headroom: {s.headroom:g}x the peak before '{s.first_saturated}' saturates")
    if s.unknown_capacity:
        lines.append("No capacity declared by " + ", ".join(f"'{c}'" for c in s.unknown_capacity))
    for k in s.knock_outs:
        states = ", ".join(f"'{e}' {state}" for e, state in k.entry_points.items()) or "no entry point affected"
        lines.append(f"Knock out '{k.component}': {states}")
    if not s.latency:
        lines.append("No entry point sends requests: there is no request path to measure.")
    return lines


def scorecard_text(card: Scorecard) -> str:
    """The scorecard as plain text, one check a line, follow-ups indented under it."""
    out = [
        f"{card.file}: practice case {card.case} ({card.title}): {card.points} of {card.max_points} points "
        f"({card.percent:g}%)",
    ]
    for step in card.steps:
        out += ["", f"{step.number}. {step.title} ({step.minutes} min): {step.points}/{step.max_points}"]
        for c in step.checks:
            mark = _MARK[c.passed] if c.applies else "[-]"
            evidence = f": {', '.join(c.evidence)}" if c.evidence and c.applies else ""
            graded = "" if c.applies else " (not graded for this case)"
            out.append(f"  {mark} {c.title}{graded}{evidence}")
            if c.follow_up:
                out.append(f"      ask: {c.follow_up}")
            if c.reference is not None and c.applies:
                out.append(f"      reference: {', '.join(c.reference) or '-'}")
    asked = [m for m in card.failure_modes if m.status != NOT_ASKED]
    covered = sum(m.points for m in asked)
    out += ["", f"Failure modes: {covered} of {len(asked)} covered"]
    for m in card.failure_modes:
        out.append(f"  [{m.status}] {m.question}")
        out += [f"      ask: {q}" for q in m.follow_ups]
        if m.reference is not None and m.status != NOT_ASKED:
            out += [f"      reference: {a}" for a in m.reference] or ["      reference: -"]
    out += ["", "Serving"] + [f"  {line}" for line in serving_lines(card)]
    lint = card.lint
    count = f"{len(lint.findings)} finding{'' if len(lint.findings) == 1 else 's'}"
    out += ["", f"Lint (profile: {lint.profile}; {lint.note}): {count}"]
    for f in lint.findings:
        accepted = " [accepted]" if f.accepted else ""
        out.append(f"  {card.file}:{f.line}:{f.column}: {f.rule} {f.name} ({f.severity}){accepted}: {f.message}")
    if not card.revealed:
        out += ["", "Run again with --reveal to see the reference design's part beside each check."]
    return "\n".join(out) + "\n"


_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:64rem;padding:0 1rem;color:#1d2430}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}
table{border-collapse:collapse;width:100%}td,th{border-top:1px solid #dde2ea;padding:.35rem .5rem;
text-align:left;vertical-align:top}.pass{color:#146c2e}.fail{color:#a1261b}.na{color:#6b7585}
.ask{font-style:italic}.ref{color:#34507a}.muted{color:#6b7585}
"""


def _li(items: list[str], cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return "".join(f"<li{attr}>{escape(i)}</li>" for i in items)


def scorecard_html(card: Scorecard) -> str:
    """The scorecard as one HTML page with its style inline (no script, no network)."""
    title = f"Practice scorecard: {card.title}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p id="total"><strong>{card.points} of {card.max_points} points ({card.percent:g}%)</strong> '
        f'<span class="muted">{escape(card.file)}, case {escape(card.case)}</span></p>',
    ]
    for step in card.steps:
        parts.append(
            f'<h2 id="step-{step.number}">{step.number}. {escape(step.title)} '
            f'<span class="muted">({step.minutes} min)</span>: {step.points}/{step.max_points}</h2>'
        )
        head = "<th>check</th><th>your design</th>" + ("<th>reference</th>" if card.revealed else "")
        parts.append(f"<table><tr>{head}</tr>")
        for c in step.checks:
            cls = "na" if not c.applies else "pass" if c.passed else "fail"
            mark = "not graded" if not c.applies else "yes" if c.passed else "no"
            mine = escape(", ".join(c.evidence)) if c.evidence else ""
            ask = f'<div class="ask">{escape(c.follow_up)}</div>' if c.follow_up else ""
            row = (
                f'<tr class="{cls}" data-check="{escape(c.id)}"><td>{escape(c.title)} ({mark})</td><td>{mine}{ask}</td>'
            )
            if card.revealed:
                row += f'<td class="ref">{escape(", ".join(c.reference or []))}</td>'
            parts.append(row + "</tr>")
        parts.append("</table>")
    parts.append('<h2 id="failure-modes">Failure modes</h2><table>')
    for m in card.failure_modes:
        cls = "na" if m.status == NOT_ASKED else "pass" if m.points else "fail"
        ref = f'<ul class="ref">{_li(m.reference)}</ul>' if m.reference else ""
        parts.append(
            f'<tr class="{cls}" data-mode="{escape(m.key)}"><td>{escape(m.question)}</td><td>{escape(m.status)}'
            f"<ul>{_li(m.follow_ups, 'ask')}</ul>{ref}</td></tr>"
        )
    parts.append("</table>")
    parts.append(f'<h2 id="serving">Serving</h2><ul>{_li(serving_lines(card))}</ul>')
    lint = card.lint
    findings = [f"{f.line}:{f.column} {f.rule} {f.name} ({f.severity}): {f.message}" for f in lint.findings]
    parts.append(
        f'<h2 id="lint">Lint</h2><p class="muted">profile {escape(lint.profile)}: {escape(lint.note)}</p>'
        f"<ul>{_li(findings)}</ul>"
    )
    parts.append("</body></html>\n")
    return "\n".join(parts)


__all__ = ["scorecard_html", "scorecard_text", "serving_lines"]
