#!/usr/bin/env python3
"""Lint precision on published systems nobody here designed (tests/real/*.yaml).

Each blueprint there was written from a company's public engineering write-up, with the facts the
write-up does not give left blank; tests/real/reviewed.yaml judges every finding (wrong, open or
right, with a reason). For each system this prints the findings by severity in both profiles and
the findings judged wrong; then the starters and bundled blueprints in the default profile.

    python benchmarks/precision.py              # the default (review) profile, judged
    python benchmarks/precision.py --all        # also list every finding with its verdict

Targets (tests/real/test_precision.py): at most 2 wrong findings per published system, no
unreviewed finding; every starter and bundled blueprint 0 errors and at most 2 warnings.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlsd_diagram import load  # noqa: E402
from mlsd_diagram.analyses.findings import Finding  # noqa: E402
from mlsd_diagram.analyses.lint import counts, lint  # noqa: E402

REAL = ROOT / "tests" / "real"
REVIEWED = REAL / "reviewed.yaml"
SYSTEMS = sorted(REAL.glob("*.yaml"))
SYSTEMS = [p for p in SYSTEMS if p != REVIEWED]
OWN = [
    *sorted((ROOT / "blueprints").glob("*.yaml")),
    *sorted((ROOT / "mlsd_diagram" / "starters" / "blueprints").glob("*.yaml")),
]
MAX_WRONG = 2
MAX_WARNINGS = 2


@dataclass(frozen=True)
class Verdict:
    """A reviewer's judgement of one finding."""

    rule: str
    about: str  # a component id, a flow "from -> to (mode)", or "design"
    verdict: str  # wrong, open or right
    reason: str


def about(finding: Finding) -> str:
    """What a finding is about, as reviewed.yaml names it."""
    return finding.component or finding.flow_id or "design"


def verdicts() -> dict[str, list[Verdict]]:
    """reviewed.yaml: file name -> its verdicts."""
    data = yaml.safe_load(REVIEWED.read_text(encoding="utf-8")) or {}
    return {name: [Verdict(**entry) for entry in entries] for name, entries in data.items()}


@dataclass(frozen=True)
class Judged:
    """One system's findings with their verdicts, and what the review list holds that no finding matches."""

    findings: list[tuple[Finding, Verdict | None]]
    stale: list[Verdict]

    def wrong(self) -> list[tuple[Finding, Verdict]]:
        return [(f, v) for f, v in self.findings if v is not None and v.verdict == "wrong"]

    def unreviewed(self) -> list[Finding]:
        return [f for f, v in self.findings if v is None]


def judge(path: Path, reviewed: Iterable[Verdict], profile: str = "review") -> Judged:
    """Lint ``path`` and pair each finding with its verdict (by rule and what it is about)."""
    entries = list(reviewed)
    index = {(v.rule, v.about): v for v in entries}
    findings = lint(load(path), profile=profile)
    paired = [(f, index.get((f.rule, about(f)))) for f in findings]
    used = {(f.rule, about(f)) for f in findings}
    return Judged(paired, [v for v in entries if (v.rule, v.about) not in used])


def _summary(findings: list[Finding]) -> str:
    c = counts(findings)
    return ", ".join(f"{c[s]} {s}{'' if c[s] == 1 else 's'}" for s in ("error", "warning", "note"))


def main(argv: list[str]) -> int:
    show_all = "--all" in argv
    reviewed = verdicts()
    print(f"published systems (tests/real, reviewed in {REVIEWED.relative_to(ROOT)}):")
    for path in SYSTEMS:
        judged = judge(path, reviewed.get(path.name, []))
        interview = lint(load(path), profile="interview")
        found = [f for f, _ in judged.findings]
        tally = {
            v: sum(1 for _, x in judged.findings if x is not None and x.verdict == v)
            for v in ("wrong", "open", "right")
        }
        print(
            f"  {path.name}: review {_summary(found)} ({len(found)}); interview {_summary(interview)} "
            f"({len(interview)}); judged {tally['wrong']} wrong, {tally['open']} open, {tally['right']} right, "
            f"{len(judged.unreviewed())} unreviewed"
        )
        for finding, verdict in judged.findings:
            if show_all or verdict is None or verdict.verdict == "wrong":
                said = "UNREVIEWED" if verdict is None else f"{verdict.verdict}: {verdict.reason}"
                print(f"    {finding.rule} {finding.severity} {about(finding)}: {said}")
        for verdict in judged.stale:
            print(f"    STALE review entry {verdict.rule} {verdict.about}: no such finding any more")
    print("starters and bundled blueprints (default profile):")
    for path in OWN:
        print(f"  {path.relative_to(ROOT)}: {_summary(lint(load(path)))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
