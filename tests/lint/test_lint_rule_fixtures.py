"""Every rule against its fixture folder, tests/rules/<RULE>/: fail_*.yaml must trigger it at the
locations in their `# expect: RULE LINE:COL [SEVERITY]` header lines (the severity defaults to the
rule's); pass_*.yaml (near misses) must not. A `# profile: interview` header lints in that profile
(default: review, where a practice field the design uses nowhere is one note at 1:1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlsd_diagram import load
from mlsd_diagram.analyses.lint import lint
from mlsd_diagram.analyses.rules import RULES

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
FIXTURES = sorted(RULES_DIR.glob("MLSD*/*.yaml"))


def header(path: Path, key: str) -> list[list[str]]:
    """The words after ``# key:`` on each such header line."""
    return [line.split()[2:] for line in path.read_text().splitlines() if line.startswith(f"# {key}:")]


def expected(path: Path) -> list[tuple[str, str, str]]:
    rule = path.parent.name
    return [
        (words[0], words[1], words[2] if len(words) > 2 else RULES[rule].severity) for words in header(path, "expect")
    ]


def profile(path: Path) -> str:
    found = header(path, "profile")
    return found[0][0] if found else "review"


@pytest.mark.parametrize("path", FIXTURES, ids=[f"{p.parent.name}/{p.stem}" for p in FIXTURES])
def test_fixture(path: Path) -> None:
    rule = path.parent.name
    findings = lint(load(path), select=[rule], profile=profile(path))
    got = [(f.rule, f"{f.line}:{f.column}", f.severity) for f in findings]
    if path.name.startswith("fail_"):
        assert expected(path), f"{path} has no '# expect:' header"
        assert got == expected(path)
        assert all(f.name == RULES[rule].name for f in findings)
    else:
        assert path.name.startswith("pass_"), f"fixture names start with fail_ or pass_: {path}"
        assert got == []
        # a near miss passes in both profiles
        assert lint(load(path), select=[rule], profile="interview") == []


def test_every_rule_has_a_failing_and_a_passing_fixture() -> None:
    for rule in RULES:
        names = [p.name for p in (RULES_DIR / rule.id).glob("*.yaml")]
        assert any(n.startswith("fail_") for n in names), f"{rule.id} has no fail_ fixture"
        assert any(n.startswith("pass_") for n in names), f"{rule.id} has no pass_ fixture"


def test_no_fixture_folder_without_a_rule() -> None:
    assert {p.name for p in RULES_DIR.iterdir() if p.is_dir()} <= set(RULES.ids())
