"""Layout benchmark: how readable the diagrams are, measured on Graphviz's own layout.

    .venv/bin/python benchmarks/layout.py [--views all serving overview] [--detail grouped|full]
                                          [-G splines=polyline ...] [--json FILE]

For every bundled blueprint (blueprints/*.yaml) and starter template
(mlsd_diagram/starters/blueprints/*.yaml) in each view, the DOT that ``mlsd render``
writes (its labels settled after a first layout, see ``mlsd_diagram/outputs/label_room.py``) is laid out by ``dot -Tjson`` (bundled font, under ``timeout`` and a 4 GB
address-space cap) and measured on what is drawn:

* width and height in inches, aspect (width / height);
* crossings: points where two edges' drawn curves (the Bezier pieces of ``_draw_``,
  flattened into polylines) intersect, not counting meetings near a node both edges touch;
* struck: edge labels (label, xlabel, headlabel or taillabel) that an edge's curve passes (its own
  included) through;
* on frame: edge labels lying on a cluster's frame or on its title;
* cover: edge labels covering a (visible) node or another edge label;
* through: (edge, cluster) pairs where the edge runs inside a cluster that holds neither end;
* label pt: the smallest node or edge label text, in points, once the picture is scaled to a
  6.5-inch page width (never enlarged).

Then the totals over the ``all`` and ``serving`` views and the targets of issue 29.
``-G`` adds Graphviz graph attributes (to try a setting on every diagram).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlsd_diagram import load  # noqa: E402
from mlsd_diagram.outputs import VIEWS, fonts, icons  # noqa: E402
from mlsd_diagram.outputs.diagram import draw  # noqa: E402
from mlsd_diagram.outputs.legibility import measure, slide_text_pt  # noqa: E402

TARGETS = {
    "crossings": 380,
    "struck": 5,
    "on_frame": 5,
    "median_aspect": 2.0,
    "overview_slide_pt": 9.0,
    "serving_pt": 6.0,
}


def blueprint_files() -> list[Path]:
    """The bundled blueprints, then the starter templates."""
    return sorted((ROOT / "blueprints").glob("*.yaml")) + sorted(
        (ROOT / "mlsd_diagram" / "starters" / "blueprints").glob("*.yaml")
    )


def layout(dot_text: str, extra: list[str]) -> dict:
    """Graphviz's ``-Tjson`` of ``dot_text``, with the bundled font, bounded in time and memory."""
    imagepath = os.pathsep.join(str(root) for root in icons.icon_roots())
    with tempfile.TemporaryDirectory(prefix="mlsd-layout-") as tmp:
        env = fonts.dot_environment(dict(os.environ), tmp)
        args = [
            "timeout",
            "120",
            "prlimit",
            "--as=4000000000",
            "dot",
            f"-Gimagepath={imagepath}",
            *(f"-G{setting}" for setting in extra),
            "-Tjson",
        ]
        done = subprocess.run(args, input=dot_text.encode(), capture_output=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"dot failed ({done.returncode}): {done.stderr.decode(errors='replace')[:300]}")
    return json.loads(done.stdout)


def report_targets(main_rows: list[dict], totals: dict) -> None:
    """Print the totals of the all and serving views against the targets."""
    checks = [
        ("crossings", totals["crossings"], TARGETS["crossings"]),
        ("struck labels", totals["struck"], TARGETS["struck"]),
        ("labels on frames", totals["on_frame"], TARGETS["on_frame"]),
        ("median aspect", totals["median_aspect"], TARGETS["median_aspect"]),
    ]
    for name, value, target in checks:
        print(f"  {name:22} {value:8.2f}   target <= {target:<6g} {'met' if value <= target else 'NOT met'}")
    print(f"  {'labels covering others':22} {totals['covering']:8d}")
    print(f"  {'edges through clusters':22} {totals['through']:8d}")
    print(
        f"  {'label pt at 6.5 in':22} {min(r['label_pt'] for r in main_rows):8.2f} to "
        f"{max(r['label_pt'] for r in main_rows):.2f}"
    )
    serving = [r["label_pt"] for r in main_rows if r["view"] == "serving"]
    if serving:
        smallest = min(serving)
        print(
            f"  {'serving pt at 6.5 in':22} {smallest:8.2f} to {max(serving):.2f}   target >= "
            f"{TARGETS['serving_pt']:<6g} {'met' if smallest >= TARGETS['serving_pt'] else 'NOT met'}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--views", nargs="+", default=[v for v in ("all", "serving", "overview") if v in VIEWS])
    parser.add_argument("--detail", default=None, help="grouped (the default) or full")
    parser.add_argument("-G", dest="settings", action="append", default=[], help="a Graphviz graph attribute")
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args()
    options = {"detail": args.detail} if args.detail else {}
    rows = []
    print(
        f"{'blueprint':28} {'view':9} {'W in':>6} {'H in':>6} {'aspect':>6} {'cross':>6} {'struck':>6} "
        f"{'frame':>6} {'cover':>5} {'thru':>5} {'label pt':>8}"
    )
    for path in blueprint_files():
        bp = load(path)
        for view in args.views:
            # the DOT text the pictures are drawn from, its labels settled (see mlsd_diagram.outputs.label_room)
            graph = layout(str(draw(bp, "dot", view=view, **options)), args.settings)
            figures = {**measure(graph), "slide_pt": slide_text_pt(graph)}
            rows.append({"blueprint": path.stem, "template": "starters" in path.parts, "view": view, **figures})
            print(
                f"{path.stem + (' (t)' if rows[-1]['template'] else ''):28} {view:9} {figures['width_in']:6.1f} "
                f"{figures['height_in']:6.1f} {figures['aspect']:6.2f} {figures['crossings']:6d} "
                f"{figures['struck']:6d} {figures['on_frame']:6d} {figures['covering']:5d} {figures['through']:5d} "
                f"{figures['label_pt']:8.1f}",
                flush=True,
            )
    main_rows = [r for r in rows if r["view"] in ("all", "serving")]
    totals = {key: sum(r[key] for r in main_rows) for key in ("crossings", "struck", "on_frame", "covering", "through")}
    totals["median_aspect"] = statistics.median(r["aspect"] for r in main_rows) if main_rows else 0.0
    if main_rows:
        print(f"\nall + serving views ({len(main_rows)} diagrams; (t) = starter template):")
        report_targets(main_rows, totals)
    overview = [r for r in rows if r["view"] == "overview" and r["edges"]]  # a one-stage design has no picture
    if overview:
        smallest = min(r["slide_pt"] for r in overview)
        aspects = [r["aspect"] for r in overview]
        struck = sum(r["struck"] for r in overview)
        print(
            f"overview ({len(overview)} diagrams with flows between stages): smallest text on a 16:9 slide "
            f"{smallest:.2f} pt (target >= {TARGETS['overview_slide_pt']:g}), aspect {min(aspects):.2f} to "
            f"{max(aspects):.2f} (target 1.3 to 2.2), struck labels {struck} (target 0)"
        )
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "totals": totals}, indent=1) + "\n")


if __name__ == "__main__":
    main()
