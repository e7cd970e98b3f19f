"""Real renders (Graphviz, files on disk) asserted on their content."""

from __future__ import annotations

import os
import re
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mlsd_diagram import load
from mlsd_diagram.outputs.diagram import RenderError, render, render_svg_text
from mlsd_diagram.outputs.dot import layout_plan, to_dot
from mlsd_diagram.outputs.views import select_view

HERE = Path(__file__).resolve().parent
BUNDLED = sorted((HERE.parent.parent / "blueprints").glob("*.yaml"))

SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"


def _png_size(data: bytes) -> tuple[int, int]:
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_bundled_blueprints_exist():
    assert [p.stem for p in BUNDLED] == ["event_recommendation", "news_feed", "video_search"]


def test_png_svg_pdf_have_the_expected_content(blueprint, tmp_path):
    paths = render(blueprint, formats=("png", "svg", "pdf", "dot", "mermaid"), out_dir=tmp_path)
    stem = Path(blueprint.file).stem
    assert [p.name for p in paths] == [
        f"{stem}.png",
        f"{stem}.svg",
        f"{stem}.pdf",
        f"{stem}.dot",
        f"{stem}.icons",
        f"{stem}.mmd",
    ]
    png, pdf = paths[0].read_bytes(), paths[2].read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = _png_size(png)
    assert 400 <= width <= 8192 and 200 <= height <= 8192, (width, height)
    assert pdf.startswith(b"%PDF-") and b"/CreationDate (D:2" not in pdf

    root = ET.fromstring(paths[1].read_text(encoding="utf-8"))
    nodes = {g.get("id") for g in root.iter(f"{SVG_NS}g") if g.get("class") == "node"}
    assert nodes == {f"component-{cid}" for cid in blueprint.components}
    edges = {g.get("id") for g in root.iter(f"{SVG_NS}g") if g.get("class") == "edge"}
    # grouped telemetry and deploy edges (the default detail) name their flows in their class
    groups = {
        g.get("id"): g.get("class").split()[1:]
        for g in root.iter(f"{SVG_NS}g")
        if (g.get("class") or "").startswith("edge flow-")
    }
    assert all(i == f"flows-{members[0][len('flow-') :]}" and len(members) >= 2 for i, members in groups.items())
    grouped = [m for members in groups.values() for m in members]
    assert sorted([*edges, *grouped]) == sorted(edges | set(grouped))  # each flow drawn once
    assert edges | set(grouped) == {f"flow-{i}" for i in range(len(blueprint.flows))}
    symbols = {el.get("id"): el for el in root.iter(f"{SVG_NS}symbol")}
    images = [el for el in root.iter(f"{SVG_NS}image")]
    uses = [el for el in root.iter(f"{SVG_NS}use")]
    assert len(uses) >= len(blueprint.components)  # one icon per component, plus tech badges
    assert len(images) == len(symbols) == len({u.get(XLINK) for u in uses})  # each icon embedded once
    for image in images:  # icons embedded: nothing points at a file path
        assert image.get(XLINK).startswith("data:image/png;base64,"), image.get(XLINK)[:80]
    for use in uses:  # every drawn icon refers to an embedded one
        assert use.get(XLINK).startswith("#") and use.get(XLINK)[1:] in symbols, use.get(XLINK)
    # natural size: width in points matches the viewBox
    view_box = [float(x) for x in root.get("viewBox").split()]
    assert root.get("width") == f"{view_box[2]:.0f}pt"


def test_tooltips_carry_kind_tech_and_notes(tmp_path):
    bp = load(HERE / "data" / "loop4.yaml")
    svg = render_svg_text(bp)
    root = ET.fromstring(svg)
    node = next(g for g in root.iter(f"{SVG_NS}g") if g.get("id") == "component-model")
    titles = [a.get("{http://www.w3.org/1999/xlink}title") for a in node.iter(f"{SVG_NS}a")]
    assert any(
        "kind: inference_service" in t and "tech: sagemaker" in t and "C:\\models\\v2 <latest> & more" in t
        for t in titles
        if t
    ), titles


def _contents(paths: list[Path]) -> dict[str, bytes | dict[str, bytes]]:
    """Each written file's bytes; for a folder (the DOT export's icons), each of its files' bytes."""
    return {p.name: p.read_bytes() if p.is_file() else {c.name: c.read_bytes() for c in p.iterdir()} for p in paths}


def test_reruns_give_identical_bytes(blueprint, tmp_path):
    formats = ("png", "svg", "pdf", "dot", "mermaid", "excalidraw", "drawio")
    first = _contents(render(blueprint, formats=formats, out_dir=tmp_path / "a"))
    second = _contents(render(blueprint, formats=formats, out_dir=tmp_path / "b"))
    assert len(first) == len(formats) + 1 and first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name


def test_dot_is_machine_independent(blueprint):
    text = to_dot(blueprint)
    assert "site-packages" not in text and str(Path.home()) not in text and "/work/" not in text
    assert re.search(r"^digraph mlsd \{", text)


def test_retraining_loop_across_four_clusters_renders(tmp_path):
    bp = load(HERE / "data" / "loop4.yaml")
    order, members, backs = layout_plan(bp, select_view(bp.graph))
    loop_groups = {"serving", "data", "features", "training"}
    assert loop_groups <= set(order)
    assert backs  # the loop is closed by a reversed flow
    paths = render(bp, formats=("svg", "png"), out_dir=tmp_path)
    svg = next(p for p in paths if p.suffix == ".svg").read_text(encoding="utf-8")
    titles = [t.text for t in ET.fromstring(svg).iter(f"{SVG_NS}title")]
    assert set(bp.components) <= set(titles)  # every component drawn, by id
    png = next(p for p in paths if p.suffix == ".png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and min(_png_size(png)) > 100


def test_views_cut_the_design_down(tmp_path):
    bp = load(BUNDLED[0])
    serving = select_view(bp.graph, "serving")
    roles = {cid: bp.kind_of(cid) for cid in bp.components}
    assert any(roles[c].name == "client_app" for c in serving.components)
    assert not any(roles[c].name in ("training_pipeline", "drift_detector") for c in serving.components)
    training = select_view(bp.graph, "training")
    assert any(roles[c].name == "model_registry" for c in training.components)
    assert not any(roles[c].name == "client_app" for c in training.components)
    for name in ("serving", "training", "data", "monitoring"):
        view = select_view(bp.graph, name)
        assert 0 < len(view.components) < len(bp.components), name
        paths = render(bp, formats=("svg",), out_dir=tmp_path, view=name)
        assert paths[0].name == f"{Path(bp.file).stem}-{name}.svg"
        svg = paths[0].read_text()
        assert f"component-{view.components[0]}" in svg


def test_direction_tb_and_scale(tmp_path):
    bp = load(HERE / "data" / "loop4.yaml")
    small = render(bp, formats=("png",), out_dir=tmp_path / "1")[0].read_bytes()
    big = render(bp, formats=("png",), out_dir=tmp_path / "2", scale=2.0)[0].read_bytes()
    w1, _ = _png_size(small)
    w2, _ = _png_size(big)
    assert 1.9 * w1 <= w2 <= 2.1 * w1
    assert "rankdir=TB" in to_dot(bp, direction="TB")
    with pytest.raises(ValueError):
        to_dot(bp, direction="XY")
    with pytest.raises(RenderError):
        render(bp, formats=("gif",), out_dir=tmp_path)


def _fake_dot(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "dot"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return folder


def test_one_graphviz_run_for_all_formats(tmp_path, monkeypatch):
    import shutil

    real = shutil.which("dot")
    log = tmp_path / "calls.log"
    bindir = _fake_dot(tmp_path / "bin", f'echo "$@" >> {log}\nexec {real} "$@"\n')
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    bp = load(HERE / "data" / "loop4.yaml")
    render(bp, formats=("png", "svg", "pdf", "dot", "mermaid", "excalidraw", "drawio"), out_dir=tmp_path / "out")
    calls = log.read_text().splitlines()
    # the pictures and the exports come from one drawing run (json: the editable exports' layout), after the
    # layouts that settle the labels (JSON only, see label_room)
    *settling, drawing = calls
    assert all(f"-T{fmt}" in drawing for fmt in ("png", "svg", "pdf", "json"))
    assert settling and all(call.count(" -T") == 1 and "-Tjson" in call for call in settling)
    news_feed = load(HERE.parent.parent / "blueprints" / "news_feed.yaml")
    render(news_feed, formats=("png", "svg", "pdf"), out_dir=tmp_path / "out", view="request")  # a chart: no settling
    assert len(log.read_text().splitlines()) == len(calls) + 1


def test_failed_graphviz_leaves_no_file(tmp_path, mlsd):
    bindir = _fake_dot(tmp_path / "bin", 'echo "Error: simulated failure" >&2\nexit 1\n')
    out = tmp_path / "out"
    done = mlsd(
        "render",
        str(HERE / "data" / "loop4.yaml"),
        "-o",
        str(out),
        env={"PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"},
    )
    assert done.returncode == 2, done.stderr
    assert "Graphviz failed: Error: simulated failure" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists() or list(out.iterdir()) == []


def test_missing_dot_exits_2_with_install_command(tmp_path, mlsd):
    empty = tmp_path / "empty"
    empty.mkdir()
    done = mlsd("render", str(HERE / "data" / "loop4.yaml"), "-o", str(tmp_path / "out"), env={"PATH": str(empty)})
    assert done.returncode == 2
    assert "apt-get install graphviz" in done.stderr and "brew install graphviz" in done.stderr
    assert "Traceback" not in done.stderr
    # formats that need no Graphviz still work without it
    done = mlsd(
        "render",
        str(HERE / "data" / "loop4.yaml"),
        "-o",
        str(tmp_path / "out"),
        "-f",
        "mermaid",
        "-f",
        "dot",
        env={"PATH": str(empty)},
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["loop4.dot", "loop4.icons", "loop4.mmd"]


def test_cli_renders_several_files_and_reports_bad_ones(tmp_path, mlsd):
    bad = tmp_path / "bad.yaml"
    bad.write_text("mlsd: 1\nname: x\ncomponents:\n  a: {kind: api_gatway}\n")
    out = tmp_path / "out"
    done = mlsd("render", *map(str, BUNDLED), str(bad), "-o", str(out), "--view", "serving")
    assert done.returncode == 2
    assert re.search(r"bad\.yaml:4:\d+: error: unknown kind 'api_gatway'", done.stderr)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"{p.stem}-serving.{ext}" for p in BUNDLED for ext in ("png", "svg"))
    assert "bad" not in " ".join(names)


def test_svg_icons_are_embedded_whatever_the_attribute_order():
    """Other Graphviz versions may order <image> attributes differently or write the resolved path."""
    from mlsd_diagram.outputs import icons
    from mlsd_diagram.outputs.diagram import finish_svg

    ref = icons.kind_icon("feature_store")
    absolute = str(icons.icon_file(ref))
    svg = (
        '<svg width="100pt" height="50pt"\n viewBox="0.00 0.00 100.00 50.00" xmlns="http://www.w3.org/2000/svg" '
        'xmlns:xlink="http://www.w3.org/1999/xlink">\n<g id="diagram">\n'
        f'<image xlink:href="{ref}" width="40px" height="40px" preserveAspectRatio="xMinYMin meet" x="1" y="-2"/>\n'
        f'<image x="5" y="-6" width="40px" height="40px" xlink:href="{absolute}"/>\n</g>\n</svg>\n'
    )
    finished = finish_svg(svg)
    root = ET.fromstring(finished)
    uses = root.findall(f".//{SVG_NS}use")
    assert [(u.get(XLINK), u.get("x"), u.get("y")) for u in uses] == [("#icon-0", "1", "-2"), ("#icon-1", "5", "-6")]
    hrefs = [image.get(XLINK) for image in root.iter(f"{SVG_NS}image")]
    assert len(hrefs) == 2 and all(h.startswith("data:image/png;base64,") for h in hrefs)


def test_graphviz_failing_after_the_svg_leaves_no_file(tmp_path):
    """dot draws the SVG (read through a FIFO), then fails on the PNG: nothing is written."""
    import shutil

    real = shutil.which("dot")
    bindir = _fake_dot(tmp_path / "bin", f'"{real}" "$@"\necho "Error: simulated failure after drawing" >&2\nexit 1\n')
    out = tmp_path / "out"
    old_path = os.environ["PATH"]
    os.environ["PATH"] = f"{bindir}{os.pathsep}{old_path}"
    try:
        with pytest.raises(RenderError, match="simulated failure after drawing"):
            render(load(HERE / "data" / "loop4.yaml"), formats=("svg", "png"), out_dir=out)
    finally:
        os.environ["PATH"] = old_path
    assert not out.exists() or list(out.iterdir()) == []


def test_graphviz_writing_no_svg_is_an_error(tmp_path, monkeypatch):
    bindir = _fake_dot(tmp_path / "bin", "cat > /dev/null\nexit 0\n")
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(RenderError, match="wrote no JSON"):  # the layout that settles the labels
        render(load(HERE / "data" / "loop4.yaml"), formats=("svg",), out_dir=tmp_path / "out")
    with pytest.raises(RenderError, match="wrote no SVG"):
        render(
            load(HERE.parent.parent / "blueprints" / "news_feed.yaml"),
            formats=("svg",),
            out_dir=tmp_path / "out",
            view="request",
        )
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_a_failing_dot_build_stops_the_started_dot(tmp_path, monkeypatch):
    """dot starts before the DOT text is built; when building fails, that dot is stopped, nothing written."""
    from mlsd_diagram.outputs.dot import UnknownDirection

    bindir = _fake_dot(tmp_path / "bin", "exec sleep 30\n")
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")

    def children() -> set[str]:
        found = set()
        for listing in Path(f"/proc/{os.getpid()}/task").glob("*/children"):
            found.update(listing.read_text().split())
        return found

    before = children()
    with pytest.raises(UnknownDirection):
        render(
            load(HERE / "data" / "loop4.yaml"), formats=("svg", "png"), out_dir=tmp_path / "out", direction="diagonal"
        )
    assert children() == before  # killed and reaped, not left running or as a zombie
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def _run_with_stderr_on_a_terminal(args: list[str], env: dict) -> tuple[int, str, str]:
    """Run the real CLI with stderr on a pseudo-terminal (stdout piped): (exit code, stdout, terminal text)."""
    import pty
    import subprocess
    import sys

    main_fd, child_fd = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", "from mlsd_diagram.cli import main; main()", *args],
        cwd=HERE.parent.parent,
        stdout=subprocess.PIPE,
        stderr=child_fd,
        env=env,
    )
    os.close(child_fd)
    chunks = []
    while True:
        try:
            chunk = os.read(main_fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    stdout = process.stdout.read().decode()
    process.wait(timeout=180)
    os.close(main_fd)
    return process.returncode, stdout, b"".join(chunks).decode()


def test_several_files_render_in_parallel_with_progress_on_a_terminal_only(tmp_path, mlsd):
    """Progress lines go to a terminal, never into a pipe; the files' dot runs overlap on a multi-core machine."""
    import shutil

    real = shutil.which("dot")
    log = tmp_path / "runs.log"
    # each run logs its start, waits a little (so two runs would surely overlap), then is the real dot
    bindir = _fake_dot(
        tmp_path / "bin",
        f'echo "start $$" >> {log}\nsleep 0.5\n"{real}" "$@"\nstatus=$?\necho "end $$" >> {log}\nexit $status\n',
    )
    env = {**os.environ, "PYTHONPATH": str(HERE.parent.parent), "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"}
    files = [str(HERE / "data" / "loop4.yaml"), str(BUNDLED[0])]
    code, stdout, terminal = _run_with_stderr_on_a_terminal(["render", *files, "-o", str(tmp_path / "a")], env)
    assert code == 0, terminal
    assert "[1/2]" in terminal and "[2/2]" in terminal
    assert stdout.count(": wrote ") == 2
    events = [line.split()[0] for line in log.read_text().splitlines()]
    if (os.cpu_count() or 1) >= 2:
        assert events[:2] == ["start", "start"], events  # the second run started before the first ended

    piped = mlsd("render", *files, "-o", str(tmp_path / "b"), env={"PATH": env["PATH"]})
    assert piped.returncode == 0, piped.stderr
    assert "[1/2]" not in piped.stderr and piped.stdout.count(": wrote ") == 2
