"""The editable exports: `.excalidraw` opened by Excalidraw's own package, `.drawio` by draw.io's engine.

Excalidraw runs in headless Chromium (tests/excalidraw_client.py): the file is opened as the app
opens one, then held by the real editor; every component, cluster and flow of the view must be
there with the blueprint's words, arrows bound to the right boxes, and nothing repaired or
dropped by Excalidraw on the way. draw.io itself does not run headless: its XML is parsed and
checked cell by cell (ends, geometry inside the page, children inside their clusters, icons that
decode as PNG images, labels that read as written), then decoded by mxGraph, the engine draw.io is
built on (tests/drawio_client.py), which must read it the same way and draw every icon.
"""

from __future__ import annotations

import base64
import html
import json
import re
import struct
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import drawio_client
import excalidraw_client
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_layout_properties import clustered_blueprints

from mlsd_diagram import load
from mlsd_diagram.outputs.diagram import draw, render
from mlsd_diagram.outputs.dot import flow_groups, group_label, group_of
from mlsd_diagram.outputs.icons import tech_icon
from mlsd_diagram.outputs.views import borrowed, framed_groups, select_view

HERE = Path(__file__).resolve().parent
# The render folder's blueprints (as its conftest lists them; `conftest` is not importable by name when
# several test folders run together).
ALL = sorted((HERE.parent.parent / "blueprints").glob("*.yaml")) + sorted((HERE / "data").glob("*.yaml"))
NEWS_FEED = HERE.parent.parent / "blueprints" / "news_feed.yaml"
# as the picture draws them: deploy and fallback are double lines there (solid and dashed), telemetry dotted
DASH = {"request": "solid", "stream": "solid", "telemetry": "dotted", "batch": "dashed", "deploy": "solid"}
DASH["fallback"] = "dashed"


def one_space(text: str) -> str:
    return " ".join(text.split())


def no_space(text: str) -> str:
    """The characters of a text but its spaces and line breaks (which wrapping moves, or splits a long word at)."""
    return "".join(text.split())


def component_text(blueprint, cid: str) -> str:
    component = blueprint.components[cid]
    return (component.label or cid) + (f"\n{component.tech}" if component.tech else "")


def expected(blueprint, view: str, detail: str):
    """Components, clusters (group -> members) and flows the view draws; grouped flows by first flow."""
    selected = select_view(blueprint.graph, view, detail)
    groups = flow_groups(blueprint, selected) if detail == "grouped" else []
    grouped = {i: g for g in groups for i in g.flows}
    clusters: dict[str, list[str]] = {}
    for cid in selected.components:
        clusters.setdefault(group_of(blueprint, cid), []).append(cid)
    framed = framed_groups(clusters, borrowed(blueprint.graph, selected))  # a borrowed stage has no frame
    return selected, {g: clusters[g] for g in framed}, grouped


# ---------------------------------------------------------------- Excalidraw, in its own package


@pytest.fixture(scope="module")
def excalidraw_page(browser, tmp_path_factory):
    script = excalidraw_client.bundle(tmp_path_factory.mktemp("excalidraw"))
    page = excalidraw_client.open_page(browser, script)
    yield page
    page.close()


def check_excalidraw(page, blueprint, text: str, view: str = "all", detail: str = "grouped") -> dict:
    """Open ``text`` in Excalidraw and check it against ``blueprint``; the client's view of it."""
    written = json.loads(text)
    shown = excalidraw_client.opened(page, text)
    restored, editor = shown["restored"], shown["editor"]
    by_id = {e["id"]: e for e in editor}
    # Excalidraw keeps every element as written: none dropped, deleted, re-indexed, unbound or rebound
    assert [e["id"] for e in restored] == [e["id"] for e in written["elements"]]
    assert [e["id"] for e in editor] == [e["id"] for e in written["elements"]]
    for mine, theirs in zip(written["elements"], restored):
        assert not theirs["isDeleted"], theirs["id"]
        for field in ("index", "containerId", "groupIds", "text", "originalText"):
            assert theirs[field] == mine.get(field), (theirs["id"], field)
        assert (theirs["boundElements"] or None) == mine["boundElements"], theirs["id"]  # null reads as []
        assert theirs["start"] == (mine.get("startBinding") or {}).get("elementId")
        assert theirs["end"] == (mine.get("endBinding") or {}).get("elementId")

    selected, clusters, grouped = expected(blueprint, view, detail)
    # every component: a box with its label (and tech) as bound text, and its kind's icon in the same group
    for cid in selected.components:
        box = by_id[f"component.{cid}"]
        assert box["type"] == "rectangle"
        words = by_id[f"component.{cid}.text"]
        assert words["containerId"] == box["id"] and {"id": words["id"], "type": "text"} in box["boundElements"]
        assert words["originalText"] == component_text(blueprint, cid)
        assert no_space(words["text"]) == no_space(component_text(blueprint, cid))
        icon = by_id[f"component.{cid}.icon"]
        assert icon["type"] == "image" and icon["fileId"] in shown["files"]
        assert box["groupIds"] == words["groupIds"] == icon["groupIds"]
    # every cluster: a rectangle titled with the group's name, grouped with its components
    frames = [e for e in editor if e["id"].startswith("cluster.") and e["type"] == "rectangle"]
    assert sorted(by_id[f["id"] + ".title"]["originalText"] for f in frames) == sorted(group_label(g) for g in clusters)
    for frame in frames:
        title = by_id[frame["id"] + ".title"]["originalText"]
        group = next(g for g in clusters if group_label(g) == title)
        for cid in clusters[group]:
            assert frame["groupIds"][-1] == by_id[f"component.{cid}"]["groupIds"][-1]
            box = by_id[f"component.{cid}"]  # inside its cluster's frame
            assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"] + 0.01
            assert frame["y"] <= box["y"] and box["y"] + box["height"] <= frame["y"] + frame["height"] + 0.01
    frame_of = {
        group: next(f["id"] for f in frames if by_id[f["id"] + ".title"]["originalText"] == group_label(group))
        for group in clusters
    }
    # every flow: an arrow from its source's box to its target's, labelled with its data, dashed as drawn;
    # or one grouped arrow for the flows fanning between two clusters
    arrows = [e for e in editor if e["type"] == "arrow"]
    for index in selected.flows:
        flow = blueprint.flows[index]
        if index in grouped:
            group = grouped[index]
            arrow = by_id[f"flows.{group.flows[0]}"]
            source_cluster = frame_of[group_of(blueprint, flow.source)]
            assert arrow["start"] in (f"component.{flow.source}", source_cluster)
            assert arrow["end"] == frame_of[group_of(blueprint, flow.target)]
            continue
        arrow = by_id[f"flow.{index}"]
        assert (arrow["start"], arrow["end"]) == (f"component.{flow.source}", f"component.{flow.target}")
        assert {"id": arrow["id"], "type": "arrow"} in by_id[arrow["start"]]["boundElements"]
        assert {"id": arrow["id"], "type": "arrow"} in by_id[arrow["end"]]["boundElements"]
        assert arrow["strokeStyle"] == DASH[flow.mode.value]
        assert arrow["endArrowhead"] == "arrow" and arrow["startArrowhead"] is None
        label = by_id.get(f"flow.{index}.text")
        if flow.data and flow.data.strip():
            assert label["containerId"] == arrow["id"] and label["originalText"] == flow.data
            assert no_space(label["text"]) == no_space(flow.data)
        else:
            assert label is None
        # the route leaves the source's box and ends on the target's
        for end, at in ((arrow["start"], arrow["points"][0]), (arrow["end"], arrow["points"][-1])):
            x, y = arrow["x"] + at[0], arrow["y"] + at[1]
            box = by_id[end]
            assert box["x"] - 3 <= x <= box["x"] + box["width"] + 3, (arrow["id"], end)
            assert box["y"] - 3 <= y <= box["y"] + box["height"] + 3, (arrow["id"], end)
    drawn_flows = {i for i in selected.flows if i not in grouped} | {g.flows[0] for g in grouped.values()}
    assert len(arrows) == len(drawn_flows)
    # what the editor draws (its SVG export): every text element's words, every icon decoded
    drawn = [one_space(t) for t in shown["drawnTexts"]]
    texts = [e for e in editor if e["type"] == "text"]
    assert sorted(drawn) == sorted(one_space(t["text"]) for t in texts)
    # one embedded image per icon file, drawn once per component (an SVG <use>), each decoded by Chromium
    assert shown["images"] == len(shown["files"]) == shown["imagesDecoded"]
    badges = [cid for cid in selected.components if tech_icon(blueprint.components[cid].tech)]
    assert shown["imageUses"] == len(selected.components) + len(badges)
    for cid in badges:  # the tech badge, in the component's group
        badge = by_id[f"component.{cid}.badge"]
        assert badge["type"] == "image" and badge["groupIds"] == by_id[f"component.{cid}"]["groupIds"]
    return shown


@pytest.mark.browser
@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_excalidraw_opens_in_excalidraw_with_every_component_and_flow(excalidraw_page, path, tmp_path):
    blueprint = load(path)
    written = render(blueprint, formats=("excalidraw",), out_dir=tmp_path)
    assert [p.name for p in written] == [f"{path.stem}.excalidraw"]
    check_excalidraw(excalidraw_page, blueprint, written[0].read_text(encoding="utf-8"))


@pytest.mark.browser
@pytest.mark.parametrize(("view", "detail"), [("serving", "grouped"), ("all", "full"), ("training", "grouped")])
def test_excalidraw_views_and_detail(excalidraw_page, view, detail):
    blueprint = load(NEWS_FEED)
    text = draw(blueprint, "excalidraw", view=view, detail=detail, direction="TB" if view == "serving" else None)
    assert isinstance(text, str)
    check_excalidraw(excalidraw_page, blueprint, text, view=view, detail=detail)


def _on_outline(point, box, slack: float) -> bool:
    x, y = point
    inside = (
        box["x"] - slack <= x <= box["x"] + box["width"] + slack
        and box["y"] - slack <= y <= box["y"] + box["height"] + slack
    )
    deep = (
        box["x"] + slack < x < box["x"] + box["width"] - slack
        and box["y"] + slack < y < box["y"] + box["height"] - slack
    )
    return inside and not deep


@pytest.mark.browser
def test_excalidraw_arrows_follow_a_box_the_user_drags(excalidraw_page):
    """The bindings are live in the real editor: drag the app's box and the arrows bound to it follow it."""
    excalidraw_client.opened(excalidraw_page, draw(load(NEWS_FEED), "excalidraw"))
    before, after = excalidraw_client.dragged(excalidraw_page, "component.app", 150)
    old, new = ({e["id"]: e for e in elements} for elements in (before, after))
    app = new["component.app"]
    assert app["y"] == pytest.approx(old["component.app"]["y"] + 150, abs=2) and app["x"] == old["component.app"]["x"]
    bound = [b["id"] for b in app["boundElements"] if b["type"] == "arrow"]
    assert len(bound) >= 2
    for arrow_id in bound:
        arrow, was = new[arrow_id], old[arrow_id]
        at = 0 if arrow["start"] == "component.app" else -1
        other = -1 - at
        end = (arrow["x"] + arrow["points"][at][0], arrow["y"] + arrow["points"][at][1])
        assert _on_outline(end, app, 4), arrow_id  # re-attached to the moved box
        far = (arrow["x"] + arrow["points"][other][0], arrow["y"] + arrow["points"][other][1])
        was_far = (was["x"] + was["points"][other][0], was["y"] + was["points"][other][1])
        assert far == pytest.approx(was_far, abs=2), arrow_id  # the other end stays (Excalidraw keeps its 1 px gap)


@pytest.mark.browser
def test_excalidraw_overview_shows_a_box_per_stage(excalidraw_page):
    blueprint = load(NEWS_FEED)
    text = draw(blueprint, "excalidraw", view="overview")
    assert isinstance(text, str)
    shown = excalidraw_client.opened(excalidraw_page, text)
    by_id = {e["id"]: e for e in shown["editor"]}
    stages = [e for e in shown["editor"] if e["id"].startswith("stage.") and e["type"] == "rectangle"]
    titles = {by_id[s["id"] + ".text"]["originalText"].split("\n")[0] for s in stages}
    assert titles == {group_label(group_of(blueprint, cid)) for cid in blueprint.components}
    arrows = [e for e in shown["editor"] if e["type"] == "arrow"]
    assert arrows and all(a["start"] in by_id and a["end"] in by_id for a in arrows)
    assert len(shown["restored"]) == len(json.loads(text)["elements"])


# ---------------------------------------------------------------- draw.io, structurally


def _png_ok(data: bytes) -> tuple[int, int]:
    """The size of a PNG whose every chunk's CRC holds and whose image data inflates to its size."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, size = 8, b"", None
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            size = (width, height)
            row = (width * channels[colour] * depth + 7) // 8 + 1
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert size is not None and len(zlib.decompress(idat)) == row * size[1]  # not interlaced: our icons
    return size


def read_label(value: str) -> str:
    """A draw.io HTML label as text: tags dropped, <br> as a line break, entities decoded."""
    text = re.sub(r"<br>", "\n", value)
    return html.unescape(re.sub(r"<[^>]*>", "", text))


def check_drawio(blueprint, text: str, view: str = "all", detail: str = "grouped") -> dict:
    root = ET.fromstring(text)
    model = root.find("diagram/mxGraphModel")
    assert model is not None
    page_w, page_h = float(model.get("pageWidth")), float(model.get("pageHeight"))
    cells = {c.get("id"): c for c in model.iter("mxCell")}
    assert len(cells) == len(list(model.iter("mxCell")))  # unique ids
    assert cells["0"].get("parent") is None and cells["1"].get("parent") == "0"

    def absolute(cell_id: str) -> tuple[float, float, float, float]:
        cell = cells[cell_id]
        geo = cell.find("mxGeometry")
        x, y = float(geo.get("x")), float(geo.get("y"))
        parent = cell.get("parent")
        if parent not in ("0", "1"):
            px, py, _, _ = absolute(parent)
            x, y = x + px, y + py
        return x, y, float(geo.get("width")), float(geo.get("height"))

    for cell_id, cell in cells.items():
        assert cell_id in ("0", "1") or cell.get("parent") in cells
        if cell.get("vertex") == "1":
            x, y, w, h = absolute(cell_id)
            assert x >= 0 and x + w <= page_w + 0.01 and y >= 0 and y + h <= page_h + 0.01, cell_id
    selected, clusters, grouped = expected(blueprint, view, detail)
    frame_of = {}
    for group, members in clusters.items():
        frame = next(
            c
            for c in cells.values()
            if c.get("id", "").startswith("cluster.") and read_label(c.get("value")) == group_label(group)
        )
        assert "container=1" in frame.get("style")
        frame_of[group] = frame.get("id")
        for cid in members:  # the components are the cluster's children, inside it
            cell = cells[f"component.{cid}"]
            assert cell.get("parent") == frame.get("id")
            geo = cell.find("mxGeometry")
            fw, fh = float(frame.find("mxGeometry").get("width")), float(frame.find("mxGeometry").get("height"))
            assert float(geo.get("x")) >= 0 and float(geo.get("x")) + float(geo.get("width")) <= fw + 0.01
            assert float(geo.get("y")) >= 0 and float(geo.get("y")) + float(geo.get("height")) <= fh + 0.01
    for cid in selected.components:
        cell = cells[f"component.{cid}"]
        assert cell.get("vertex") == "1"
        assert read_label(cell.get("value")) == component_text(blueprint, cid)
        style = dict(part.split("=", 1) for part in cell.get("style").rstrip(";").split(";"))
        assert style["image"].startswith("data:image/png,")
        _png_ok(base64.b64decode(style["image"].removeprefix("data:image/png,"), validate=True))
        badge = cells.get(f"component.{cid}.badge")
        assert (badge is not None) == bool(tech_icon(blueprint.components[cid].tech))
        if badge is not None:
            image = dict(part.split("=", 1) for part in badge.get("style").rstrip(";").split(";"))["image"]
            _png_ok(base64.b64decode(image.removeprefix("data:image/png,"), validate=True))
    edges = [c for c in cells.values() if c.get("edge") == "1"]
    for edge in edges:
        assert edge.get("source") in cells and edge.get("target") in cells
        for point in edge.iter("mxPoint"):
            if point.get("as") != "offset":
                assert 0 <= float(point.get("x")) <= page_w and 0 <= float(point.get("y")) <= page_h
    for index in selected.flows:
        flow = blueprint.flows[index]
        if index in grouped:
            edge = cells[f"flows.{grouped[index].flows[0]}"]
            assert edge.get("target") == frame_of[group_of(blueprint, flow.target)]
            continue
        edge = cells[f"flow.{index}"]
        assert (edge.get("source"), edge.get("target")) == (f"component.{flow.source}", f"component.{flow.target}")
        assert read_label(edge.get("value")) == (flow.data or "")
        assert ("dashed=1" in edge.get("style")) == (DASH[flow.mode.value] != "solid")
    drawn_flows = {i for i in selected.flows if i not in grouped} | {g.flows[0] for g in grouped.values()}
    assert len(edges) == len(drawn_flows)
    return cells


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_drawio_has_every_component_flow_and_cluster(path, tmp_path):
    blueprint = load(path)
    written = render(blueprint, formats=("drawio",), out_dir=tmp_path)
    assert [p.name for p in written] == [f"{path.stem}.drawio"]
    check_drawio(blueprint, written[0].read_text(encoding="utf-8"))


@pytest.mark.parametrize(("view", "detail"), [("serving", "grouped"), ("all", "full")])
def test_drawio_views_and_detail(view, detail):
    blueprint = load(NEWS_FEED)
    text = draw(blueprint, "drawio", view=view, detail=detail)
    assert isinstance(text, str)
    check_drawio(blueprint, text, view=view, detail=detail)


@pytest.fixture(scope="module")
def mxgraph_page(browser):
    page = drawio_client.open_page(browser)
    yield page
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_drawio_opens_in_mxgraph_as_written(mxgraph_page, path):
    """draw.io's engine decodes every cell with its parent, ends, place and words, draws every icon."""
    blueprint = load(path)
    text = draw(blueprint, "drawio")
    assert isinstance(text, str)
    cells = check_drawio(blueprint, text)
    shown = drawio_client.opened(mxgraph_page, text)
    theirs = {c["id"]: c for c in shown["cells"]}
    assert sorted(theirs) == sorted(cells)

    def absolute(cell) -> list[float]:
        geo = cell.find("mxGeometry")
        x, y = float(geo.get("x")), float(geo.get("y"))
        if cell.get("parent") not in ("0", "1"):
            px, py, _, _ = absolute(cells[cell.get("parent")])
            x, y = x + px, y + py
        return [x, y, float(geo.get("width")), float(geo.get("height"))]

    for cell_id, cell in cells.items():
        if cell_id in ("0", "1"):
            continue
        mine = theirs[cell_id]
        assert mine["parent"] == cell.get("parent")
        assert mine["label"] == read_label(cell.get("value")), cell_id
        if mine["label"].strip():
            assert no_space(mine["drawn"] or "") == no_space(mine["label"]), cell_id  # drawn as written
        if cell.get("vertex") == "1":
            assert mine["bounds"] == pytest.approx(absolute(cell), abs=0.01), cell_id
        else:
            assert (mine["source"], mine["target"]) == (cell.get("source"), cell.get("target"))
            for end, (x, y) in ((mine["source"], mine["points"][0]), (mine["target"], mine["points"][-1])):
                bx, by, bw, bh = theirs[end]["bounds"]  # the route starts and ends on its cells
                assert bx - 2 <= x <= bx + bw + 2 and by - 2 <= y <= by + bh + 2, (cell_id, end)
    icons = [c for c in shown["cells"] if c["id"].startswith("component.")]  # kind icons and tech badges
    assert all(c["image"].startswith("data:image/png;base64,") for c in icons)
    badges = [cid for cid in blueprint.components if tech_icon(blueprint.components[cid].tech)]
    assert len(icons) == len(blueprint.components) + len(badges)
    assert all(theirs[f"component.{cid}.badge"]["parent"] == f"component.{cid}" for cid in badges)
    assert shown["images"] == shown["imagesDecoded"] == len(icons)


def test_drawio_overview_has_a_box_per_stage_and_edges_between_them():
    blueprint = load(NEWS_FEED)
    text = draw(blueprint, "drawio", view="overview")
    assert isinstance(text, str)
    cells = {c.get("id"): c for c in ET.fromstring(text).iter("mxCell")}
    stages = [c for c in cells.values() if c.get("id", "").startswith("stage.")]
    titles = {read_label(c.get("value")).split("\n")[0] for c in stages}
    assert titles == {group_label(group_of(blueprint, cid)) for cid in blueprint.components}
    edges = [c for c in cells.values() if c.get("edge") == "1"]
    assert edges and all(e.get("source") in cells and e.get("target") in cells for e in edges)


# ---------------------------------------------------------------- bytes, files, the command line


def test_same_bytes_every_run_and_one_layout_for_all_formats(tmp_path):
    blueprint = load(NEWS_FEED)
    first = render(blueprint, formats=("svg", "excalidraw", "drawio"), out_dir=tmp_path / "a")
    second = render(load(NEWS_FEED), formats=("excalidraw", "drawio"), out_dir=tmp_path / "b")
    assert [p.name for p in first] == ["news_feed.svg", "news_feed.excalidraw", "news_feed.drawio"]
    for path in second:
        assert path.read_bytes() == (tmp_path / "a" / path.name).read_bytes()
    scene = json.loads(first[1].read_text(encoding="utf-8"))
    assert {e["updated"] for e in scene["elements"]} == {1}
    assert {f["created"] for f in scene["files"].values()} == {1}


def test_cli_writes_the_exports_and_standard_output_gets_the_same_bytes(mlsd, tmp_path):
    done = mlsd("render", str(NEWS_FEED), "-f", "excalidraw", "-f", "drawio", "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    for fmt in ("excalidraw", "drawio"):
        piped = mlsd("render", str(NEWS_FEED), "-f", fmt, "-o", "-")
        assert piped.returncode == 0, piped.stderr
        assert piped.stdout == (tmp_path / f"news_feed.{fmt}").read_text(encoding="utf-8")


def test_all_or_nothing_with_the_other_formats(mlsd, tmp_path):
    (tmp_path / "news_feed.drawio").mkdir()  # a folder where the draw.io file would go
    done = mlsd("render", str(NEWS_FEED), "-f", "svg", "-f", "excalidraw", "-f", "drawio", "-o", str(tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "news_feed.drawio" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["news_feed.drawio"]


def test_invalid_blueprint_gives_located_errors_not_a_traceback(mlsd, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("mlsd: 1\nname: x\ncomponents:\n  a: {kind: nope}\nflows: []\n", encoding="utf-8")
    done = mlsd("render", str(bad), "-f", "excalidraw", "-o", str(tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr and "bad.yaml:4" in done.stderr


def check_excalidraw_structure(blueprint, text: str, view: str, detail: str) -> None:
    """What Excalidraw's restore would need, without a browser: unique ids, two-way bindings, every part there."""
    elements = json.loads(text)["elements"]
    by_id = {e["id"]: e for e in elements}
    assert len(by_id) == len(elements)
    for element in elements:
        if element.get("containerId"):
            assert {"id": element["id"], "type": "text"} in by_id[element["containerId"]]["boundElements"]
        for binding in (element.get("startBinding"), element.get("endBinding")):
            if binding:
                assert {"id": element["id"], "type": "arrow"} in by_id[binding["elementId"]]["boundElements"]
                assert -1 <= binding["focus"] <= 1 and binding["gap"] >= 1
        for bound in element.get("boundElements") or []:
            assert bound["id"] in by_id
    selected, clusters, grouped = expected(blueprint, view, detail)
    assert all(f"component.{cid}" in by_id for cid in selected.components)
    for index in selected.flows:
        key = f"flows.{grouped[index].flows[0]}" if index in grouped else f"flow.{index}"
        assert by_id[key]["type"] == "arrow"
    assert sum(e["type"] == "arrow" for e in elements) == len(
        {i for i in selected.flows if i not in grouped} | {g.flows[0] for g in grouped.values()}
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    clustered_blueprints(),
    st.sampled_from(["all", "serving", "training", "data", "monitoring"]),
    st.sampled_from(["LR", "TB"]),
    st.sampled_from(["grouped", "full"]),
)
def test_every_random_blueprint_exports_every_part(bp, view, direction, detail):
    """Random clustered blueprints (the layout property tests' own), laid out by the real Graphviz: both exports
    hold every component and flow of the view, with bindings and cell ends that exist."""
    from mlsd_diagram.outputs.diagram import _draw

    drawn, _ = _draw(bp, ["excalidraw", "drawio"], view, direction, 1.0, None, "", detail)
    check_excalidraw_structure(bp, str(drawn["excalidraw"]), view, detail)
    check_drawio(bp, str(drawn["drawio"]), view, detail)


# ---------------------------------------------------------------- the pieces


def test_drawio_labels_are_escaped_and_bidi_controls_isolated():
    from mlsd_diagram.outputs.drawio import label_html

    assert label_html('<b>"x" & y</b>') == '&lt;b&gt;"x" &amp; y&lt;/b&gt;'
    assert label_html("abc \u202eflip\nnext") == "<bdi>abc \u202eflip</bdi><br>next"  # cannot reorder "next"
    assert label_html("a\ufffeb") == "a\ufffdb"  # a character XML cannot hold
    for text in ('<script>alert(1)</script> & "q"', "مرحبا RTL \u202e flip 🚀", "line1\nline2"):
        assert read_label(label_html(text)) == text


def test_excalidraw_z_order_keys_sort_in_drawing_order():
    from mlsd_diagram.outputs.excalidraw import _index

    keys = [_index(n) for n in range(62 + 62**2 + 5)]
    assert keys[:3] == ["a0", "a1", "a2"] and keys[62] == "b00" and keys[62 + 62**2] == "c000"
    assert keys == sorted(keys) and len(set(keys)) == len(keys)  # byte order, as fractional indexes compare


def test_a_label_point_is_added_on_the_route_without_changing_the_line():
    from mlsd_diagram.outputs.excalidraw import label_route

    route = ((0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (100.0, 300.0))
    routed = label_route(route, (20.0, 5.0))  # the picture's label beside the first segment
    assert len(routed) % 2 == 1 and routed[len(routed) // 2] == (20.0, 0.0)
    assert routed[0] == route[0] and routed[-1] == route[-1]
    for p in routed:  # every point on the original polyline
        assert any(
            abs((b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])) < 1e-6
            and min(a[0], b[0]) <= p[0] <= max(a[0], b[0])
            and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])
            for a, b in zip(route, route[1:])
        )
    assert label_route(route, None) == route


def test_binding_focus_is_excalidraws_measure():
    """Excalidraw's determineFocusDistance on a 100 x 100 box: through the centre 0, a quarter above +0.5."""
    from mlsd_diagram.outputs.excalidraw import focus
    from mlsd_diagram.outputs.geometry import Box

    box = Box(0, 0, 100, 100)
    assert focus(box, (-100, 50), (0, 50)) == 0
    assert focus(box, (-100, 25), (0, 25)) == pytest.approx(0.5)
    assert focus(box, (-100, 75), (0, 75)) == pytest.approx(-0.5)
    assert focus(box, (50, -100), (50, 0)) == 0
    assert focus(box, (0, 50), (0, 50)) == 0  # no direction: the centre


def test_binding_focus_of_an_end_that_leaves_along_the_frame_is_at_most_one():
    """Graphviz may start an edge on a box's top side heading sideways (one of three parallel flows between two
    components: the layout the random export test found): the last segment, extended, passes outside the box,
    where Excalidraw's measure is past 1 (-1.1974 here). Excalidraw's focus is in [-1, 1]: that end is aimed
    at the box's edge, as far off-centre as a focus goes."""
    from mlsd_diagram.outputs.excalidraw import focus
    from mlsd_diagram.outputs.geometry import Box

    box = Box(42.67, 145.33, 112.0, 77.33)
    end = (115.49, 145.33)
    assert focus(box, (end[0] + 44.94, end[1] + 4.09), end) == -1.0


def test_a_layout_it_cannot_read_is_a_render_error():
    from mlsd_diagram.outputs.diagram import RenderError, _editable_exports

    blueprint = load(NEWS_FEED)
    for layout in ("not json", "{}", '{"bb": "0,0,10,10", "objects": [{"name": "ghost", "pos": "1,1"}]}'):
        with pytest.raises(RenderError):
            _editable_exports(blueprint, layout, "all", ["excalidraw", "drawio"])


# ---------------------------------------------------------------- the request view: a chart, not boxes and arrows

BUNDLED = sorted((HERE.parent.parent / "blueprints").glob("*.yaml"))
PX = 4 / 3  # px per point


def _excalidraw_chart(shown: dict) -> dict[str, dict]:
    """Every element the Excalidraw editor holds, as the chart checks read it: box, text, fill, outline, dash."""
    out = {}
    for e in shown["editor"]:
        item = {"box": (e["x"], e["y"], e["width"], e["height"]), "group": e["groupIds"], "type": e["type"]}
        if e["type"] == "rectangle":
            stroke = None if e["strokeColor"] == "transparent" else e["strokeColor"]
            item.update(
                fill=e["backgroundColor"], stroke=stroke, dashed=stroke is not None and e["strokeStyle"] == "dashed"
            )
        elif e["type"] == "text":
            item.update(text=e["originalText"], colour=e["strokeColor"], align=e["textAlign"])
        elif e["type"] == "line":
            item.update(
                ends=[(e["x"] + x, e["y"] + y) for x, y in e["points"]],
                colour=e["strokeColor"],
                dashed=e["strokeStyle"] == "dashed",
            )
        out[e["id"]] = item
    return out


def _mxgraph_chart(shown: dict) -> dict[str, dict]:
    """Every cell mxGraph decoded and drew, as the chart checks read it."""
    out = {}
    for c in shown["cells"]:
        if c["id"] in ("0", "1") or c["style"] == "group":  # a group holds the chart's cells, draws nothing
            continue
        if c["edge"]:
            item = {"type": "line", "ends": c["points"], "colour": c["stroke"], "dashed": c["dashed"]}
        elif c["label"]:
            assert no_space(c["drawn"] or "") == no_space(c["label"]), c["id"]  # drawn as written
            item = {"type": "text", "box": tuple(c["bounds"]), "text": c["label"], "colour": c["fontColor"]}
        else:
            stroke = None if c["stroke"] in (None, "none") else c["stroke"]
            item = {"type": "rectangle", "box": tuple(c["bounds"]), "fill": c["fill"], "stroke": stroke}
            item["dashed"] = stroke is not None and c["dashed"]
        out[c["id"]] = item
    return out


def check_request_chart(blueprint, shapes: dict[str, dict]) -> dict[str, float]:
    """The request view's chart as a client holds it, against the waterfall: every row's name, bars, timeout
    mark and figures with their words and colours, bars placed and sized by their times, the axis, the SLO line;
    nothing else. Returns the chart's left edge and px per ms."""
    from mlsd_diagram.outputs.request_view import (
        AXIS_INK,
        CRITICAL,
        KEY,
        OTHER,
        SLO_INK,
        TIMEOUT_INK,
        figure_text,
        row_text,
        slo_text,
        ticks,
        title_text,
        waterfall,
    )

    fall = waterfall(blueprint)
    axis = shapes["axis"]
    assert axis["type"] == "rectangle" and axis["fill"] == AXIS_INK
    x0, _, chart_width, _ = axis["box"]
    marks = ticks(fall)
    per_ms = chart_width / marks[-1][0]  # the axis runs from 0 to its last tick

    def centre(item) -> tuple[float, float]:
        x, y, w, h = item["box"]
        return x + w / 2, y + h / 2

    expected = {"axis", "title", "key"}
    for row, bar in enumerate(fall.bars):
        name, figures, p99 = shapes[f"row-{row}"], shapes[f"figure-{row}"], shapes[f"bar-{row}"]
        assert name["type"] == figures["type"] == "text" and p99["type"] == "rectangle"
        assert name["text"] == row_text(blueprint, bar)
        assert figures["text"] == figure_text(bar)
        p99_fill, p50_fill = CRITICAL if bar.critical else OTHER
        assert p99["fill"] == p99_fill, row
        assert (p99["stroke"], p99["dashed"]) == ((TIMEOUT_INK, True) if bar.cut else (None, False)), row
        x, _, width, _ = p99["box"]
        assert x == pytest.approx(x0 + bar.start_ms * per_ms, abs=1), row  # Graphviz sizes nodes in whole points
        assert width == pytest.approx(max(bar.p99_ms * per_ms, PX), abs=1), row
        middle = centre(p99)[1]
        assert centre(name)[1] == pytest.approx(middle, abs=0.5) and centre(figures)[1] == pytest.approx(
            middle, abs=0.5
        )
        right = x + width
        expected |= {f"row-{row}", f"figure-{row}", f"bar-{row}"}
        if bar.p50_ms is not None and bar.p50_ms > 0:
            p50 = shapes[f"p50-{row}"]
            assert p50["fill"] == p50_fill and p50["stroke"] is None
            assert p50["box"][0] == pytest.approx(x0 + bar.start_ms * per_ms, abs=1)
            assert p50["box"][2] == pytest.approx(max(min(bar.p50_ms, bar.p99_ms) * per_ms, PX), abs=1)
            assert p50["box"][3] < p99["box"][3] and centre(p50)[1] == pytest.approx(middle, abs=0.5)
            expected.add(f"p50-{row}")
        if bar.timeout_ms is not None:
            mark = shapes[f"timeout-{row}"]
            assert mark["fill"] == TIMEOUT_INK and mark["box"][2] < 3
            assert centre(mark)[0] == pytest.approx(x0 + (bar.start_ms + bar.timeout_ms) * per_ms, abs=1)
            right = max(right, centre(mark)[0])
            expected.add(f"timeout-{row}")
        assert figures["box"][0] >= right - 0.5, row  # the figures follow the bar (or its timeout mark)
    for k, (ms, label) in enumerate(marks):
        tick, words = shapes[f"tick-{k}"], shapes[f"tick-label-{k}"]
        assert tick["fill"] == AXIS_INK and centre(tick)[0] == pytest.approx(x0 + ms * per_ms, abs=1)
        assert words["text"] == label and centre(words)[0] == pytest.approx(x0 + ms * per_ms, abs=1)
        expected |= {f"tick-{k}", f"tick-label-{k}"}
    if fall.slo_ms is not None:
        slo = shapes["slo"]
        (sx, top), (ex, bottom) = slo["ends"]
        assert slo["type"] == "line" and slo["colour"] == SLO_INK and slo["dashed"]
        assert sx == ex == pytest.approx(x0 + fall.slo_ms * per_ms, abs=1)  # vertical, at the SLO
        assert top < centre(shapes["bar-0"])[1] and bottom >= axis["box"][1] - 1  # across every row to the axis
        assert shapes["slo-label"]["text"] == slo_text(fall.slo_ms)
        assert shapes["slo-label"]["box"][0] + shapes["slo-label"]["box"][2] <= sx  # left of the line
        expected |= {"slo", "slo-label"}
    assert shapes["title"]["text"] == title_text(blueprint, fall) and shapes["key"]["text"] == KEY
    assert set(shapes) == expected
    return {"x0": x0, "per_ms": per_ms}


@pytest.mark.browser
@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_request_view_opens_in_excalidraw_as_the_waterfall(excalidraw_page, path, tmp_path):
    blueprint = load(path)
    written = render(blueprint, formats=("excalidraw",), out_dir=tmp_path, view="request")
    assert [p.name for p in written] == [f"{path.stem}-request.excalidraw"]
    text = written[0].read_text(encoding="utf-8")
    mine = json.loads(text)["elements"]
    shown = excalidraw_client.opened(excalidraw_page, text)
    # Excalidraw keeps every element as written: none dropped, deleted, re-indexed or re-worded
    assert [e["id"] for e in shown["restored"]] == [e["id"] for e in shown["editor"]] == [e["id"] for e in mine]
    for written_one, theirs in zip(mine, shown["editor"]):
        assert not theirs["isDeleted"]
        for field in ("index", "groupIds", "text", "originalText", "strokeColor", "backgroundColor", "fontSize"):
            assert theirs[field] == written_one.get(field), (theirs["id"], field)
    texts = [e for e in shown["editor"] if e["type"] == "text"]
    assert sorted(one_space(t) for t in shown["drawnTexts"]) == sorted(one_space(t["text"]) for t in texts)
    shapes = _excalidraw_chart(shown)
    check_request_chart(blueprint, shapes)
    for key, item in shapes.items():  # a row's name, bars, mark and figures move together
        if key.startswith(("bar-", "p50-", "timeout-", "figure-", "row-")):
            assert item["group"] == [f"group.row-{key.rsplit('-', 1)[1]}"], key
    assert shapes["row-0"]["align"] == "left" and shapes["tick-label-0"]["align"] == "center"


@pytest.mark.browser
@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_request_view_opens_in_mxgraph_as_the_waterfall(mxgraph_page, path, monkeypatch):
    blueprint = load(path)
    text, chart = _drawio_request(blueprint, monkeypatch)
    root = ET.fromstring(text)
    model = root.find("diagram/mxGraphModel")
    assert model is not None
    page_w, page_h = float(model.get("pageWidth")), float(model.get("pageHeight"))
    cells = [c.get("id") for c in model.iter("mxCell")]
    assert len(cells) == len(set(cells))
    for geo in model.iter("mxGeometry"):  # every shape on the page
        if geo.get("relative") != "1":
            x, y, w, h = (float(geo.get(k)) for k in ("x", "y", "width", "height"))
            assert x >= 0 and x + w <= page_w + 0.01 and y >= 0 and y + h <= page_h + 0.01
    shown = drawio_client.opened(mxgraph_page, text)
    assert sorted(c["id"] for c in shown["cells"]) == sorted(cells)  # mxGraph decoded every cell
    shapes = _mxgraph_chart(shown)
    check_request_chart(blueprint, shapes)  # the places mxGraph computed from the groups': bars by their times
    check_drawio_groups(text, shown, chart)


def _drawio_request(blueprint, monkeypatch) -> tuple[str, object]:
    """The request view's draw.io file and the chart it was written from (:func:`.editable.request_chart`: every
    part's place on the page, as before any grouping)."""
    from mlsd_diagram.outputs import drawio

    charts = []
    write = drawio.to_drawio
    monkeypatch.setattr(drawio, "to_drawio", lambda chart, *rest: charts.append(chart) or write(chart, *rest))
    text = draw(blueprint, "drawio", view="request")
    assert isinstance(text, str) and len(charts) == 1
    return text, charts[0]


def check_drawio_groups(text: str, shown: dict, chart) -> None:
    """The request view grouped as draw.io groups: each row's name, bars, timeout mark and figures (so the axis
    with its ticks and their labels, the SLO line with its label) are the children of one cell styled `group`
    (a vertex, not connectable, drawn without fill or outline) whose geometry is the box around them, theirs
    relative to its corner; mxGraph places every part at the group's corner plus its offset, which is where the
    chart has it (within the file's 0.01 px). The title and the key are in no group."""
    from mlsd_diagram.outputs.editable import Rule

    cells = {c.get("id"): c for c in ET.fromstring(text).iter("mxCell")}
    theirs = {c["id"]: c for c in shown["cells"]}
    row_parts = ("row-", "bar-", "p50-", "timeout-", "figure-")
    for key in cells:  # every cell of a row under its row's group, as Excalidraw groups them
        if key.startswith(row_parts) and not key.startswith("group."):
            group = f"group.row-{key.rsplit('-', 1)[1]}"
            assert cells[key].get("parent") == theirs[key]["parent"] == group, key
    rows = sum(1 for key in cells if key.startswith("row-"))
    assert rows > 0 and {f"group.row-{n}" for n in range(rows)} <= set(cells)
    for key in ("title", "key"):
        assert cells[key].get("parent") == theirs[key]["parent"] == "1"

    def numbers(element, *names: str) -> list[float]:
        return [float(element.get(name)) for name in names]

    held: dict[str, list] = {}
    for part in (*chart.marks, *chart.rules, *chart.texts):
        parent = f"group.{part.group}" if part.group else "1"
        assert cells[part.key].get("parent") == theirs[part.key]["parent"] == parent, part.key
        if part.group:
            held.setdefault(parent, []).append(part)
    groups = {key for key, cell in cells.items() if cell.get("style") == "group"}
    assert groups == set(held) and {f"group.row-{n}" for n in range(rows)} | {"group.axis"} <= groups
    for key, parts in held.items():
        cell, mine = cells[key], theirs[key]
        assert (cell.get("value"), cell.get("vertex"), cell.get("connectable"), cell.get("parent")) == (
            "",
            "1",
            "0",
            "1",
        )
        assert mine["vertex"] and not mine["connectable"] and (mine["fill"], mine["stroke"]) == ("none", "none")
        gx, gy, gw, gh = numbers(cell.find("mxGeometry"), "x", "y", "width", "height")
        assert mine["bounds"] == pytest.approx([gx, gy, gw, gh], abs=0.01), key
        extents = []
        for part in parts:
            geometry = cells[part.key].find("mxGeometry")
            if isinstance(part, Rule):  # its ends relative to the group's corner, mxGraph's on the page
                ends = [numbers(point, "x", "y") for point in geometry.iter("mxPoint")]
                drawn = [*part.start, *part.end]
                assert [gx + ends[0][0], gy + ends[0][1], gx + ends[1][0], gy + ends[1][1]] == pytest.approx(
                    drawn, abs=0.011
                )
                assert sum(theirs[part.key]["points"], []) == pytest.approx(drawn, abs=0.011), part.key
                (x0, y0), (x1, y1) = ends
                extents.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
                continue
            x, y, w, h = numbers(geometry, "x", "y", "width", "height")
            box = [part.box.x, part.box.y, part.box.width, part.box.height]
            assert [gx + x, gy + y, w, h] == pytest.approx(box, abs=0.011), part.key
            assert theirs[part.key]["bounds"] == pytest.approx(box, abs=0.011), part.key
            extents.append((x, y, x + w, y + h))
        # the group is the box around its parts: from its corner (0, 0) to its width and height
        left, top = min(e[0] for e in extents), min(e[1] for e in extents)
        right, bottom = max(e[2] for e in extents), max(e[3] for e in extents)
        assert (left, top, right, bottom) == pytest.approx((0, 0, gw, gh), abs=0.011), key


def test_request_view_exports_place_the_news_feed_s_figures_by_hand():
    """The news feed's slowest request (figures of `mlsd simulate`): its SLO of 200 ms is the axis' end, 504 pt
    (672 px) wide from 216 pt (288 px): 3.36 px per ms. The ranker's call starts at 23.237 ms and costs
    49.073 ms (timeout 80 ms): x = 288 + 23.237 x 3.36 = 366.08, width 164.89, its timeout mark at 634.88."""
    blueprint = load(NEWS_FEED)
    from mlsd_diagram.outputs.diagram import _draw

    drawn, _ = _draw(blueprint, ["excalidraw", "drawio"], "request", None, 1.0, None, "", "grouped")
    scene = {e["id"]: e for e in json.loads(str(drawn["excalidraw"]))["elements"]}
    cells = {c.get("id"): c for c in ET.fromstring(str(drawn["drawio"])).iter("mxCell")}

    def drawio_box(key: str) -> tuple[float, ...]:  # on the page: its group's corner plus its place in it
        geo = cells[key].find("mxGeometry")
        x, y, w, h = (float(geo.get(k)) for k in ("x", "y", "width", "height"))
        if cells[key].get("parent") != "1":
            px, py, _, _ = drawio_box(cells[key].get("parent"))
            x, y = x + px, y + py
        return x, y, w, h

    for box in ((scene["bar-10"]["x"], scene["bar-10"]["width"]), drawio_box("bar-10")[::2]):
        assert box == pytest.approx((366.08, 164.89), abs=1)
    # in draw.io the ranker's row is one group (as in Excalidraw): its cells the children of a `group` cell
    assert {key for key, cell in cells.items() if cell.get("parent") == "group.row-10"} == {
        f"{part}-10" for part in ("row", "bar", "p50", "timeout", "figure")
    }
    assert cells["group.row-10"].get("style") == "group" and cells["group.row-10"].get("connectable") == "0"
    assert {e["id"] for e in scene.values() if e["groupIds"] == ["group.row-10"]} == {
        f"{part}-10" for part in ("row", "bar", "p50", "timeout", "figure")
    }
    assert scene["row-10"]["text"] == "\u2003\u20033 Multi-task ranker"
    assert scene["figure-10"]["text"] == "p99 49.1 ms \u00b7 p50 26.5 ms \u00b7 timeout 80 ms"
    assert read_label(cells["figure-10"].get("value")) == scene["figure-10"]["text"]
    assert scene["bar-10"]["backgroundColor"] == "#D55E00" and "fillColor=#D55E00;" in cells["bar-10"].get("style")
    assert scene["timeout-10"]["x"] + scene["timeout-10"]["width"] / 2 == pytest.approx(634.88, abs=1)
    # the A/B bucketing call (row 3) is off the latency path: light blue, 2.009 ms wide
    assert scene["bar-3"]["backgroundColor"] == "#A6CEE3" and scene["bar-3"]["width"] == pytest.approx(6.75, abs=1)
    assert scene["axis"]["x"] == pytest.approx(288, abs=0.5) and scene["axis"]["width"] == pytest.approx(672, abs=1)
    slo = scene["slo"]
    assert slo["type"] == "line" and slo["strokeStyle"] == "dashed" and slo["x"] == pytest.approx(960, abs=1)
    assert slo["points"][1][0] == 0 and slo["points"][1][1] > 14 * 32  # down across the 14 rows
    edge = cells["slo"]
    assert edge.get("edge") == "1" and "endArrow=none;" in edge.get("style") and "dashed=1;" in edge.get("style")


def test_a_call_its_timeout_cuts_is_outlined_dashed_in_both_exports():
    from test_request_view import SMALL

    from mlsd_diagram import loads
    from mlsd_diagram.outputs.diagram import _draw

    blueprint = loads(SMALL)
    drawn, _ = _draw(blueprint, ["excalidraw", "drawio"], "request", None, 1.0, None, "", "grouped")
    scene = {e["id"]: e for e in json.loads(str(drawn["excalidraw"]))["elements"]}
    cells = {c.get("id"): c for c in ET.fromstring(str(drawn["drawio"])).iter("mxCell")}
    # row 3 is b, cut by its 25 ms timeout: outlined, dashed; the others are not
    assert (scene["bar-3"]["strokeColor"], scene["bar-3"]["strokeStyle"]) == ("#000000", "dashed")
    assert "strokeColor=#000000;" in cells["bar-3"].get("style") and "dashed=1;" in cells["bar-3"].get("style")
    for row in (0, 1, 2, 4):
        assert scene[f"bar-{row}"]["strokeColor"] == "transparent"
        assert "strokeColor=none;" in cells[f"bar-{row}"].get("style") and "dashed" not in cells[f"bar-{row}"].get(
            "style"
        )
    assert scene["figure-3"]["text"].endswith("timeout 25 ms (cut)")


def test_request_view_exports_same_bytes_every_run_and_with_the_pictures(tmp_path):
    first = render(load(NEWS_FEED), formats=("svg", "excalidraw", "drawio"), out_dir=tmp_path / "a", view="request")
    second = render(load(NEWS_FEED), formats=("drawio", "excalidraw"), out_dir=tmp_path / "b", view="request")
    assert [p.name for p in first] == [
        "news_feed-request.svg",
        "news_feed-request.excalidraw",
        "news_feed-request.drawio",
    ]
    for path in second:
        assert path.read_bytes() == (tmp_path / "a" / path.name).read_bytes()


@pytest.mark.browser
def test_request_view_with_a_cut_call_and_hostile_words_opens_in_both_clients(excalidraw_page, mxgraph_page):
    """The small request (a call cut by its timeout) with markup, quotes and a backslash in a row's name: both
    clients hold the chart with the words as written and the cut call's dashed outline."""
    from test_request_view import HOSTILE, SMALL

    from mlsd_diagram import loads

    blueprint = loads(SMALL.replace("label: Scorer", f"label: {json.dumps(HOSTILE)}"))
    excalidraw = str(draw(blueprint, "excalidraw", view="request"))
    drawio = str(draw(blueprint, "drawio", view="request"))
    for shapes in (
        _excalidraw_chart(excalidraw_client.opened(excalidraw_page, excalidraw)),
        _mxgraph_chart(drawio_client.opened(mxgraph_page, drawio)),
    ):
        check_request_chart(blueprint, shapes)
        assert shapes["row-1"]["text"] == "1 " + HOSTILE
        assert shapes["bar-3"]["dashed"] and shapes["bar-3"]["stroke"] == "#000000"
