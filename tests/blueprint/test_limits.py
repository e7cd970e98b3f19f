"""The resource budget (mlsd_diagram/blueprint/limits.py) is enforced with located errors, all at once."""

from __future__ import annotations

import pytest
from mlsd_testing import run_mlsd

from mlsd_diagram.blueprint.limits import LIMITS


def _blueprint(
    components: int, groups: int, flows: int = 0, accepts: int = 0, disabled: int = 0, bad: bool = False
) -> str:
    comps = "".join(f"  c{i}: {{kind: online_service, group: g{i % groups}}}\n" for i in range(components))
    flow_rows = "  - {from: c0, to: c1, mode: stream}\n" * flows + (
        "  - {from: c0, to: c1, bad: field}\n" if bad else ""
    )
    accept_rows = "".join("    - {rule: MLSD101, reason: r}\n" for _ in range(accepts))
    lint = f"lint:\n  disable: [{', '.join(['MLSD101'] * disabled)}]\n  accept:\n{accept_rows}" if accepts else ""
    return f"mlsd: 1\nname: Budget\ncomponents:\n{comps}flows:\n{flow_rows or '  []'}\n{lint}"


def test_the_limits_hold_at_their_values(tmp_path):
    path = tmp_path / "at.yaml"
    path.write_text(_blueprint(LIMITS.components, LIMITS.groups))
    result = run_mlsd("validate", str(path))
    assert result.returncode == 0, result.stderr


def test_every_count_over_its_limit_is_a_located_error_in_one_run(tmp_path):
    path = tmp_path / "over.yaml"
    path.write_text(
        _blueprint(LIMITS.components + 1, LIMITS.groups + 1, accepts=2, disabled=LIMITS.disabled + 1, bad=True)
    )
    result = run_mlsd("validate", str(path))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    first_over_group = LIMITS.groups + 4  # the line of c1000, which brings in group 1,001
    assert any(line.startswith(f"{path}:{first_over_group}:") and "more than 1,000 groups" in line for line in lines)
    assert any(
        f"{path}:{LIMITS.components + 4}:3: error: 10,001 components are declared; at most 10,000" in line
        for line in lines
    ), lines
    assert any("1,001 disabled rules are declared; at most 1,000" in line for line in lines)
    assert any("unknown field 'bad'" in line for line in lines)  # the other errors come in the same run


@pytest.mark.parametrize("field, limit", [("flows", LIMITS.flows), ("accept", LIMITS.accepts)])
def test_flows_and_acceptances_have_limits(tmp_path, field, limit):
    path = tmp_path / "many.yaml"
    if field == "flows":
        path.write_text(_blueprint(2, 1, flows=limit + 1))
        words = f"{limit + 1:,} flows are declared"
    else:
        path.write_text(_blueprint(2, 1, accepts=limit + 1))
        words = f"{limit + 1:,} accepted findings are declared"
    result = run_mlsd("validate", str(path), timeout=300, cpu_seconds=240)
    assert result.returncode == 2 and words in result.stderr, result.stderr[-500:]


@pytest.mark.parametrize("field, limit", [("flows", LIMITS.flows), ("accept", LIMITS.accepts)])
def test_reading_stops_at_twice_a_limit(tmp_path, field, limit):
    """Past twice its limit a list is not read on: the 168k flows first reported cost no more than the limit."""
    path = tmp_path / "huge.yaml"
    if field == "flows":
        path.write_text(_blueprint(2, 1, flows=2 * limit + 1000))
        line, col, words = 7 + 2 * limit, 5, f"more than {2 * limit:,} flows are declared, twice the limit of {limit:,}"
    else:
        path.write_text(_blueprint(2, 1, accepts=2 * limit + 1000))
        line, col = 11 + 2 * limit, 7  # after flows: [], lint:, disable: [] and accept:
        words = f"more than {2 * limit:,} accepted findings are declared, twice the limit of {limit:,}"
    result = run_mlsd("validate", str(path), timeout=300, cpu_seconds=240)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"{path}:{line}:{col}: error: {words}; reading stops here (the resource "
        "limits are listed in the docs, Security)"
    ], result.stderr[-500:]


def test_one_component_with_550000_unknown_fields_is_one_located_error(tmp_path):
    """8 MB of one-line unknown fields (issue 23): once 550,000 errors, each with its own "did you
    mean" index (105 s); now reading stops at the field past FIELDS_PER_MAPPING."""
    from mlsd_diagram.blueprint.limits import FIELDS_PER_MAPPING

    path = tmp_path / "fields.yaml"
    fields = "".join(f"    f{i}: 1\n" for i in range(550_000))
    path.write_text(f"mlsd: 1\nname: Fields\ncomponents:\n  c:\n    kind: online_service\n{fields}")
    assert path.stat().st_size < 8 * 2**20  # within the file limit
    result = run_mlsd("validate", str(path), cpu_seconds=20)
    assert result.returncode == 2
    first_line_over = 5 + FIELDS_PER_MAPPING  # `kind` (line 5) is the first field
    assert result.stderr.splitlines() == [
        f"{path}:{first_line_over}:5: error: more than {FIELDS_PER_MAPPING:,} fields in one mapping; reading stops "
        "here (the resource limits are listed in the docs, Security)"
    ]


def test_a_list_of_every_item_beyond_the_list_limit_is_one_located_error(tmp_path):
    from mlsd_diagram.blueprint.limits import ITEMS_PER_LIST

    path = tmp_path / "tags.yaml"
    tags = "".join(f"      - t{i}\n" for i in range(ITEMS_PER_LIST + 5))
    path.write_text(f"mlsd: 1\nname: Tags\ncomponents:\n  c:\n    kind: online_service\n    tags:\n{tags}")
    result = run_mlsd("validate", str(path), cpu_seconds=20)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"{path}:{7 + ITEMS_PER_LIST}:9: error: more than {ITEMS_PER_LIST:,} items in one list; reading stops "
        "here (the resource limits are listed in the docs, Security)"
    ]


def test_unknown_fields_share_one_suggestion_index(monkeypatch):
    """Every "unknown field" error of a file looks its hint up in one index per set of names."""
    from mlsd_diagram import diagnostics, loads
    from mlsd_diagram.diagnostics import BlueprintError

    built = []
    original = diagnostics.Suggestions.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(diagnostics.Suggestions, "__init__", counting)
    comps = "".join(f"  c{i}: {{kind: online_service, lable: x, tehc: y}}\n" for i in range(300))
    with pytest.raises(BlueprintError) as raised:
        loads(f"mlsd: 1\nname: Typos\ncomponents:\n{comps}", name="typos.yaml")
    messages = [d.message for d in raised.value.diagnostics]
    assert len(messages) == 600
    assert "unknown field 'lable' in component 'c0'; did you mean 'label'?" in messages
    assert "unknown field 'tehc' in component 'c299'; did you mean 'tech'?" in messages
    assert len(built) <= 2, len(built)


def test_a_blueprint_that_is_a_fifo_is_refused_without_blocking(tmp_path):
    """`open` of a FIFO waits for a writer: `mlsd validate FIFO` used to hang until killed."""
    import os

    os.mkfifo(tmp_path / "pipe.yaml")
    result = run_mlsd("validate", "pipe.yaml", cwd=tmp_path, timeout=30)
    assert result.returncode == 2
    assert result.stderr == (
        "pipe.yaml:1:1: error: not a regular file (a FIFO); blueprints are read from regular files only\n"
    )
