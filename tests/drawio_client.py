"""mxGraph, the diagram engine draw.io is built on, as the client of the `.drawio` export in headless Chromium.

There is no headless draw.io here; its engine is on npm (``mxgraph``, pinned in tests/js). ``opened(page,
text)`` decodes the file's ``mxGraphModel`` with mxGraph's own codec into a graph drawn in the page (as
draw.io reads a file), and reads back every cell: parent, ends, the bounds and route its view computed,
the label text it drew, and whether each image it drew decodes. The graph has draw.io's named style
``group`` (its stylesheet's: no fill, no outline), which draw.io gives the cell it groups cells under.
"""

from __future__ import annotations

from mlsd_testing import ROOT

MXCLIENT = ROOT / "tests" / "js" / "node_modules" / "mxgraph" / "javascript" / "mxClient.js"

# mxClient reads these globals when it loads: no resource bundles or stylesheets fetched from a server.
_SETTINGS = "window.mxLoadResources = false; window.mxLoadStylesheet = false; window.mxBasePath = '.';"

_OPENED = """async (text) => {
    const host = document.getElementById('root');
    host.innerHTML = '';
    const graph = new mxGraph(host);
    graph.setHtmlLabels(true);
    graph.foldingEnabled = false;  // draw.io shows no fold icon on a container styled collapsible=0
    graph.getStylesheet().putCellStyle('group', {  // as draw.io's stylesheet (default.xml) has it
        verticalAlign: 'top', fillColor: 'none', strokeColor: 'none', gradientColor: 'none', pointerEvents: '0'});
    const doc = mxUtils.parseXml(text);
    const node = doc.documentElement.getElementsByTagName('mxGraphModel')[0];
    new mxCodec(doc).decode(node, graph.getModel());
    const asText = html => {
        const div = document.createElement('div');
        div.innerHTML = html.replace(/<br>/g, '\\n');
        return div.textContent;
    };
    const cells = Object.values(graph.getModel().cells).map(cell => {
        const state = graph.view.getState(cell);
        const drawn = state && state.text && state.text.node ? state.text.node.textContent : null;
        return {
            id: cell.id, vertex: !!cell.vertex, edge: !!cell.edge, style: cell.style ?? null,
            connectable: graph.getModel().isConnectable(cell),
            parent: cell.parent ? cell.parent.id : null,
            source: cell.source ? cell.source.id : null, target: cell.target ? cell.target.id : null,
            label: typeof cell.value === 'string' ? asText(graph.getLabel(cell)) : null,
            drawn: drawn,
            bounds: state && cell.vertex ? [state.x, state.y, state.width, state.height] : null,
            points: state && state.absolutePoints ? state.absolutePoints.map(p => [p.x, p.y]) : null,
            image: state && state.style ? (state.style.image || null) : null,
            fill: state && state.style ? (state.style.fillColor ?? null) : null,
            stroke: state && state.style ? (state.style.strokeColor ?? null) : null,
            dashed: state && state.style ? String(state.style.dashed ?? '0') === '1' : null,
            fontColor: state && state.style ? (state.style.fontColor ?? null) : null,
        };
    });
    const hrefs = [...host.querySelectorAll('image')].map(i => i.getAttribute('xlink:href') || i.getAttribute('href'));
    const widths = await Promise.all(hrefs.map(href => new Promise(resolve => {
        const img = new Image();
        img.onload = () => resolve(img.naturalWidth);
        img.onerror = () => resolve(0);
        img.src = href;
    })));
    graph.destroy();
    return {cells, images: hrefs.length, imagesDecoded: widths.filter(w => w > 0).length};
}"""


def open_page(browser):
    """A page with mxGraph loaded, that reaches no network."""
    assert MXCLIENT.is_file(), "npm package mxgraph is required in tests/js (make test installs it)"
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.route("**/*", lambda route: route.abort() if route.request.url.startswith("http") else route.continue_())
    page.set_content('<!doctype html><html><body><div id="root" style="width:1400px;height:900px"></div></body></html>')
    page.add_script_tag(content=_SETTINGS)
    page.add_script_tag(path=str(MXCLIENT))
    return page


def opened(page, text: str) -> dict:
    """The cells mxGraph decoded from ``text`` and drew, and how many drawn images decode."""
    return page.evaluate(_OPENED, text)
