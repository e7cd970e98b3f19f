"""Mermaid, the real client of the `.mmd` output, in headless Chromium: the text it shows.

``shown(page, text)`` renders Mermaid text with the Mermaid library (tests/js) and reads back,
from the SVG it draws, the text of the title, of every node, subgraph and edge label;
``expected(blueprint, view)`` is the same, taken from the blueprint itself. Whitespace runs
count as one space (as HTML shows them); a node shows its label, and its tech on a second line.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter

from mlsd_testing import ROOT

MERMAID_JS = ROOT / "tests" / "js" / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
_IDS = itertools.count()

_SHOWN = """async ([text, id]) => {
    await mermaid.parse(text);
    const {svg} = await mermaid.render(id, text);
    const host = document.createElement('div');
    host.innerHTML = svg;
    document.body.appendChild(host);
    const read = el => {
        if (!el) return null;
        const copy = el.cloneNode(true);
        copy.querySelectorAll('br').forEach(br => br.replaceWith('\\n'));
        return copy.textContent;
    };
    const prefix = id + '-flowchart-';
    const result = {
        title: [...host.querySelectorAll('.flowchartTitleText')].map(read),
        nodes: [...host.querySelectorAll('g.node')].map(g => [g.id.startsWith(prefix)
            ? g.id.slice(prefix.length).replace(/-\\d+$/, '') : g.id, read(g.querySelector('.label'))]),
        clusters: [...host.querySelectorAll('g.cluster')].map(g => read(g.querySelector('.cluster-label'))),
        edges: [...host.querySelectorAll('g.edgeLabel')].map(g => {
            const label = g.querySelector('.label');
            return [label && label.getAttribute('data-id'), read(g)];
        }),
        links: host.querySelectorAll('path.flowchart-link').length,
        scripts: host.querySelectorAll('script').length,
    };
    host.remove();
    return result;
}"""


def open_page(browser):
    """A page with the Mermaid library loaded and initialised as GitHub-like defaults (strict security)."""
    assert MERMAID_JS.is_file(), "npm package mermaid is required in tests/js (make test installs it)"
    page = browser.new_page()
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(path=str(MERMAID_JS))
    page.evaluate("() => mermaid.initialize({startOnLoad: false, securityLevel: 'strict'})")
    return page


def _one_space(text: str) -> str:
    return " ".join(text.split())


def _edge_key(data_id: str | None) -> str | None:
    # Mermaid names a flow's label "L_<from>_<to>_<n>"; drop the count, keep the ends
    return data_id.rsplit("_", 1)[0] if data_id else None


def shown(page, text: str) -> dict:
    """What Mermaid shows for ``text``: title, {node id: text}, Counter of subgraph titles, of (edge ends, label)."""
    raw = page.evaluate(_SHOWN, [text, f"m{next(_IDS)}"])
    return {
        "title": raw["title"],
        "nodes": dict(raw["nodes"]),
        "clusters": Counter(raw["clusters"]),
        "edges": Counter((_edge_key(data_id), label) for data_id, label in raw["edges"] if label),
        "links": raw["links"],
        "scripts": raw["scripts"],
    }


def _expected_overview(blueprint) -> dict:
    """The overview: a node per stage (its name and component count), a labelled link per pair of stages."""
    from mlsd_diagram.outputs.dot import group_label, group_of, layout_plan
    from mlsd_diagram.outputs.mermaid import _group_ids
    from mlsd_diagram.outputs.views import select_view

    stages = Counter(group_of(blueprint, cid) for cid in blueprint.components)
    order, _, _ = layout_plan(blueprint, select_view(blueprint.graph, "all"))  # the ids are numbered in this order
    ids = {g: i.replace("group_", "stage_", 1) for g, i in _group_ids(order, set()).items()}
    links: dict[tuple[str, str], Counter] = {}
    for flow in blueprint.flows:
        a, b = group_of(blueprint, flow.source), group_of(blueprint, flow.target)
        if a != b:
            links.setdefault((a, b), Counter())[flow.mode.value] += 1
    order = ["request", "stream", "batch", "deploy", "fallback", "telemetry"]
    edges = Counter(
        (f"L_{ids[a]}_{ids[b]}", ", ".join(f"{m} \u00d7{c[m]}" for m in order if m in c)) for (a, b), c in links.items()
    )
    title = _one_space(f"{blueprint.name} (overview view)")
    return {
        "title": [] if re.search(r"[<>&]", title) else [title],
        "nodes": {
            ids[g]: f"{_one_space(group_label(g))}\n{n} component{'s' if n != 1 else ''}" for g, n in stages.items()
        },
        "clusters": Counter(),
        "edges": edges,
        "links": len(links),
        "scripts": 0,
    }


def expected(blueprint, view: str = "all") -> dict:
    """What Mermaid should show for ``blueprint``'s ``view``, read from the blueprint."""
    from mlsd_diagram.outputs.dot import group_label, group_of
    from mlsd_diagram.outputs.mermaid import mermaid_id
    from mlsd_diagram.outputs.views import select_view

    if view == "overview":
        return _expected_overview(blueprint)
    selected = select_view(blueprint.graph, view)
    nodes = {}
    for cid in selected.components:
        component = blueprint.components[cid]
        text = _one_space(component.label or cid)
        nodes[mermaid_id(cid)] = text + (f"\n{_one_space(component.tech)}" if component.tech else "")
    groups = {group_of(blueprint, cid) for cid in selected.components}
    title = _one_space(blueprint.name + ("" if view == "all" else f" ({view} view)"))
    edges = Counter()
    for index in selected.flows:
        flow = blueprint.flows[index]
        if flow.data and _one_space(flow.data):
            edges[(f"L_{mermaid_id(flow.source)}_{mermaid_id(flow.target)}", _one_space(flow.data))] += 1
    return {
        # Mermaid cannot show a title with '<', '>' or '&' as written: the .mmd has none then
        "title": [] if re.search(r"[<>&]", title) else [title],
        "nodes": nodes,
        "clusters": Counter(_one_space(group_label(g)) for g in groups),
        "edges": edges,
        "links": len(selected.flows),
        "scripts": 0,
    }
