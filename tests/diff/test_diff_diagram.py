"""The diff diagram, drawn by the real Graphviz: what changed has a halo and a +/-/~ badge (flows keep their mode's
look), removed parts come back dashed at their old place, every component and flow of the SVG carries its id and a
change class; by default only the changed part and one hop around it; every view; same bytes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from mlsd_testing import run_mlsd
from test_diff import NEWS, mode_changed, renamed, slower_ranker, without_cache

from mlsd_diagram import loads
from mlsd_diagram.analyses.diff import diff_blueprints
from mlsd_diagram.outputs import VIEWS
from mlsd_diagram.outputs.diff_diagram import COLOURS, diff_overlay, merged_blueprint, render_diff
from mlsd_diagram.outputs.dot import to_dot
from mlsd_diagram.outputs.style import HALO, MODE_STYLES

SVG = "{http://www.w3.org/2000/svg}"
CHANGES = {"diff-added", "diff-removed", "diff-changed", "diff-unchanged"}


def _draw(
    new_text: str, out: Path, view: str = "all", scope: str = "all"
) -> tuple[dict, dict[str, set[str]], ET.Element]:
    old, new = loads(NEWS, "old.yaml"), loads(new_text, "new.yaml")
    diff = diff_blueprints(old, new)
    paths = render_diff(old, new, diff, out, "news_feed", view=view, scope=scope)
    suffix = "" if view == "all" else f"-{view}"
    assert [p.name for p in paths] == [f"news_feed-diff{suffix}.png", f"news_feed-diff{suffix}.svg"]
    root = ET.fromstring(paths[1].read_bytes())
    classes = {
        g.get("id"): set(g.get("class", "").split())
        for g in root.iter(f"{SVG}g")
        if g.get("class", "").split()[:1] in (["node"], ["edge"])
    }
    return diff, classes, root


def _with(classes: dict[str, set[str]], change: str) -> set[str]:
    return {i for i, c in classes.items() if f"diff-{change}" in c}


def test_cache_removed_comes_back_dashed_with_a_halo_at_its_old_place(tmp_path: Path) -> None:
    _, classes, root = _draw(without_cache(), tmp_path)
    assert _with(classes, "removed") == {"component-feed_cache", "flow-old-3", "flow-old-13", "flow-old-14"}
    assert _with(classes, "added") == _with(classes, "changed") == set()
    # every component and flow carries its id and exactly one change class
    assert all(len(c & CHANGES) == 1 for c in classes.values()), classes
    assert {i for i in classes if i.startswith("component-")} == {f"component-{c}" for c in loads(NEWS).components}
    new_flows = len(loads(without_cache()).flows)
    assert {i for i in classes if i.startswith("flow-") and not i.startswith("flow-old-")} == {
        f"flow-{n}" for n in range(new_flows)
    }
    # a dashed yellow halo round the cache and its flows, which keep their mode's colour inside the halo; the
    # cache sits in its old cluster, Serving
    node = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "component-feed_cache")
    outline = next(node.iter(f"{SVG}path"))
    assert outline.get("stroke") == HALO.lower() and outline.get("stroke-dasharray")
    assert float(outline.get("stroke-width", "1")) >= 5
    badge = [t for t in node.iter(f"{SVG}text") if "".join(t.itertext()) == "\u2212"]
    assert [t.get("fill") for t in badge] == [COLOURS["removed"].lower()]
    edge = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "flow-old-3")
    strokes = [p.get("stroke") for p in edge.iter(f"{SVG}path")]
    assert strokes == [HALO.lower(), MODE_STYLES["request"].color.lower(), HALO.lower()], strokes
    assert all(p.get("stroke-dasharray") for p in edge.iter(f"{SVG}path"))
    assert "\u2212" in "".join("".join(t.itertext()) for t in edge.iter(f"{SVG}text"))
    text = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert (
        "Changes (highlighted in yellow):" in text
        and "removed (dashed, where it was)" in text
        and "changes since old.yaml" in text
    )
    merged, _ = merged_blueprint(loads(NEWS, "old.yaml"), loads(without_cache(), "new.yaml"))
    order = list(merged.components)
    assert order[order.index("feed_cache") - 1] == "reranker"  # where it was declared


def test_rename_draws_the_old_id_removed_and_the_new_one_added(tmp_path: Path) -> None:
    _, classes, _ = _draw(renamed(), tmp_path)
    assert {i for i in _with(classes, "removed") if i.startswith("component-")} == {"component-reranker"}
    assert {i for i in _with(classes, "added") if i.startswith("component-")} == {"component-policy_reranker"}
    assert len({i for i in _with(classes, "removed") if i.startswith("flow-old-")}) == 2
    assert len({i for i in _with(classes, "added") if i.startswith("flow-")}) == 2


def test_mode_change_and_latency_change(tmp_path: Path) -> None:
    _, classes, _ = _draw(mode_changed(), tmp_path / "mode")
    assert _with(classes, "added") == {"flow-28"} and _with(classes, "removed") == {"flow-old-28"}
    _, classes, root = _draw(slower_ranker(), tmp_path / "slow")
    # the ranker, and the three request flows whose timeout was raised (app -> gateway, gateway -> feed_service,
    # feed_service -> ranker)
    assert _with(classes, "changed") == {"component-ranker", "flow-0", "flow-1", "flow-9"}
    node = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "component-ranker")
    tooltip = next(a for a in node.iter(f"{SVG}a")).get("{http://www.w3.org/1999/xlink}title")
    assert "latency_p99_ms: 45 \u2192 200" in tooltip
    edge = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "flow-9")
    tooltip = next(a for a in edge.iter(f"{SVG}a")).get("{http://www.w3.org/1999/xlink}title")
    assert tooltip.startswith("feed_service \u2192 ranker (request)") and "timeout_ms: 80 \u2192 250" in tooltip


@pytest.mark.parametrize("view", [v for v in VIEWS if v not in ("all", "overview")])
def test_every_view_draws_the_changes(tmp_path: Path, view: str) -> None:
    _, classes, _ = _draw(without_cache(), tmp_path, view)
    assert classes and all(len(c & CHANGES) == 1 for c in classes.values())
    if view == "serving":  # the cache was on the request path: it is shown, removed
        assert "component-feed_cache" in _with(classes, "removed")


def test_the_overview_is_refused_with_a_reason(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from mlsd_diagram.cli import main

    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(NEWS, encoding="utf-8")
    new.write_text(without_cache(), encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", str(old), str(new), "-o", str(tmp_path / "out"), "--view", "overview"])
    assert result.exit_code == 2 and "'overview' is not one of" in result.output
    with pytest.raises(ValueError, match="view 'overview' has none"):
        render_diff(loads(NEWS, "old.yaml"), loads(without_cache(), "new.yaml"), {}, tmp_path, "x", view="overview")
    assert not (tmp_path / "out").exists()


def test_same_input_same_bytes(tmp_path: Path) -> None:
    runs = []
    for name in ("a", "b"):
        _draw(without_cache(), tmp_path / name)
        runs.append([p.read_bytes() for p in sorted((tmp_path / name).iterdir())])
    assert runs[0] == runs[1] and len(runs[0]) == 2


def test_the_usual_diagram_is_unchanged_without_an_overlay() -> None:
    """The overlay hook is additive: no overlay, the same DOT as before; an empty diff styles nothing away."""
    bp = loads(NEWS, "news.yaml")
    plain = to_dot(bp)
    assert "diff-" not in plain and "Changes:" not in plain
    merged, overlay = diff_overlay(bp, bp, diff_blueprints(bp, bp))
    assert {a["class"] for a in overlay.components.values()} == {"diff-unchanged"}
    assert list(merged.components) == list(bp.components) and len(merged.flows) == len(bp.flows)


def test_cli_writes_the_diagram_and_reports_on_stdout(tmp_path: Path) -> None:
    (tmp_path / "old.yaml").write_text(NEWS)
    (tmp_path / "news_feed.yaml").write_text(slower_ranker())
    done = run_mlsd(
        "diff", "old.yaml", "news_feed.yaml", "-o", "out", "--view", "serving", "--format", "markdown", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("### mlsd: Design review")
    assert done.stderr == "news_feed.yaml: wrote out/news_feed-diff-serving.png, out/news_feed-diff-serving.svg\n"
    assert (tmp_path / "out" / "news_feed-diff-serving.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_by_default_only_the_change_and_one_hop_around_it_are_drawn(tmp_path: Path) -> None:
    """Removing the cache: the cache and the three components that read or wrote it, nothing else; --scope all
    draws every component."""
    _, classes, root = _draw(without_cache(), tmp_path, scope="changed")
    components = {i for i in classes if i.startswith("component-")}
    assert components == {f"component-{c}" for c in {"feed_cache", *_neighbours("feed_cache")}}
    assert len(components) == 4
    assert {i for i in classes if i.startswith("flow-old-")} == {"flow-old-3", "flow-old-13", "flow-old-14"}
    _, every, _ = _draw(without_cache(), tmp_path / "all", scope="all")
    assert {i for i in every if i.startswith("component-")} == {f"component-{c}" for c in loads(NEWS).components}


def _neighbours(cid: str) -> set[str]:
    flows = loads(NEWS).flows
    return {f.target for f in flows if f.source == cid} | {f.source for f in flows if f.target == cid}


def test_a_changed_flow_keeps_its_mode_colour_and_gets_a_tilde(tmp_path: Path) -> None:
    """The latency change: the ranker's call is still drawn as a request (black), inside a halo, with '~'."""
    _, classes, root = _draw(slower_ranker(), tmp_path, scope="changed")
    edge = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "flow-9")
    strokes = [p.get("stroke") for p in edge.iter(f"{SVG}path")]
    assert strokes == [HALO.lower(), MODE_STYLES["request"].color.lower(), HALO.lower()]
    label = "".join("".join(t.itertext()) for t in edge.iter(f"{SVG}text"))
    assert label.startswith("~")
    assert "component-ranker" in _with(classes, "changed")
    assert not any(c.startswith("component-") and "diff-added" in k for c, k in classes.items())


def test_cli_scope_all_draws_everything(tmp_path: Path) -> None:
    (tmp_path / "old.yaml").write_text(NEWS)
    (tmp_path / "new.yaml").write_text(without_cache())
    for scope, expect in (("changed", 4), ("all", len(loads(NEWS).components))):
        done = run_mlsd(
            "diff", "old.yaml", "new.yaml", "-o", f"out-{scope}", "--scope", scope, "--view", "serving", cwd=tmp_path
        )
        assert done.returncode == 0, done.stderr
        svg = (tmp_path / f"out-{scope}" / "new-diff-serving.svg").read_text()
        shown = ET.fromstring(svg).iter(f"{SVG}g")
        count = sum(1 for g in shown if (g.get("id") or "").startswith("component-"))
        assert count == expect if scope == "changed" else 4 < count <= expect
