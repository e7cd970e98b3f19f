"""Render benchmark: ours vs plain ``dot`` on our DOT vs upstream ``diagrams``.

    .venv/bin/python benchmarks/render.py [--sizes 50 200 500] [--repeat 11] [--upstream-timeout 120]

For synthetic blueprints of N components in N/20 (at least 10) groups, with a
request tree, stream and batch pipelines, retraining loops that cross four or
more clusters, deploys and telemetry, it prints the best-of-``repeat`` wall time of:

* ours: ``render(blueprint, formats=("png", "svg"))`` (DOT build, one Graphviz run, SVG
  post-processing, atomic writes);
* plain dot: ``dot -Tpng -Tsvg`` on the very same DOT text (the floor for one layout);
* upstream: ``diagrams`` building the same graph (same clusters, nodes, labelled edges,
  its own defaults) with ``outformat=["png", "svg"]``, or "crash" when Graphviz aborts,
  or "timeout".

Each size runs ``repeat`` interleaved rounds; "ours/dot" is best against best, "paired" the
median of the per-round ratios (less sensitive to the shared machine changing speed).

Target: ours within 1.10x of plain dot.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timing import seconds  # noqa: E402

from mlsd_diagram.blueprint.models import Blueprint  # noqa: E402
from mlsd_diagram.outputs import fonts, icons  # noqa: E402
from mlsd_diagram.outputs.diagram import render  # noqa: E402
from mlsd_diagram.outputs.dot import to_dot  # noqa: E402

ONLINE = ["online_service", "ranking_service", "candidate_generation", "cache", "feature_store", "ann_index"]
OFFLINE = [
    "event_logging",
    "data_lake",
    "etl_job",
    "batch_feature_pipeline",
    "training_pipeline",
    "offline_evaluation",
    "model_registry",
    "index_builder",
]
TECHS = [None, "kafka", "redis", "spark", "flink", "airflow", "mlflow", "postgres", "go", "s3"]


def synthetic_blueprint(n: int, seed: int = 7) -> Blueprint:
    """A valid blueprint of ``n`` components with cycles between its clusters."""
    rng = random.Random(seed)
    groups = max(10, n // 20)
    components = {"app": {"kind": "client_app", "label": "Client app"}}
    flows = []
    ids = ["app"]
    online, offline = [], []
    for i in range(1, n):
        cid = f"c{i:03d}"
        is_online = i % 3 != 0
        kind = rng.choice(ONLINE if is_online else OFFLINE)
        group = f"g{(i * 7) % groups:02d}"
        components[cid] = {
            "kind": kind,
            "label": f"{kind.replace('_', ' ')} {i}",
            "group": group,
            "replicas": 2,
            "latency_p99_ms": 5,
        }
        tech = rng.choice(TECHS)
        if tech:
            components[cid]["tech"] = tech
        (online if is_online else offline).append(cid)
        ids.append(cid)
    # request tree: every online component is called by an earlier one (acyclic)
    callers = ["app"]
    for cid in online:
        flows.append({"from": rng.choice(callers[-12:]), "to": cid, "mode": "request", "data": f"call {cid}"})
        callers.append(cid)
    # offline pipelines fed by online logs, retraining loops back into serving (cycles across clusters)
    for k, cid in enumerate(offline):
        source = rng.choice(online) if k % 4 == 0 else rng.choice(offline[max(0, k - 6) : k] or online)
        flows.append(
            {
                "from": source,
                "to": cid,
                "mode": rng.choice(["stream", "batch"]),
                "data": f"data {k}",
                "loop": "retraining",
            }
        )
        if k % 3 == 2:
            flows.append({"from": cid, "to": rng.choice(online), "mode": "deploy", "data": f"model {k}"})
    for cid in online[::5]:
        flows.append({"from": cid, "to": rng.choice(offline or online), "mode": "telemetry", "data": "metrics"})
    return Blueprint.model_validate(
        {"mlsd": 1, "name": f"Synthetic {n}", "summary": f"{n} components.", "components": components, "flows": flows}
    )


def plain_dot(dot_text: str, out: Path) -> None:
    imagepath = os.pathsep.join(str(p) for p in icons.icon_roots())
    env = fonts.dot_environment(dict(os.environ), out)  # the same bundled font as ours: the same layout work
    subprocess.run(
        [
            "dot",
            f"-Gimagepath={imagepath}",
            "-Tpng",
            "-o",
            str(out / "plain.png"),
            "-Tsvg",
            "-o",
            str(out / "plain.svg"),
        ],
        input=dot_text.encode(),
        check=True,
        capture_output=True,
        env=env,
    )


UPSTREAM_SCRIPT = r"""
import json, sys
from diagrams import Cluster, Diagram, Edge, Node
from diagrams.generic.compute import Rack
spec = json.load(open(sys.argv[1]))
with Diagram(spec["name"], filename=sys.argv[2], outformat=["png", "svg"], show=False):
    nodes = {}
    for group, members in spec["groups"].items():
        with Cluster(group):
            for cid, label in members:
                nodes[cid] = Rack(label)
    for u, v, label in spec["edges"]:
        nodes[u] >> Edge(label=label) >> nodes[v]
"""


def upstream(blueprint: Blueprint, out: Path, timeout: float) -> str | float:
    """Upstream diagrams on the same graph, in a subprocess: seconds, "crash" or "timeout"."""
    import json

    groups: dict[str, list] = {}
    for cid, c in blueprint.components.items():
        groups.setdefault(c.group or blueprint.kind_of(cid).stage.value, []).append((cid, c.label or cid))
    spec = {
        "name": blueprint.name,
        "groups": groups,
        "edges": [(f.source, f.target, f.data or "") for f in blueprint.flows],
    }
    (out / "spec.json").write_text(json.dumps(spec))
    (out / "up.py").write_text(UPSTREAM_SCRIPT)
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, str(out / "up.py"), str(out / "spec.json"), str(out / "upstream")],
            capture_output=True,
            timeout=timeout,
            cwd=out,
        )
    except subprocess.TimeoutExpired:
        return "timeout"
    if done.returncode != 0:
        return "crash" + (" (trouble in init_rank)" if b"init_rank" in done.stderr else "")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 500])
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--upstream-timeout", type=float, default=120.0)
    args = parser.parse_args()
    print(
        f"{'components':>10} {'flows':>6} {'ours s':>8} {'plain dot s':>11} {'ours/dot':>8} {'paired':>7} "
        f"{'upstream s':>22} {'upstream/ours':>13}  png size"
    )
    for n in args.sizes:
        blueprint = synthetic_blueprint(n)
        dot_text = to_dot(blueprint)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tempfile.mkdtemp(dir=tmp))
            # Interleaved rounds, the order alternating: the machine is shared, so both sides see the same
            # noise. "ours/dot" compares the best of each; "paired" is the median of each round's ratio.
            runs = {
                "ours": lambda: render(blueprint, formats=("png", "svg"), out_dir=out, stem="ours"),
                "plain": lambda: plain_dot(dot_text, out),
            }
            times: dict[str, list[float]] = {"ours": [], "plain": []}
            for round_ in range(args.repeat):
                for side in ("ours", "plain") if round_ % 2 == 0 else ("plain", "ours"):
                    times[side].append(seconds(runs[side]))
            ours_times, plain_times = times["ours"], times["plain"]
            ours, plain = min(ours_times), min(plain_times)
            paired = statistics.median(o / p for o, p in zip(ours_times, plain_times))
            png = (out / "ours.png").read_bytes()
            size = f"{int.from_bytes(png[16:20], 'big')}x{int.from_bytes(png[20:24], 'big')}"
            up = upstream(blueprint, Path(tmp), args.upstream_timeout)
        up_text = f"{up:.2f}" if isinstance(up, float) else up
        ratio = f"{up / ours:.1f}x" if isinstance(up, float) else "-"
        print(
            f"{n:>10} {len(blueprint.flows):>6} {ours:>8.2f} {plain:>11.2f} {ours / plain:>7.2f}x {paired:>6.2f}x "
            f"{up_text:>22} {ratio:>13}  {size}",
            flush=True,
        )


if __name__ == "__main__":
    main()
