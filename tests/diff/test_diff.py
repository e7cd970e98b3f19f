"""`mlsd diff`: pairs of real blueprints (the news feed, edited), each with exactly the changes and finding
deltas expected; the text, Markdown and JSON reports; REV:PATH and --git on real git repositories."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from mlsd_testing import ROOT, git, run_mlsd

from mlsd_diagram import load, loads
from mlsd_diagram.analyses.diff import diff_blueprints, introduced_failures
from mlsd_diagram.analyses.lint import lint
from mlsd_diagram.outputs.diff_report import diff_json, diff_markdown, diff_text

# the news feed with service times constant at their p99 (no latency_p50_ms, no workers): exact sums of p99s
NEWS = (ROOT / "tests" / "lint" / "data" / "news_feed_constant.yaml").read_text(encoding="utf-8").partition("\n")[2]


def _edit(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text


def _drop(text: str, *starts: str) -> str:
    """``text`` without the YAML entries whose first line contains one of ``starts``, continuation lines
    (indented deeper than that first line) included: a flow or component may span several lines."""
    kept: list[str] = []
    dropping: int | None = None  # the indentation of the entry being dropped
    for line in text.splitlines(keepends=True):
        indent = len(line) - len(line.lstrip(" "))
        if dropping is not None and line.strip() and indent > dropping:
            continue
        dropping = None
        if any(start in line for start in starts):
            dropping = indent
            continue
        kept.append(line)
    return "".join(kept)


def without_cache() -> str:
    """The news feed with its last-served-feed cache and the three flows to it removed."""
    text = _drop(NEWS, "  feed_cache: {", "to: feed_cache,")
    assert "feed_cache" not in text and text.count("\n") == NEWS.count("\n") - 2 - 2 - 1 - 1
    return text


def renamed() -> str:
    """The re-ranker renamed to policy_reranker everywhere."""
    return re.sub(r"\breranker\b", "policy_reranker", NEWS)


def mode_changed() -> str:
    """Real-time counters reach the feature store in batches instead of a stream."""
    return _edit(
        NEWS,
        ("{from: stream_features, to: features, mode: stream", "{from: stream_features, to: features, mode: batch"),
    )


def slower_ranker() -> str:
    """The ranker's p99 goes from 45 ms to 200 ms, and the three timeouts that bounded the wait for it are raised
    (feed_service -> ranker 80 -> 250 ms, gateway -> feed_service 190 -> 390 ms, app -> gateway 195 -> 400 ms):
    the request path now takes 284 ms, over the 200 ms SLO.

    By hand (a call costs min(callee latency, timeout_ms); steps add up, a step costs its slowest call):
    ranker 200 + features min(8, 15) = 208; feed_service 15 + step 1 max(ab_assignment 2, feed_cache 3) = 3
    + step 2 max(inbox 8, candidate_gen 6 + 2 + 10 + 12 = 30) = 30 + step 3 ranker min(208, 250) = 208
    + step 4 reranker min(8 + 15, 35) = 23, so 279; gateway 5 + min(279, 390) = 284; app min(284, 400) = 284.
    Before: the same sums with the ranker at 45 + 8 = 53 give feed_service 124, gateway 129, app 129. With only
    the ranker slowed, its 80 ms timeout would cap the call (feed_service 151, app 156), and with only that timeout
    raised, the app's 195 ms timeout would cap the whole path (app 195): neither goes over the SLO.
    """
    return _edit(
        NEWS,
        ("    replicas: 210\n    latency_p99_ms: 45\n", "    replicas: 210\n    latency_p99_ms: 200\n"),
        ("data: feed request, timeout_ms: 195}", "data: feed request, timeout_ms: 400}"),
        ("feed request, timeout_ms: 190}", "feed request, timeout_ms: 390}"),
        (
            "step: 3,\n      timeout_ms: 80, items_per_call: 1500}",
            "step: 3,\n      timeout_ms: 250, items_per_call: 1500}",
        ),
    )


def smaller_ranker(per_replica: int = 500) -> str:
    """The ranker's capacity goes from 1,000 qps per replica (requests of 1,500 posts) to ``per_replica``.

    By hand (load at 1x peak: each request-path component called once per request gets the 120,000 qps peak; the
    user tower, called for 0.2 of them, 24,000): headroom is min(replicas x capacity_qps / load). Before, three tie
    at 1.6: candidate_gen 8 x 24,000 = 192,000, the user tower 6 x 6,400 = 38,400 / 24,000 and the integrity model
    8 x 24,000 = 192,000; the first declared, candidate_gen, is named (the ranker: 210 x 1,000 = 210,000, 1.75).
    With 800 per replica the ranker takes 168,000 qps: headroom 1.4, and it saturates first; with 500 it takes
    105,000 < 120,000 qps: headroom 0.875, over capacity at the peak (it sheds load, MLSD206).
    """
    return _edit(
        NEWS,
        (
            "    latency_p99_ms: 45\n    capacity_qps: 1000\n",
            f"    latency_p99_ms: 45\n    capacity_qps: {per_replica}\n",
        ),
    )


def _diff(new_text: str) -> dict:
    return diff_blueprints(loads(NEWS, "old.yaml"), loads(new_text, "new.yaml"))


def _ids(items: list[dict]) -> list[str]:
    return [item["id"] for item in items]


def _findings(items: list[dict]) -> set[tuple]:
    return {(f["rule"], f["component"] or f["flow_id"]) for f in items}


def _no_other_changes(diff: dict, components=(0, 0, 0), flows=(0, 0, 0), design=0) -> None:
    assert tuple(diff["summary"]["components"].values()) == components
    assert tuple(diff["summary"]["flows"].values()) == flows
    assert diff["summary"]["design"] == design


def test_the_same_design_has_no_changes() -> None:
    diff = _diff(NEWS)
    _no_other_changes(diff)
    assert diff["summary"]["changed"] is False
    assert diff["findings"]["introduced"] == diff["findings"]["resolved"] == []
    assert diff_text([diff]) == "old.yaml -> new.yaml\n  no changes\n"


def test_cache_removed() -> None:
    diff = _diff(without_cache())
    _no_other_changes(diff, components=(0, 1, 0), flows=(0, 3, 0))
    assert _ids(diff["components"]["removed"]) == ["feed_cache"]
    assert _ids(diff["flows"]["removed"]) == [
        "feed_service -> feed_cache (request)",
        "integrity_model -> feed_cache (fallback)",
        "ranker -> feed_cache (fallback)",
    ]
    # the ranker and the integrity model fell back to the cache: now their loss takes the feed down, and their
    # unavailability is first order: 1 - 3 x 0.0001 - 0.001 - 0.001 = 99.77 %, below the 99.95 % SLO (MLSD213)
    assert _findings(diff["findings"]["introduced"]) == {
        ("MLSD201", "ranker"),
        ("MLSD201", "integrity_model"),
        ("MLSD213", "app"),
    }
    assert diff["findings"]["resolved"] == []
    analyses = diff["analyses"]
    # the feed service read the cache in step 1, in parallel with A/B bucketing: step 1 cost max(2, 3) = 3 ms, now
    # 2 ms, so the request path is 1 ms faster (129 -> 128 ms) and its slowest step 1 call is ab_assignment
    (latency,) = analyses["latency"]
    assert (latency["old"]["p99_ms"], latency["new"]["p99_ms"], latency["over_slo"]) == (129, 128, [False, False])
    assert latency["old"]["path"][3] == "feed_cache" and latency["new"]["path"][3] == "ab_assignment"
    # knock-outs: only the two whose fallback was the cache get worse (the feed service skips a failed inbox call
    # and uses defaults for A/B bucketing, the ranker for features; the re-ranker never had a fallback)
    worse = {k["components"][0]: k["entry_points"] for k in analyses["knock_outs"]}
    assert worse == {"ranker": {"app": ["degraded", "down"]}, "integrity_model": {"app": ["degraded", "down"]}}
    assert analyses["single_points_of_failure"]["added"] == []  # every component has replicas
    assert analyses["critical"] == {
        "added": ["ranker", "integrity_model"],
        "removed": [],
        "before": ["gateway", "feed_service", "reranker"],
        "after": ["gateway", "feed_service", "ranker", "integrity_model", "reranker"],
    }
    # the cache had room to spare (100,000 x 3 qps for 120,000): headroom and bottleneck are unchanged
    assert analyses["load"] == {"headroom": [1.6, 1.6], "first_saturated": ["candidate_gen", "candidate_gen"]}
    text = diff_text([diff])
    assert "  losing ranker, integrity_model now leaves app down (was degraded)\n" in text
    assert (
        "  critical components: +ranker +integrity_model (now: gateway, feed_service, ranker, integrity_model, "
        "reranker)\n" in text
    )
    assert "load headroom" not in text and "first component to saturate" not in text


def test_component_renamed_shows_removal_and_addition_with_a_hint() -> None:
    diff = _diff(renamed())
    _no_other_changes(diff, components=(1, 1, 0), flows=(2, 2, 0))
    (added,), (removed,) = diff["components"]["added"], diff["components"]["removed"]
    assert (added["id"], added["renamed_from"], added["hint"]) == (
        "policy_reranker",
        "reranker",
        "renamed from 'reranker'?",
    )
    assert (removed["id"], removed["renamed_to"], removed["hint"]) == (
        "reranker",
        "policy_reranker",
        "renamed to 'policy_reranker'?",
    )
    assert [(f["id"], f["hint"]) for f in diff["flows"]["added"]] == [
        ("feed_service -> policy_reranker (request)", "follows the rename: was feed_service -> reranker (request)"),
        (
            "policy_reranker -> integrity_model (request)",
            "follows the rename: was reranker -> integrity_model (request)",
        ),
    ]
    assert _ids(diff["flows"]["removed"]) == [
        "feed_service -> reranker (request)",
        "reranker -> integrity_model (request)",
    ]
    assert diff["findings"]["introduced"] == diff["findings"]["resolved"] == []
    analyses = {k: v for k, v in diff["analyses"].items() if v and k not in ("entry_points", "score")}
    # the same latency, over a path that names the new id; the re-ranker stays critical under its new name
    (latency,) = analyses.pop("latency")
    assert latency["old"]["p99_ms"] == latency["new"]["p99_ms"] == 129
    assert ["policy_reranker" if c == "reranker" else c for c in latency["old"]["path"]] == latency["new"]["path"]
    assert "reranker" in latency["old"]["path"]
    assert analyses == {
        "single_points_of_failure": {"added": [], "removed": [], "before": [], "after": []},
        "critical": {
            "added": ["policy_reranker"],
            "removed": ["reranker"],
            "before": ["gateway", "feed_service", "reranker"],
            "after": ["gateway", "feed_service", "policy_reranker"],
        },
        "load": {"headroom": [1.6, 1.6], "first_saturated": ["candidate_gen", "candidate_gen"]},
    }
    text = diff_text([diff])
    assert (
        "  + policy_reranker (reranking_service, 'Integrity and diversity re-ranker')  renamed from 'reranker'?" in text
    )


def test_a_component_whose_fields_changed_is_not_a_rename() -> None:
    text = _edit(renamed(), ("label: Integrity and diversity re-ranker", "label: Policy re-ranker"))
    diff = _diff(text)
    assert "hint" not in diff["components"]["added"][0] and "hint" not in diff["components"]["removed"][0]


def test_flow_mode_changed() -> None:
    diff = _diff(mode_changed())
    _no_other_changes(diff, flows=(1, 1, 0))
    (added,), (removed,) = diff["flows"]["added"], diff["flows"]["removed"]
    assert (added["id"], added["hint"]) == ("stream_features -> features (batch)", "mode changed from stream?")
    assert (removed["id"], removed["hint"]) == ("stream_features -> features (stream)", "mode changed to batch?")
    assert added["index"] == removed["index"] == 28
    # the online feature store is now fed only by batch flows, though features must be 5 minutes fresh
    assert _findings(diff["findings"]["introduced"]) == {("MLSD406", "features")}
    assert diff["findings"]["resolved"] == []
    assert diff["analyses"]["latency"] == diff["analyses"]["knock_outs"] == []


def test_flow_data_changed_is_a_changed_flow() -> None:
    diff = _diff(_edit(NEWS, ("data: trending post counters by region", "data: trending counters per region")))
    _no_other_changes(diff, flows=(0, 0, 1))
    (changed,) = diff["flows"]["changed"]
    assert changed["id"] == "stream_features -> trending (stream)"
    assert changed["changes"] == [
        {"field": "data", "old": "trending post counters by region", "new": "trending counters per region"}
    ]


def test_latency_raised_over_the_slo() -> None:
    diff = _diff(slower_ranker())
    _no_other_changes(diff, components=(0, 0, 1), flows=(0, 0, 3))
    assert diff["components"]["changed"] == [
        {"id": "ranker", "changes": [{"field": "latency_p99_ms", "old": 45.0, "new": 200.0}]}
    ]
    assert [(f["id"], f["index"], f["changes"]) for f in diff["flows"]["changed"]] == [
        ("app -> gateway (request)", 0, [{"field": "timeout_ms", "old": 195.0, "new": 400.0}]),
        ("gateway -> feed_service (request)", 1, [{"field": "timeout_ms", "old": 190.0, "new": 390.0}]),
        ("feed_service -> ranker (request)", 9, [{"field": "timeout_ms", "old": 80.0, "new": 250.0}]),
    ]
    assert _findings(diff["findings"]["introduced"]) == {("MLSD203", "app")}
    assert diff["findings"]["resolved"] == []
    (latency,) = diff["analyses"]["latency"]
    assert (latency["entry"], latency["old"]["p99_ms"], latency["new"]["p99_ms"], latency["over_slo"]) == (
        "app",
        129,
        284,
        [False, True],
    )  # worked out in slower_ranker()
    assert latency["old"]["path"] == latency["new"]["path"]  # the same calls are the slowest, only slower
    # neither the critical components nor the load change: latency is not capacity
    assert diff["analyses"]["critical"]["added"] == diff["analyses"]["critical"]["removed"] == []
    assert diff["analyses"]["load"] == {"headroom": [1.6, 1.6], "first_saturated": ["candidate_gen", "candidate_gen"]}
    score = diff["analyses"]["score"]
    assert score["shown"] == [14, 13] and [t["id"] for t in score["tests"]] == ["Monitor 6"]
    assert score["mlops_level"] == [2, 2]
    assert introduced_failures(diff) and not introduced_failures(_diff(renamed()))
    text = diff_text([diff])
    assert "  ~ ranker: latency_p99_ms 45 -> 200\n" in text
    assert "  ~ feed_service -> ranker (request): timeout_ms 80 -> 250\n" in text
    assert "  latency app: 129 ms -> 284 ms p99 (SLO 200 ms): now OVER the SLO\n" in text
    # and back: the finding is resolved
    back = diff_blueprints(loads(slower_ranker(), "new.yaml"), loads(NEWS, "old.yaml"))
    assert _findings(back["findings"]["resolved"]) == {("MLSD203", "app")}
    assert back["findings"]["introduced"] == []
    assert "back within the SLO" in diff_text([back])


def test_design_fields_changed() -> None:
    diff = _diff(_edit(NEWS, ("slo: {latency_p99_ms: 200,", "slo: {latency_p99_ms: 50,")))
    _no_other_changes(diff, design=1)
    assert diff["design"] == [{"field": "requirements.slo.latency_p99_ms", "old": 200.0, "new": 50.0}]
    assert _findings(diff["findings"]["introduced"]) == {("MLSD203", "app")}


def test_findings_match_by_what_they_are_about_not_by_line() -> None:
    """Moving every line and reordering flows changes nothing; a finding's line is not its identity."""
    weak = (ROOT / "tests" / "lint" / "data" / "weak_design.yaml").read_text(encoding="utf-8")
    head, flows = weak.split("flows:\n")
    moved = "# a comment\n\n" + head + "flows:\n" + "".join(reversed(flows.splitlines(keepends=True)))
    # the interview profile: every blank is a finding at its component or flow (review folds some into notes)
    interview = {"profile": "interview"}
    diff = diff_blueprints(loads(weak, "a.yaml"), loads(moved, "b.yaml"), config=interview)
    assert (
        diff["findings"]["before"] == diff["findings"]["after"] == 15
    )  # with the practice rules MLSD304, MLSD408 and MLSD412
    # four of them are about flows (MLSD207 x 3, MLSD208), whose index the reversal changes: matched by identity
    assert sum(f.flow_id is not None for f in lint(loads(weak, "a.yaml"), profile="interview")) == 4
    review = diff_blueprints(loads(weak, "a.yaml"), loads(moved, "b.yaml"))
    assert review["findings"]["before"] == review["findings"]["after"] == 13  # seven blank findings, five notes
    assert review["findings"]["introduced"] == review["findings"]["resolved"] == []
    assert diff["findings"]["introduced"] == diff["findings"]["resolved"] == []
    assert diff["summary"]["changed"] is False


@pytest.mark.parametrize(
    ("per_replica", "headroom", "introduced"),
    [(800, 1.4, {("MLSD215", "ranker")}), (500, 0.875, {("MLSD206", "ranker")})],
)
def test_lower_capacity_changes_headroom_and_first_to_saturate(
    per_replica: int, headroom: float, introduced: set
) -> None:
    """Headroom and the first component to saturate, from the serving model (numbers worked out in
    smaller_ranker()): at 800 qps per replica the ranker is within capacity at the peak but not without one of
    its 3 zones (140 x 800 = 112,000 < 120,000 qps: MLSD215, a warning), at 500 it is over capacity at the peak."""
    over_at_peak = per_replica < 600
    diff = _diff(smaller_ranker(per_replica))
    _no_other_changes(diff, components=(0, 0, 1))
    assert diff["components"]["changed"] == [
        {"id": "ranker", "changes": [{"field": "capacity_qps", "old": 1000.0, "new": float(per_replica)}]}
    ]
    assert _findings(diff["findings"]["introduced"]) == introduced and diff["findings"]["resolved"] == []
    analyses = diff["analyses"]
    assert analyses["load"] == {"headroom": [1.6, headroom], "first_saturated": ["candidate_gen", "ranker"]}
    # capacity is not latency, and a shedding ranker answered by the cache takes nothing down; but knock-outs are
    # at the peak: over capacity there, the ranker's excess has no answer once the cache is out as well
    assert analyses["latency"] == []
    expected = [{"components": ["feed_cache"], "entry_points": {"app": ["degraded", "down"]}}] if over_at_peak else []
    assert analyses["knock_outs"] == expected
    assert analyses["critical"]["added"] == analyses["critical"]["removed"] == []
    text = diff_text([diff])
    assert f"  load headroom: 1.6 -> {headroom}\n  first component to saturate: candidate_gen -> ranker\n" in text
    markdown = diff_markdown([diff])
    assert (
        f"- load headroom: 1.6 \u2192 {headroom}\n- first component to saturate: candidate_gen \u2192 ranker\n"
        in markdown
    )
    assert introduced_failures(diff) == (diff["findings"]["introduced"] if over_at_peak else [])
    # and back
    back = diff_blueprints(loads(smaller_ranker(per_replica), "new.yaml"), loads(NEWS, "old.yaml"))
    assert back["analyses"]["load"] == {"headroom": [headroom, 1.6], "first_saturated": ["ranker", "candidate_gen"]}
    assert _findings(back["findings"]["resolved"]) == introduced and back["findings"]["introduced"] == []


def test_a_request_flows_serving_fields_are_compared() -> None:
    """step, timeout_ms, on_failure and per_request are fields of a flow: changing them changes the flow.

    By hand: the two-tower retrieval calls the user tower for 0.2 of its 120,000 qps (24,000 qps, 6 x 6,400 =
    38,400 capacity: 1.6 headroom, tied with candidate_gen, which is declared first); at 0.25 that is 30,000 qps,
    38,400 / 30,000 = 1.28, and the user tower saturates first."""
    old = "step: 2, per_request: 0.2, timeout_ms: 15}"
    diff = _diff(_edit(NEWS, (old, "step: 2, per_request: 0.25, timeout_ms: 15, on_failure: skip}")))
    _no_other_changes(diff, flows=(0, 0, 1))
    (changed,) = diff["flows"]["changed"]
    assert (changed["id"], changed["changes"]) == (
        "candidate_gen -> user_encoder (request)",
        [{"field": "on_failure", "old": None, "new": "skip"}, {"field": "per_request", "old": 0.2, "new": 0.25}],
    )
    assert diff["analyses"]["load"] == {"headroom": [1.6, 1.28], "first_saturated": ["candidate_gen", "user_encoder"]}
    # losing the user tower leaves the feed degraded before and after (its fallback, the embedding cache, answers;
    # now the call may also be skipped): no knock-out outcome changes. Its 30,000 qps no longer fit in the
    # 4 x 6,400 = 25,600 qps left without one of its 3 zones (MLSD215, a warning)
    assert diff["analyses"]["knock_outs"] == []
    assert _findings(diff["findings"]["introduced"]) == {("MLSD215", "user_encoder")}
    assert (
        "  ~ candidate_gen -> user_encoder (request): on_failure (none) -> skip; per_request 0.2 -> 0.25\n"
        in diff_text([diff])
    )


def test_serving_behaviour_keys_are_compared_in_either_shape() -> None:
    """`critical` and `load` come from the serving model on every diff; a simulation passed in may name components
    as ids or as ``{"component": ID}`` items, and one without those keys (an older result) reports neither."""
    from mlsd_diagram.analyses.serving import simulate

    old, new = loads(NEWS, "old.yaml"), loads(slower_ranker(), "new.yaml")
    plain = _diff(slower_ranker())["analyses"]
    assert plain["critical"]["after"] == ["gateway", "feed_service", "reranker"]
    assert plain["load"] == {"headroom": [1.6, 1.6], "first_saturated": ["candidate_gen", "candidate_gen"]}
    before, after = simulate(old), simulate(new)
    assert {"critical", "load"} <= before.keys()
    for side in (before, after):
        del side["critical"], side["load"]
    bare = diff_blueprints(old, new, simulation=(before, after))["analyses"]
    assert bare["critical"] is None and bare["load"] is None  # absent on both sides: not reported
    before.update(critical=[{"component": "gateway"}], load={"headroom": 2.5, "first_saturated": "ranker"})
    after.update(critical=["gateway", "ranker"], load={"headroom": 1.1, "first_saturated": {"component": "gateway"}})
    diff = diff_blueprints(old, new, simulation=(before, after))
    assert diff["analyses"]["critical"]["added"] == ["ranker"]
    assert diff["analyses"]["load"] == {"headroom": [2.5, 1.1], "first_saturated": ["ranker", {"component": "gateway"}]}
    text = diff_text([diff])
    assert "critical components: +ranker (now: gateway, ranker)" in text
    assert "load headroom: 2.5 -> 1.1" in text and "first component to saturate: ranker -> gateway" in text


# -- reports --------------------------------------------------------------------------------


def test_markdown_for_a_pull_request_comment() -> None:
    diffs = [_diff(without_cache()), _diff(slower_ranker())]
    text = diff_markdown(diffs)
    assert text.startswith("### mlsd: Design review\n")
    assert "- \u274c **Findings:** 3 introduced, 0 resolved (0 \u2192 3)" in text
    assert "<details><summary>Components: 1 removed</summary>" in text
    assert "| removed | `feed_cache` | `cache` | Last served feed |  |" in text
    assert text.count("<details><summary>") == text.count("</details>") == 8  # each diff: components, flows,
    # findings and analyses
    assert diff_markdown(diffs) == text  # same diffs, same bytes
    # what a reader sees: markdown-it finds the tables and no stray structure
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert html.count("<table>") == text.count("| change |") + text.count("| | rule |")


def test_markdown_escapes_blueprint_text() -> None:
    hostile = _edit(without_cache(), ("label: Multi-task ranker", 'label: "<script>x</script> | **bold** [link](u)"'))
    text = diff_markdown([_diff(hostile)])
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "\\| \\*\\*bold\\*\\* \\[link\\](u)" in text


def test_markdown_stays_within_githubs_limit_and_says_what_it_left_out() -> None:
    many = "".join(f"  extra{i}: {{kind: online_service, label: extra service number {i}}}\n" for i in range(1500))
    big = _edit(NEWS, ("components:\n", "components:\n" + many))
    diff = _diff(big)
    assert diff["summary"]["components"]["added"] == 1500
    text = diff_markdown([diff])
    assert len(text) <= 65_536
    note = re.search(r"\u2026 (\d+) more rows not shown", text)
    assert note, text[-300:]
    shown = text.count("| added | `extra")
    assert shown + int(note[1]) >= 1500 + 1500  # every left-out component and orphan finding is counted
    assert text.count("<details><summary>") == text.count("</details>")
    small = diff_markdown([diff], max_chars=5000)
    assert len(small) <= 5000 and "more rows not shown" in small


def test_json_report_is_the_library_result() -> None:
    diff = _diff(mode_changed())
    document = json.loads(diff_json([diff]))
    assert document == {"version": 1, "diffs": [json.loads(json.dumps(diff))]}


# -- the command, on files and on git --------------------------------------------------------------


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """A git repository with two commits: the news feed, then its ranker slowed down, video search renamed and
    event recommendation added; plus a non-blueprint YAML file changed."""
    (tmp_path / "blueprints").mkdir()
    (tmp_path / "blueprints" / "news_feed.yaml").write_text(NEWS, encoding="utf-8")
    (tmp_path / "blueprints" / "video_search.yaml").write_bytes(
        (ROOT / "blueprints" / "video_search.yaml").read_bytes()
    )
    (tmp_path / "config.yaml").write_text("a: 1\n")
    git("init", "--quiet", cwd=tmp_path)
    git("add", ".", cwd=tmp_path)
    git("commit", "--quiet", "-m", "one", cwd=tmp_path)
    (tmp_path / "blueprints" / "news_feed.yaml").write_text(slower_ranker(), encoding="utf-8")
    git("mv", "blueprints/video_search.yaml", "blueprints/search.yaml", cwd=tmp_path)
    (tmp_path / "blueprints" / "events.yaml").write_bytes(
        (ROOT / "blueprints" / "event_recommendation.yaml").read_bytes()
    )
    (tmp_path / "config.yaml").write_text("a: 2\n")
    git("add", "-A", cwd=tmp_path)
    git("commit", "--quiet", "-m", "two", cwd=tmp_path)
    return tmp_path


def test_cli_compares_a_revision_with_a_file(repo: Path) -> None:
    done = run_mlsd("diff", "HEAD~1:blueprints/news_feed.yaml", "blueprints/news_feed.yaml", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("HEAD~1:blueprints/news_feed.yaml -> blueprints/news_feed.yaml\n")
    assert (
        "  + MLSD203 latency-budget-exceeded (error) app: requests from 'app' take 284 ms p99 over their call "
        "steps" in done.stdout
    )
    assert "  ~ feed_service -> ranker (request): timeout_ms 80 -> 250\n" in done.stdout
    failing = run_mlsd(
        "diff", "HEAD~1:blueprints/news_feed.yaml", "blueprints/news_feed.yaml", "--fail-on-new", cwd=repo
    )
    assert failing.returncode == 1 and failing.stdout == done.stdout
    # the reverse change introduces nothing
    assert (
        run_mlsd(
            "diff", "blueprints/news_feed.yaml", "HEAD~1:blueprints/news_feed.yaml", "--fail-on-new", cwd=repo
        ).returncode
        == 0
    )


def test_cli_git_mode_reviews_every_changed_blueprint(repo: Path) -> None:
    done = run_mlsd("diff", "--git", "HEAD~1", "--format", "json", cwd=repo)
    assert done.returncode == 0, done.stderr
    diffs = json.loads(done.stdout)["diffs"]
    assert [(d["old"], d["new"]) for d in diffs] == [
        ("/dev/null", "blueprints/events.yaml"),
        ("HEAD~1:blueprints/news_feed.yaml", "blueprints/news_feed.yaml"),
        ("HEAD~1:blueprints/video_search.yaml", "blueprints/search.yaml"),
    ]
    added, slowed, moved = diffs
    assert added["summary"]["components"]["added"] == len(load(repo / "blueprints" / "events.yaml").components)
    assert _findings(slowed["findings"]["introduced"]) == {("MLSD203", "app")}
    assert moved["summary"]["changed"] is False
    # from a subfolder, paths stay relative to where mlsd runs
    sub = run_mlsd("diff", "--git", "HEAD~1", "--format", "json", cwd=repo / "blueprints")
    assert [d["new"] for d in json.loads(sub.stdout)["diffs"]] == ["events.yaml", "news_feed.yaml", "search.yaml"]
    nothing = run_mlsd("diff", "--git", "HEAD", cwd=repo)
    assert (nothing.returncode, nothing.stdout) == (0, "no blueprint changed since HEAD\n")


def test_cli_git_mode_sees_a_deleted_blueprint(repo: Path) -> None:
    (repo / "blueprints" / "news_feed.yaml").unlink()
    done = run_mlsd("diff", "--git", "HEAD", "--format", "json", cwd=repo)
    (diff,) = json.loads(done.stdout)["diffs"]
    assert (diff["old"], diff["new"]) == ("HEAD:blueprints/news_feed.yaml", "/dev/null")
    assert diff["summary"]["components"]["removed"] == len(loads(NEWS).components)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["nope:blueprints/news_feed.yaml", "blueprints/news_feed.yaml"],
            "mlsd: error: cannot read 'nope:blueprints/news_feed.yaml' from git: invalid object name 'nope'.",
        ),
        (
            ["HEAD:blueprints/ghost.yaml", "blueprints/news_feed.yaml"],
            "mlsd: error: cannot read 'HEAD:blueprints/ghost.yaml' from git: path 'blueprints/ghost.yaml' does not exist "
            "in 'HEAD'",
        ),
        (["--git", "nope"], "mlsd: error: cannot compare with 'nope': not a commit in this repository"),
        (["--git", "--output=x"], "mlsd: error: '--output=x' is not a revision"),
        (
            ["blueprints/ghost.yaml", "blueprints/news_feed.yaml"],
            "blueprints/ghost.yaml:1:1: error: cannot read file: No such file or directory",
        ),
        (["blueprints/news_feed.yaml"], "mlsd: error: give two sides (OLD NEW) or --git REV"),
        (["config.yaml", "blueprints/news_feed.yaml"], "config.yaml:1:1: error:"),
    ],
)
def test_cli_bad_sides_are_clear_errors(repo: Path, args: list[str], message: str) -> None:
    done = run_mlsd("diff", *args, cwd=repo)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_cli_outside_a_repository(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(NEWS)
    done = run_mlsd("diff", "--git", "HEAD", cwd=tmp_path, env={"GIT_CEILING_DIRECTORIES": str(tmp_path.parent)})
    assert done.returncode == 2
    assert done.stderr.startswith("mlsd: error: cannot compare with 'HEAD': not a git repository"), done.stderr


def test_markdown_from_the_cli_is_deterministic(repo: Path) -> None:
    runs = [run_mlsd("diff", "--git", "HEAD~1", "--format", "markdown", cwd=repo).stdout for _ in range(2)]
    assert runs[0] == runs[1]
    assert runs[0].count("#### `") == 3
