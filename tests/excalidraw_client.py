"""Excalidraw, the real client of the `.excalidraw` export, in headless Chromium.

``bundle(folder)`` builds Excalidraw's own npm package (``@excalidraw/excalidraw``, with its React
peers, all pinned in tests/js) into one script with esbuild; ``open_page(browser, script)`` loads it
into a local page that may fetch nothing from the network. ``opened(page, text)`` opens a scene the
way the Excalidraw app opens a file (``loadFromBlob``: parse, check, restore and repair), mounts the
real editor (``<Excalidraw initialData>``) with it, and reads back what the editor holds
(``getSceneElements``) and what it draws (``exportToSvg``: each text element's lines, the images).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from mlsd_testing import ROOT

JS = ROOT / "tests" / "js"
ESBUILD = JS / "node_modules" / ".bin" / "esbuild"
CSS = JS / "node_modules" / "@excalidraw" / "excalidraw" / "dist" / "prod" / "index.css"

# What the editor holds after opening the file, and what its SVG export draws.
_OPENED = """async (text) => {
    const {loadFromBlob, exportToSvg, Excalidraw} = ExcalidrawLib;
    if (window.mlsdRoot) window.mlsdRoot.unmount();  // the editor of the previous scene
    const restored = await loadFromBlob(new Blob([text], {type: 'application/json'}), null, null);
    const host = document.getElementById('root');
    let ready;
    const apiReady = new Promise(resolve => { ready = resolve; });
    const root = ReactDOMClient.createRoot(host);
    root.render(React.createElement(Excalidraw, {
        initialData: {elements: restored.elements, appState: restored.appState, files: restored.files},
        excalidrawAPI: api => ready(api),
    }));
    const api = await apiReady;
    for (let i = 0; i < 200 && api.getSceneElements().length < restored.elements.length; i++) {
        await new Promise(resolve => setTimeout(resolve, 25));
    }
    const elements = api.getSceneElements();
    const svg = await exportToSvg({elements, appState: {...api.getAppState(), exportBackground: true},
                                   files: api.getFiles()});
    const images = [...svg.querySelectorAll('image')].map(i => i.getAttribute('href') || i.getAttribute('xlink:href'));
    const decoded = await Promise.all(images.map(href => new Promise(resolve => {
        const img = new Image();
        img.onload = () => resolve(img.naturalWidth);
        img.onerror = () => resolve(0);
        img.src = href;
    })));
    const pick = e => ({
        id: e.id, type: e.type, index: e.index, isDeleted: e.isDeleted,
        x: e.x, y: e.y, width: e.width, height: e.height,
        text: e.text ?? null, originalText: e.originalText ?? null, containerId: e.containerId ?? null,
        boundElements: e.boundElements ?? null, groupIds: e.groupIds,
        start: e.startBinding ? e.startBinding.elementId : null, end: e.endBinding ? e.endBinding.elementId : null,
        points: e.points ?? null, strokeStyle: e.strokeStyle, strokeColor: e.strokeColor, fileId: e.fileId ?? null,
        startArrowhead: e.startArrowhead ?? null, endArrowhead: e.endArrowhead ?? null,
        backgroundColor: e.backgroundColor, fontSize: e.fontSize ?? null, textAlign: e.textAlign ?? null,
    });
    const result = {
        restored: restored.elements.map(pick),
        editor: elements.map(pick),
        files: Object.keys(api.getFiles()).sort(),
        drawnTexts: [...svg.querySelectorAll('g')].filter(g => g.querySelector(':scope > text'))
            .map(g => [...g.querySelectorAll(':scope > text')].map(t => t.textContent).join('\\n')),
        images: images.length,
        imageUses: [...svg.querySelectorAll('use')].filter(u => {
            const ref = u.getAttribute('href') || u.getAttribute('xlink:href') || '';
            return ref.startsWith('#') && svg.querySelector(`[id="${ref.slice(1)}"] image`);
        }).length,
        imagesDecoded: decoded.filter(w => w > 0).length,
    };
    window.mlsdApi = api;
    window.mlsdRoot = root;
    window.mlsdPick = pick;
    return result;
}"""

# A user's drag in the editor: press on an element's centre, move down, release (selecting a box in a group
# selects the group: the cluster moves with it). What the editor then holds.
_SHOW = """(id) => {
    const api = window.mlsdApi;
    api.scrollToContent(api.getSceneElements().filter(e => e.id === id), {fitToContent: true});
}"""
_SCREEN_CENTRE = """(id) => {
    const api = window.mlsdApi;
    const element = api.getSceneElements().find(e => e.id === id);
    const s = api.getAppState();
    return [(element.x + element.width / 2 + s.scrollX) * s.zoom.value + s.offsetLeft,
            (element.y + element.height / 2 + s.scrollY) * s.zoom.value + s.offsetTop, s.zoom.value];
}"""
_ELEMENTS = "() => window.mlsdApi.getSceneElements().map(window.mlsdPick)"


def bundle(folder: Path) -> Path:
    """Excalidraw and React bundled into one browser script (``folder/excalidraw.js``) by esbuild."""
    assert ESBUILD.is_file(), "npm packages esbuild and @excalidraw/excalidraw are required in tests/js (make test)"
    script = folder / "excalidraw.js"
    subprocess.run(
        [
            str(ESBUILD),
            "excalidraw-entry.mjs",
            "--bundle",
            "--format=iife",
            f"--outfile={script}",
            '--define:process.env.NODE_ENV="production"',
            "--loader:.woff2=file",
            "--loader:.ttf=file",
            "--legal-comments=none",
            "--log-level=error",
        ],
        cwd=JS,
        check=True,
        timeout=300,
    )
    return script


def _offline(route) -> None:
    url = route.request.url
    if url.startswith(("file:", "data:", "blob:", "about:")):
        route.continue_()
    else:  # Excalidraw asks a CDN for its hand-drawn fonts: no network in the tests
        route.abort()


def open_page(browser, script: Path):
    """A page holding the bundled Excalidraw, with its stylesheet, that reaches no network."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.route("**/*", _offline)
    page.set_content(
        '<!doctype html><html><body style="margin:0">'
        '<div id="root" style="width:1400px;height:900px"></div></body></html>'
    )
    page.add_style_tag(path=str(CSS))
    page.add_script_tag(path=str(script))
    return page


def opened(page, text: str) -> dict:
    """What Excalidraw makes of the scene ``text``: restored and editor elements, files, drawn texts, images.

    The editor stays open on the page for :func:`dragged`, until the next call.
    """
    return page.evaluate(_OPENED, text)


def dragged(page, element_id: str, down: float) -> tuple[list[dict], list[dict]]:
    """The editor's elements before and after the mouse drags ``element_id`` ``down`` scene pixels."""
    page.evaluate(_SHOW, element_id)
    page.wait_for_timeout(300)
    x, y, zoom = page.evaluate(_SCREEN_CENTRE, element_id)
    before = page.evaluate(_ELEMENTS)
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x, y + down * zoom * step / 10)
    page.mouse.up()
    page.wait_for_timeout(300)
    return before, page.evaluate(_ELEMENTS)
