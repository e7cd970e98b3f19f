"""The baseline file read in-process (`analyses/baseline.py`): each entry's fields, each refusal's
message and exact position, and the one-to-one matching with old (pre-flow_id) entries.

tests/lint/test_lint_baseline.py runs `mlsd lint --baseline` in a subprocess, which mutation testing
(`make mutate`) cannot see; this file pins the same behaviour where it can."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlsd_diagram.analyses.baseline import (
    MAX_BASELINE_BYTES,
    MAX_DIGITS,
    BaselineEntry,
    BaselineError,
    in_baseline,
    load_baseline,
)
from mlsd_diagram.analyses.findings import Finding
from mlsd_diagram.blueprint.located import MAX_DEPTH

WRITE_ONE = "write one with `mlsd lint FILES --format json -o BASELINE`"


def _write(tmp_path: Path, content: str | bytes, name: str = "baseline.json") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _refusal(path: Path) -> tuple[str, str, int, int]:
    with pytest.raises(BaselineError) as caught:
        load_baseline(path)
    error = caught.value
    return str(error), error.file, error.line, error.column


def test_each_entry_keeps_rule_file_message_component_and_flow_id(tmp_path: Path) -> None:
    findings = [
        # every field, a file spelled the long way round, a line and index that are not kept
        {
            "rule": "MLSD103",
            "file": "./designs/../designs/a.yaml",
            "message": "m1",
            "component": "c",
            "flow": 3,
            "flow_id": "a -> b (batch)",
            "line": 5,
        },
        # a component or flow_id that is not a string is no component or flow_id; flow_id present: not legacy
        {"rule": "MLSD2", "file": "a.yaml", "message": "m2", "component": 7, "flow": 2, "flow_id": None},
        # a flow finding written before findings carried flow_id
        {"rule": "MLSD3", "file": "a.yaml", "message": "m3", "flow": 0},
        # no flow: a design-wide finding, not legacy
        {"rule": "MLSD4", "file": "b.yaml", "message": "m4", "flow": None, "flow_id": 5},
    ]
    path = _write(tmp_path, "\ufeff" + json.dumps({"version": 1, "findings": findings}))
    assert load_baseline(path) == [
        BaselineEntry("MLSD103", "designs/a.yaml", "m1", "c", "a -> b (batch)", False),
        BaselineEntry("MLSD2", "a.yaml", "m2", None, None, False),
        BaselineEntry("MLSD3", "a.yaml", "m3", None, None, True),
        BaselineEntry("MLSD4", "b.yaml", "m4", None, None, False),
    ]
    assert load_baseline(str(_write(tmp_path, '{"findings": []}', "empty.json"))) == []


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[]", ("no 'findings' list; " + WRITE_ONE, 1, 1)),
        ('{"findings": {}}', ("no 'findings' list; " + WRITE_ONE, 1, 1)),
        ('{"findings": [1]}', ("finding 0 needs 'rule', 'file' and 'message' strings", 1, 1)),
        (
            '{"findings": [{"rule": "R", "file": "f", "message": "m"}, {"file": "f", "message": "m"}]}',
            ("finding 1 needs 'rule', 'file' and 'message' strings", 1, 1),
        ),
        (
            '{"findings": [{"rule": "R", "message": "m"}]}',
            ("finding 0 needs 'rule', 'file' and 'message' strings", 1, 1),
        ),
        ('{"findings": [{"rule": "R", "file": "f"}]}', ("finding 0 needs 'rule', 'file' and 'message' strings", 1, 1)),
        (
            '{"findings": [{"rule": "R", "file": "f", "message": 1}]}',
            ("finding 0 needs 'rule', 'file' and 'message' strings", 1, 1),
        ),
        (
            '{\n  "findings": [\n    {not json',
            ("not JSON (Expecting property name enclosed in double quotes); " + WRITE_ONE, 3, 6),
        ),
        ("", ("not JSON (Expecting value); " + WRITE_ONE, 1, 1)),
        # a BOM is skipped, once
        ("\ufeff\ufeff[]", ("not JSON (Unexpected UTF-8 BOM (decode using utf-8-sig)); " + WRITE_ONE, 1, 1)),
        # bytes that are not UTF-8: the line and column of the first one
        (b'{"findings":\n  [\xff]}', ("not UTF-8 text; " + WRITE_ONE, 2, 4)),
        (b'\xff{"findings": []}', ("not UTF-8 text; " + WRITE_ONE, 1, 1)),
    ],
)
def test_a_bad_baseline_names_its_reason_and_place(
    tmp_path: Path, content: str | bytes, expected: tuple[str, int, int]
) -> None:
    path = _write(tmp_path, content)
    assert _refusal(path) == (expected[0], str(path), expected[1], expected[2])


def test_nesting_too_deep_is_placed_where_it_passes_the_limit(tmp_path: Path) -> None:
    # line 1 is empty. Depth 1 at `{`; the string's brackets do not count; `[[]]` closes what it opens
    # (back to 1), `findings: [` is depth 2, `[[]]` inside it is back to 2, so the run's first bracket is
    # depth 3 and depth MAX_DEPTH + 1 its (MAX_DEPTH - 1)th. Line breaks after it change nothing.
    head = '{"s": "[[[{", "x": [[]], "findings": [[[]], '
    path = _write(tmp_path, "\n" + head + "[" * 100_000 + "\n\n")
    expected = (f"nesting is deeper than {MAX_DEPTH} levels; {WRITE_ONE}", str(path), 2, len(head) + MAX_DEPTH - 1)
    assert _refusal(path) == expected


@pytest.mark.parametrize(
    "number",
    [
        "7" * (MAX_DIGITS + 1),
        "-" + "7" * (MAX_DIGITS + 1),
        "1." + "0" * (MAX_DIGITS + 8) + "1",  # MAX_DIGITS + 11 characters
    ],
)
def test_a_number_too_long_is_placed_at_that_number(tmp_path: Path, number: str) -> None:
    # line 1 is empty; on line 2 the longest whole and real numbers read, and a long number inside a
    # string; the refused number is on line 3, column 7, and line breaks follow it
    longest = f'{{"a": -{"1" * MAX_DIGITS}, "b": 1.{"0" * (MAX_DIGITS + 7)}, "s": "{"9" * 50}", "findings": [],\n'
    path = _write(tmp_path, "\n" + longest + f' "n": {number}}}\n\n')
    assert _refusal(path) == (f"a number longer than {MAX_DIGITS} digits; {WRITE_ONE}", str(path), 3, 7)


def test_the_longest_numbers_are_read(tmp_path: Path) -> None:
    # whole numbers of MAX_DIGITS digits, signed or not; real numbers of MAX_DIGITS + 10 characters, with
    # a point or only an exponent (e or E)
    real = "-1." + "0" * (MAX_DIGITS + 7)
    exponents = ["1e" + "0" * (MAX_DIGITS + 7) + "1", "1E" + "0" * (MAX_DIGITS + 7) + "1"]
    assert {len(real), *map(len, exponents)} == {MAX_DIGITS + 10}
    numbers = ", ".join(
        f'"n{i}": {n}' for i, n in enumerate([f"-{'1' * MAX_DIGITS}", "2" * MAX_DIGITS, real, *exponents])
    )
    assert load_baseline(_write(tmp_path, f'{{{numbers}, "findings": []}}')) == []


def test_a_baseline_that_cannot_be_read_says_why(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    assert _refusal(missing) == ("cannot read file: No such file or directory", str(missing), 1, 1)
    assert _refusal(tmp_path) == (
        "not a regular file (a folder); baselines are read from regular files only",
        str(tmp_path),
        1,
        1,
    )
    large = tmp_path / "large.json"
    with large.open("wb") as handle:  # sparse: no disk or memory spent
        handle.truncate(MAX_BASELINE_BYTES + 1)
    assert _refusal(large) == ("file is 32.0 MiB; baselines are limited to 32 MiB", str(large), 1, 1)
    at_limit = tmp_path / "at_limit.json"
    with at_limit.open("wb") as handle:
        handle.write(b'{"findings": []}')
        handle.truncate(MAX_BASELINE_BYTES)  # NUL bytes after the document: read, then refused as JSON
    message, _, line, column = _refusal(at_limit)
    assert (message, line, column) == ("not JSON (Extra data); " + WRITE_ONE, 1, 17)


def test_a_baseline_error_is_a_value_error_with_a_place() -> None:
    error = BaselineError("why", "f.json", 3, 4)
    assert isinstance(error, ValueError)
    assert (str(error), error.file, error.line, error.column) == ("why", "f.json", 3, 4)
    default = BaselineError("why")
    assert (default.file, default.line, default.column) == ("", 1, 1)


def _flow_finding(message: str, flow_id: str | None, component: str | None = None, file: str = "d.yaml") -> Finding:
    return Finding("MLSD103", "unlabeled-flow", "warning", message, file, 9, 5, component, 0, flow_id=flow_id)


def test_entries_match_by_rule_file_component_flow_and_message_never_the_line() -> None:
    finding = _flow_finding("m", "a -> b (batch)", "a", "./x/../d.yaml")
    entry = BaselineEntry("MLSD103", "d.yaml", "m", "a", "a -> b (batch)")
    assert in_baseline([finding], [entry]) == [True]
    for other in (
        BaselineEntry("MLSD104", "d.yaml", "m", "a", "a -> b (batch)"),
        BaselineEntry("MLSD103", "e.yaml", "m", "a", "a -> b (batch)"),
        BaselineEntry("MLSD103", "d.yaml", "other", "a", "a -> b (batch)"),
        BaselineEntry("MLSD103", "d.yaml", "m", "b", "a -> b (batch)"),
        BaselineEntry("MLSD103", "d.yaml", "m", "a", "a -> b (batch) #2"),
        BaselineEntry("MLSD103", "d.yaml", "m", "a", None),
    ):
        assert in_baseline([finding], [other]) == [False], other
    # one to one, in either order: two equal findings need two entries
    assert in_baseline([finding, finding], [entry]) == [True, False]
    assert in_baseline([finding, finding], iter([entry, entry])) == [True, True]


def test_an_entry_without_flow_id_matches_a_flow_finding_left_over_by_message() -> None:
    first, second = _flow_finding("m", "a -> b (batch)"), _flow_finding("m", "a -> b (batch) #2")
    design_wide = _flow_finding("m", None)
    legacy = BaselineEntry("MLSD103", "d.yaml", "m", legacy_flow=True)
    current = BaselineEntry("MLSD103", "d.yaml", "m", None, "a -> b (batch)")
    # the legacy entry takes the flow finding the current entry left over, not the one it matched
    assert in_baseline([first, second], [current, legacy]) == [True, True]
    assert in_baseline([first, second], [legacy]) == [True, False]
    assert in_baseline([second, first], [legacy, current]) == [True, True]
    # a legacy entry is for flow findings only, and its message still counts
    assert in_baseline([design_wide], [legacy]) == [False]
    assert in_baseline([_flow_finding("n", "a -> b (batch)")], [legacy]) == [False]
    assert in_baseline([_flow_finding("m", "a -> b (batch)", file="e.yaml")], [legacy]) == [False]
    # a legacy entry matches only one finding, and never the same one twice
    assert in_baseline([first, second], [legacy, legacy]) == [True, True]
    assert in_baseline([first], [legacy, legacy, current]) == [True]
    assert in_baseline([], [legacy]) == []
    # a design-wide finding is matched by a current entry without a flow, not a legacy one
    assert in_baseline([design_wide], [BaselineEntry("MLSD103", "d.yaml", "m")]) == [True]


def test_a_legacy_entry_is_read_from_a_file_and_matches_a_flow_finding(tmp_path: Path) -> None:
    findings = [{"rule": "MLSD103", "file": "d.yaml", "message": "m", "flow": 4, "line": 70}]
    entries = load_baseline(_write(tmp_path, json.dumps({"findings": findings})))
    assert in_baseline([_flow_finding("m", "x -> y (batch) #3")], entries) == [True]
