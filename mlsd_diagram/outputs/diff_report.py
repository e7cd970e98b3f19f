"""A design diff (:func:`mlsd_diagram.analyses.diff.diff_blueprints`) as text, Markdown or JSON.

- text: for the terminal, one line per change, ``+`` added, ``-`` removed, ``~`` changed;
- Markdown: for a pull-request comment: per blueprint a short verdict (findings introduced
  and resolved, latency against the SLO, single points of failure, score), then the details
  in collapsible ``<details>`` blocks. GitHub refuses comments over 65,536 characters, so
  the text stops adding rows at ``max_chars`` and says how many it left out;
- JSON: ``{"version": 1, "diffs": [...]}``, each diff as the library returns it.

Same diffs, same bytes. Blueprint text (labels, data, messages) is escaped for Markdown.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from ..analyses.diff import (
    ComponentItem,
    DesignDiff,
    FieldChange,
    FindingItem,
    LatencyChange,
    LatencyFigures,
    SectionCounts,
)
from ..printable import figure, one_line
from .doc.markdown import code, escape_inline, heading

GITHUB_COMMENT_LIMIT = 65_536
FORMAT_VERSION = 1


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


CELL_CHARS = 120  # a design field's prose (context, summary) cut in a comment's table cell; `mlsd diff` shows it all


def _brief(text: str) -> str:
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1].rstrip() + "…"


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value >= sys.float_info.max:
        return figure(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, dict)):
        if isinstance(value, dict) and ("component" in value or "id" in value):
            return str(value.get("component", value.get("id")))
        return json.dumps(value, ensure_ascii=False) if value else "(none)"
    return str(value)


def _counts(counts: SectionCounts) -> str:
    parts = [f"{n} {what}" for what, n in counts.items() if n]
    return ", ".join(parts)


def _label(item: ComponentItem) -> str:
    return f"{item['id']} ({item['kind']}{', ' + repr(item['label']) if item.get('label') else ''})"


def _field_changes(changes: Iterable[FieldChange]) -> str:
    return "; ".join(f"{c['field']} {_value(c['old'])} -> {_value(c['new'])}" for c in changes)


def _ms(info: LatencyFigures | None) -> str:
    return "none" if info is None else f"{_value(info['p99_ms'])} ms"


def _latency_line(item: LatencyChange) -> str:
    was, now = item["old"], item["new"]
    figures = now or was
    slo = figures["slo_ms"] if figures else None
    budget = f" p99 (SLO {_value(slo)} ms)" if slo is not None else " p99 (no SLO)"
    over_before, over_after = item["over_slo"]
    verdict = ""
    if over_after and not over_before:
        verdict = ": now OVER the SLO"
    elif over_before and not over_after:
        verdict = ": back within the SLO"
    elif over_after:
        verdict = ": still over the SLO"
    path = f"; path {' -> '.join(now['path'])}" if now and (not was or was["path"] != now["path"]) else ""
    return f"latency {item['entry']}: {_ms(was)} -> {_ms(now)}{budget}{verdict}{path}"


def analysis_lines(diff: DesignDiff, arrow: str = "->") -> list[str]:
    """What the analyses compute, before -> after, one plain-text line each (only what changed)."""
    a = diff["analyses"]
    lines = [_latency_line(item) for item in a["latency"]]
    for change, title in (
        (a.get("entry_points"), "entry points"),
        (a.get("single_points_of_failure"), "single points of failure"),
        (a.get("critical"), "critical components"),
    ):
        if change and (change["added"] or change["removed"]):
            parts = [f"+{c}" for c in change["added"]] + [f"-{c}" for c in change["removed"]]
            lines.append(f"{title}: {' '.join(parts)} (now: {', '.join(change['after']) or 'none'})")
    load = a.get("load")
    if load:
        for (old, new), title in (
            (load["headroom"], "load headroom"),
            (load["first_saturated"], "first component to saturate"),
        ):
            if old != new:
                lines.append(f"{title}: {_value(old)} -> {_value(new)}")
    score = a["score"]
    if score["shown"][0] != score["shown"][1] or score["tests"]:
        tests = "; ".join(f"{'+' if t['new'] else '-'}{t['id']} {t['title']}" for t in score["tests"])
        lines.append(
            f"ML Test Score: {score['shown'][0]} -> {score['shown'][1]} of {score['total']} architecture "
            f"tests shown" + (f" ({tests})" if tests else "")
        )
    if score["mlops_level"][0] != score["mlops_level"][1]:
        lines.append(f"MLOps level: {score['mlops_level'][0]} -> {score['mlops_level'][1]}: {score['mlops_reason'][1]}")
    # knock-outs grouped by what they now do to an entry point: one line per (entry, before, after)
    moves: dict[tuple[str, str, str], list[str]] = {}
    for k in a["knock_outs"]:
        for entry, (old, new) in k["entry_points"].items():
            moves.setdefault((entry, old, new), []).append(" + ".join(k["components"]))
    for (entry, old, new), knocked in moves.items():
        lines.append(f"losing {', '.join(knocked)} now leaves {entry} {new} (was {old})")
    return [line.replace(" -> ", f" {arrow} ") for line in lines]


def _finding_line(f: FindingItem) -> str:
    about = f["component"] or f["flow_id"] or "design"
    accepted = f", accepted: {f['reason']}" if f["accepted"] else ""
    return f"{f['rule']} {f['name']} ({f['severity']}{accepted}) {about}: {f['message']}"


def diff_text(diffs: Sequence[DesignDiff]) -> str:
    """The diffs for a terminal: one line per change, whatever line breaks a file name or value holds
    (they are written as visible escapes, so no value can start a line of its own, e.g. a CI log command)."""
    out: list[str] = []
    for diff in diffs:
        summary = diff["summary"]
        out.append(f"{diff['old']} -> {diff['new']}")
        if not summary["changed"] and not diff["findings"]["introduced"] and not diff["findings"]["resolved"]:
            out.append("  no changes")
            continue
        comps, flows = diff["components"], diff["flows"]
        if _counts(summary["components"]):
            out.append(f"Components: {_counts(summary['components'])}")
            out += [f"  + {_label(c)}" + (f"  {c['hint']}" if "hint" in c else "") for c in comps["added"]]
            out += [f"  - {_label(c)}" + (f"  {c['hint']}" if "hint" in c else "") for c in comps["removed"]]
            out += [f"  ~ {c['id']}: {_field_changes(c['changes'])}" for c in comps["changed"]]
        if _counts(summary["flows"]):
            out.append(f"Flows: {_counts(summary['flows'])}")
            for sign, items in (("+", flows["added"]), ("-", flows["removed"])):
                out += [
                    f"  {sign} {f['id']}"
                    + (f": {f['data']}" if f["data"] else "")
                    + (f"  {f['hint']}" if "hint" in f else "")
                    for f in items
                ]
            out += [f"  ~ {f['id']}: {_field_changes(f['changes'])}" for f in flows["changed"]]
        if diff["design"]:
            out.append(f"Design: {_plural(len(diff['design']), 'field')} changed")
            out += [f"  ~ {c['field']}: {_value(c['old'])} -> {_value(c['new'])}" for c in diff["design"]]
        findings = diff["findings"]
        out.append(
            f"Findings: {len(findings['introduced'])} introduced, {len(findings['resolved'])} resolved "
            f"({findings['before']} -> {findings['after']})"
        )
        out += [f"  + {_finding_line(f)}" for f in findings["introduced"]]
        out += [f"  - {_finding_line(f)}" for f in findings["resolved"]]
        analyses = analysis_lines(diff)
        out.append("Analyses:" + ("" if analyses else " no change"))
        out += [f"  {line}" for line in analyses]
    return "\n".join(one_line(line) for line in out) + "\n"


def diff_json(diffs: Sequence[DesignDiff]) -> str:
    """The diffs as one JSON document (2-space indent, trailing newline)."""
    return json.dumps({"version": FORMAT_VERSION, "diffs": list(diffs)}, indent=2, ensure_ascii=False) + "\n"


# -- Markdown -------------------------------------------------------------------------------------


class _Budget:
    """Collects Markdown lines up to a character limit; rows past it are counted, not written."""

    def __init__(self, limit: int) -> None:
        self.limit, self.size, self.left_out = limit, 0, 0
        self.lines: list[str] = []

    def fits(self, text: str, reserve: int = 0) -> bool:
        return self.size + len(text) + 1 + reserve <= self.limit

    def add(self, text: str) -> None:
        self.lines.append(text)
        self.size += len(text) + 1


def _verdict(diff: DesignDiff) -> list[str]:
    """The bullet points a reviewer reads first."""
    s, findings = diff["summary"], diff["findings"]
    items = []
    changed = [
        part
        for part in (
            _counts(s["components"]) and f"components: {_counts(s['components'])}",
            _counts(s["flows"]) and f"flows: {_counts(s['flows'])}",
            s["design"] and f"design fields: {s['design']} changed",
        )
        if part
    ]
    items.append("**Changes:** " + ("; ".join(changed) if changed else "none"))
    worse = [f for f in findings["introduced"] if not f["accepted"]]
    mark = "\u274c" if any(f["severity"] == "error" for f in worse) else ("\u26a0\ufe0f" if worse else "\u2705")
    items.append(
        f"{mark} **Findings:** {len(findings['introduced'])} introduced, {len(findings['resolved'])} "
        f"resolved ({findings['before']} \u2192 {findings['after']})"
    )
    lines = analysis_lines(diff, "\u2192")
    items += [escape_inline(line) for line in lines[:6]]
    if len(lines) > 6:
        items.append(f"{len(lines) - 6} more under Analyses")
    return [f"- {item}" for item in items]


def _sections(diff: DesignDiff) -> list[tuple[str, str, list[str]]]:
    """(summary, table header, rows) of each collapsible block."""
    comps, flows, findings = diff["components"], diff["flows"], diff["findings"]
    blocks = []
    rows = [
        f"| added | {code(c['id'])} | {code(c['kind'])} | {escape_inline(c.get('label') or '')} | "
        f"{escape_inline(c.get('hint', ''))} |"
        for c in comps["added"]
    ]
    rows += [
        f"| removed | {code(c['id'])} | {code(c['kind'])} | {escape_inline(c.get('label') or '')} | "
        f"{escape_inline(c.get('hint', ''))} |"
        for c in comps["removed"]
    ]
    rows += [
        f"| changed | {code(c['id'])} | | | {escape_inline(_field_changes(c['changes']))} |" for c in comps["changed"]
    ]
    if rows:
        blocks.append(
            (
                f"Components: {_counts(diff['summary']['components'])}",
                "| change | component | kind | label | details |\n|---|---|---|---|---|",
                rows,
            )
        )
    rows = []
    for key, items in (("added", flows["added"]), ("removed", flows["removed"])):
        rows += [
            f"| {key} | {code(f['id'])} | {escape_inline(f['data'] or '')} | {escape_inline(f.get('hint', ''))} |"
            for f in items
        ]
    # a changed flow's data, when it changed, is among its changes: the data cell stays empty
    rows += [
        f"| changed | {code(f['id'])} |  | {escape_inline(_field_changes(f['changes']))} |" for f in flows["changed"]
    ]
    if rows:
        blocks.append(
            (
                f"Flows: {_counts(diff['summary']['flows'])}",
                "| change | flow | data | details |\n|---|---|---|---|",
                rows,
            )
        )
    if diff["design"]:
        blocks.append(
            (
                f"Design: {_plural(len(diff['design']), 'field')} changed",
                "| field | before | after |\n|---|---|---|",
                [
                    f"| {code(c['field'])} | {escape_inline(_brief(_value(c['old'])))} | "
                    f"{escape_inline(_brief(_value(c['new'])))} |"
                    for c in diff["design"]
                ],
            )
        )
    rows = [
        f"| {mark} | {code(f['rule'])} {escape_inline(f['name'])} | {f['severity']}"
        f"{' (accepted)' if f['accepted'] else ''} | {code(f['component'] or f['flow_id'] or 'design')} | "
        f"{escape_inline(f['message'])} |"
        for mark, items in (("introduced", findings["introduced"]), ("resolved", findings["resolved"]))
        for f in items
    ]
    if rows:
        blocks.append(
            (
                f"Findings: {len(findings['introduced'])} introduced, {len(findings['resolved'])} resolved",
                "| | rule | severity | about | message |\n|---|---|---|---|---|",
                rows,
            )
        )
    analyses = analysis_lines(diff, "\u2192")
    if analyses:
        blocks.append(("Analyses: before \u2192 after", "", [f"- {escape_inline(line)}" for line in analyses]))
    return blocks


def diff_markdown(
    diffs: Sequence[DesignDiff], max_chars: int = GITHUB_COMMENT_LIMIT, title: str = "Design review"
) -> str:
    """The diffs as Markdown for a pull-request comment, at most ``max_chars`` characters.

    Rows that do not fit are left out and counted ("… N more rows not shown"); the
    ``<details>`` blocks are always closed, so the comment stays well formed.
    """
    note_room = 160  # the closing "not shown" note, kept free until the end
    budget = _Budget(max_chars - note_room)
    budget.add(f"### mlsd: {escape_inline(title)}")
    skipped_files = 0
    for diff in diffs:
        new, old = one_line(diff["new"]), one_line(diff["old"])  # a file name's line breaks shown, not flattened
        head = [f"#### {heading(new)}", "", f"Compared with {code(old)}.", "", *_verdict(diff), ""]
        frame = "\n".join(head)
        if not budget.fits(frame, reserve=200):
            skipped_files += 1
            continue
        for line in head:
            budget.add(line)
        for summary, header, rows in _sections(diff):
            opening = [f"<details><summary>{escape_inline(summary)}</summary>", ""] + ([header] if header else [])
            closing = ["", "</details>", ""]
            if not budget.fits("\n".join(opening + closing), reserve=0):
                budget.left_out += len(rows)
                continue
            for line in opening:
                budget.add(line)
            closing_size = len("\n".join(closing)) + 1
            for i, row in enumerate(rows):
                if not budget.fits(row, reserve=closing_size):
                    budget.left_out += len(rows) - i
                    break
                budget.add(row)
            for line in closing:
                budget.add(line)
    if not diffs:
        budget.add("No blueprint changed.")
    notes = []
    if budget.left_out:
        notes.append(f"{_plural(budget.left_out, 'more row')}")
    if skipped_files:
        notes.append(f"{_plural(skipped_files, 'more blueprint')}")
    if notes:
        budget.lines.append(
            f"\u2026 {' and '.join(notes)} not shown (GitHub's comment limit); run `mlsd diff` for the whole report."
        )
    return "\n".join(budget.lines).rstrip("\n") + "\n"
