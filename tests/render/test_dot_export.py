"""The DOT export is usable on its own: plain Graphviz renders it, from its folder or from elsewhere."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from mlsd_diagram import load
from mlsd_diagram.outputs import fonts, icons
from mlsd_diagram.outputs.diagram import dot_binary, render

HERE = Path(__file__).resolve().parent
SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"


def _plain_dot(args: list[str], cwd: Path, tmp: Path) -> subprocess.CompletedProcess:
    """Graphviz alone on the exported file (with the bundled font, so its picture is comparable to ours)."""
    env = fonts.dot_environment(dict(os.environ), tmp)
    return subprocess.run([dot_binary(), *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=env)


def test_plain_dot_renders_the_export_from_its_folder_as_mlsd_does(blueprint_path, tmp_path):
    out = tmp_path / "output"
    stem = blueprint_path.stem
    paths = render(load(blueprint_path), formats=("dot", "png", "svg"), out_dir=out)
    assert [p.name for p in paths] == [f"{stem}.dot", f"{stem}.icons", f"{stem}.png", f"{stem}.svg"]

    # what the README says: cd output && dot -Tpng news_feed.dot -o news_feed.png
    done = _plain_dot(["-Tpng", f"{stem}.dot", "-o", "plain.png", "-Tsvg", "-o", "plain.svg"], out, tmp_path)
    assert done.returncode == 0 and done.stderr == "", done.stderr  # no "No or improper image file" warning
    assert (out / "plain.png").read_bytes() == (out / f"{stem}.png").read_bytes()  # the very same picture
    svg = ET.parse(out / "plain.svg").getroot()
    hrefs = [image.get(XLINK) for image in svg.iter(f"{SVG_NS}image")]
    assert len(hrefs) >= len(load(blueprint_path).components)  # every component's icon is drawn
    assert all((out / href).is_file() and href.startswith(f"{stem}.icons/") for href in hrefs), hrefs[:3]

    # from another folder, the documented way: dot -Gimagepath=output -Tpng output/news_feed.dot
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = _plain_dot(
        ["-Gimagepath=../output", "-Tpng", f"../output/{stem}.dot", "-o", "other.png"], elsewhere, tmp_path
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert (elsewhere / "other.png").read_bytes() == (out / f"{stem}.png").read_bytes()

    # and without that option it fails, as Graphviz resolves image paths against its working folder
    done = _plain_dot(["-Tpng", f"../output/{stem}.dot", "-o", "broken.png"], elsewhere, tmp_path)
    assert "No or improper image file" in done.stderr


def test_the_icon_folder_holds_exactly_the_icons_used(tmp_path):
    bp = load(HERE / "data" / "loop4.yaml")
    out = tmp_path / "out"
    render(bp, formats=("dot",), out_dir=out)
    text = (out / "loop4.dot").read_text()
    sources = re.findall(r'<IMG SRC="([^"]+)"', text)
    assert sources and all(src.startswith("loop4.icons/") for src in sources)
    folder = out / "loop4.icons"
    assert sorted(p.name for p in folder.iterdir()) == sorted({src.split("/", 1)[1] for src in sources})
    expected = {icons.exported_name(icons.component_icon(bp, cid)) for cid in bp.components}
    expected |= {
        icons.exported_name(icons.tech_icon(c.tech)) for c in bp.components.values() if icons.tech_icon(c.tech)
    }
    assert {p.name for p in folder.iterdir()} == expected
    for path in folder.iterdir():  # byte copies of the icons Graphviz uses for our own renders
        ref = next(
            r
            for r in [
                *icons.KIND_ICONS.values(),
                *icons.SERVICE_ROLE_ICONS.values(),
                *icons.TECH_ICONS.values(),
                icons.CUSTOM_KIND_ICON,
            ]
            if icons.exported_name(r) == path.name
        )
        assert path.read_bytes() == icons.icon_file(ref).read_bytes()

    # the blueprint drops its tech badges: the next export's folder drops their icons, nothing else is left over
    source = (HERE / "data" / "loop4.yaml").read_text()
    changed = tmp_path / "loop4.yaml"
    changed.write_text(re.sub(r", tech: [^,}]+", "", source))
    render(load(changed), formats=("dot",), out_dir=out)
    left = {p.name for p in folder.iterdir()}
    assert left == {icons.exported_name(icons.component_icon(bp, cid)) for cid in bp.components}
    assert not any(name.startswith(".tmp-") for name in os.listdir(out)), os.listdir(out)


def test_exported_icon_names_never_collide():
    refs = {
        *icons.KIND_ICONS.values(),
        *icons.SERVICE_ROLE_ICONS.values(),
        *icons.TECH_ICONS.values(),
        icons.CUSTOM_KIND_ICON,
    }
    names = {icons.exported_name(ref) for ref in refs}
    assert len(names) == len(refs)
    assert all("/" not in name and name.endswith(".png") for name in names)


def test_a_copied_output_folder_still_renders(tmp_path):
    """The export and its icons are self-contained: copy the folder anywhere and it renders."""
    render(load(HERE / "data" / "loop4.yaml"), formats=("dot",), out_dir=tmp_path / "a")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    shutil.rmtree(tmp_path / "a")
    done = _plain_dot(["-Tsvg", "loop4.dot", "-o", "loop4.svg"], tmp_path / "b", tmp_path)
    assert done.returncode == 0 and done.stderr == "", done.stderr
