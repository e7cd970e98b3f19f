#!/usr/bin/env python3
"""Lint and simulate time on synthetic blueprints of 100, 1,000 and 5,000 components.

A synthetic blueprint repeats a 25-component ML system (client, gateway, service, ranker with
fallback, feature store, A/B, logging, lake, validation, training with gate, registry and
rollout, monitoring with drift and alerting, and the practice fields the rules read: label
window, cadence, time split, model age, exploration share) with numbered ids. Prints seconds per run (best
of a few) and the ratio to the previous size; lint should stay near linear (5,000 components
in under 1 s), and simulate's knock-out of every request-path component may grow faster.

    python benchmarks/lint.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlsd_diagram import loads  # noqa: E402
from mlsd_diagram.analyses.lint import lint  # noqa: E402
from mlsd_diagram.analyses.serving import knock_out, simulate  # noqa: E402

MODULE_COMPONENTS = """\
  app{i}: {{kind: client_app}}
  gateway{i}: {{kind: api_gateway, replicas: 3, latency_p99_ms: 5}}
  service{i}: {{kind: online_service, replicas: 4, latency_p99_ms: 10, exploration_share: 0.01}}
  ranker{i}: {{kind: ranking_service, replicas: 4, latency_p99_ms: 40, model: ranker-v{i}, max_model_age: 2d,
    position_debiasing: ipw}}
  features{i}: {{kind: feature_store, replicas: 3, latency_p99_ms: 8}}
  cache{i}: {{kind: cache, replicas: 3, latency_p99_ms: 2}}
  popular{i}: {{kind: fallback_ranker, replicas: 2, latency_p99_ms: 3}}
  ab{i}: {{kind: experimentation, replicas: 2, latency_p99_ms: 1}}
  log{i}: {{kind: event_logging}}
  lake{i}: {{kind: data_lake}}
  users{i}: {{kind: data_source}}
  redactor{i}: {{kind: pii_redactor}}
  stream{i}: {{kind: stream_feature_pipeline}}
  batch{i}: {{kind: batch_feature_pipeline, write_mode: overwrite_partition}}
  checks{i}: {{kind: data_validation}}
  scheduler{i}: {{kind: orchestrator}}
  trainer{i}: {{kind: training_pipeline, cadence: 1d}}
  tracker{i}: {{kind: experiment_tracker}}
  gate{i}: {{kind: offline_evaluation, split: time}}
  registry{i}: {{kind: model_registry}}
  rollout{i}: {{kind: deployment_controller}}
  monitor{i}: {{kind: monitoring}}
  drift{i}: {{kind: drift_detector}}
  metrics{i}: {{kind: online_metrics}}
  alerts{i}: {{kind: alerting}}
"""
MODULE_FLOWS = """\
  - {{from: app{i}, to: gateway{i}, mode: request, data: request}}
  - {{from: gateway{i}, to: service{i}, mode: request, data: request}}
  - {{from: service{i}, to: ab{i}, mode: request, data: arm}}
  - {{from: service{i}, to: cache{i}, mode: request, data: last answer}}
  - {{from: service{i}, to: ranker{i}, mode: request, data: candidates}}
  - {{from: ranker{i}, to: features{i}, mode: request, data: features}}
  - {{from: ranker{i}, to: popular{i}, mode: fallback}}
  - {{from: app{i}, to: log{i}, mode: stream, data: clicks, tags: [interactions]}}
  - {{from: ranker{i}, to: log{i}, mode: stream, data: served features, tags: [features]}}
  - {{from: log{i}, to: lake{i}, mode: stream, data: logs}}
  - {{from: log{i}, to: stream{i}, mode: stream, data: events}}
  - {{from: stream{i}, to: features{i}, mode: stream, data: counters}}
  - {{from: log{i}, to: metrics{i}, mode: stream, data: clicks by arm}}
  - {{from: users{i}, to: redactor{i}, mode: batch, data: profiles, tags: [pii]}}
  - {{from: redactor{i}, to: lake{i}, mode: batch, data: pseudonymized profiles}}
  - {{from: lake{i}, to: batch{i}, mode: batch, data: history}}
  - {{from: batch{i}, to: features{i}, mode: batch, data: aggregates}}
  - {{from: lake{i}, to: checks{i}, mode: batch, data: examples, tags: [labels], label_window: 1d,
     late_positives: window_closed}}
  - {{from: checks{i}, to: trainer{i}, mode: batch, data: validated examples, loop: retraining}}
  - {{from: scheduler{i}, to: trainer{i}, mode: batch, data: daily run}}
  - {{from: trainer{i}, to: tracker{i}, mode: batch, data: metrics}}
  - {{from: trainer{i}, to: gate{i}, mode: batch, data: candidate}}
  - {{from: gate{i}, to: registry{i}, mode: batch, data: approved model}}
  - {{from: registry{i}, to: rollout{i}, mode: deploy, data: model}}
  - {{from: rollout{i}, to: ranker{i}, mode: deploy, data: canary}}
  - {{from: ranker{i}, to: monitor{i}, mode: telemetry, data: latency}}
  - {{from: ranker{i}, to: drift{i}, mode: telemetry, data: served distributions}}
  - {{from: checks{i}, to: drift{i}, mode: batch, data: training statistics}}
  - {{from: metrics{i}, to: monitor{i}, mode: telemetry, data: ctr}}
  - {{from: monitor{i}, to: alerts{i}, mode: stream, data: breaches}}
  - {{from: drift{i}, to: alerts{i}, mode: stream, data: drift}}
  - {{from: alerts{i}, to: scheduler{i}, mode: batch, data: retraining trigger, loop: feedback}}
"""
PER_MODULE = MODULE_COMPONENTS.count("kind:")


def synthetic(components: int) -> str:
    """A blueprint text of ``components`` components (a multiple of 25)."""
    modules = range(components // PER_MODULE)
    return (
        "mlsd: 1\nname: synthetic\nrequirements: {slo: {latency_p99_ms: 200, freshness_minutes: 5}}\n"
        "components:\n"
        + "".join(MODULE_COMPONENTS.format(i=i) for i in modules)
        + "flows:\n"
        + "".join(MODULE_FLOWS.format(i=i) for i in modules)
    )


def timed(text: str, repeat: int) -> tuple[float, float, float, float]:
    """Best-of-``repeat`` seconds for: load, graph build, lint (graph included), simulate.

    Each phase is timed directly on a freshly loaded blueprint, so nothing is subtracted.
    """
    load_s = graph_s = lint_s = sim_s = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        bp = loads(text, "synthetic.yaml")
        load_s = min(load_s, time.perf_counter() - start)
        start = time.perf_counter()
        bp.graph  # noqa: B018 - built once and cached on the blueprint
        graph_s = min(graph_s, time.perf_counter() - start)
        bp = loads(text, "synthetic.yaml")
        start = time.perf_counter()
        lint(bp)
        lint_s = min(lint_s, time.perf_counter() - start)
        bp = loads(text, "synthetic.yaml")
        start = time.perf_counter()
        simulate(bp)
        sim_s = min(sim_s, time.perf_counter() - start)
    return load_s, graph_s, lint_s, sim_s


def main() -> None:
    print(
        f"{'components':>10} {'flows':>6} {'load s':>8} {'lint s':>8} {'ratio':>6} {'(graph s)':>9} "
        f"{'simulate s':>10} {'ratio':>6} {'findings':>8}"
    )
    previous = None
    for size in (100, 1_000, 5_000):
        text = synthetic(size)
        load_s, graph_s, lint_s, sim_s = timed(text, 3)
        bp = loads(text, "synthetic.yaml")
        found = lint(bp)
        ratios = ("", "") if previous is None else (f"{lint_s / previous[0]:.1f}x", f"{sim_s / previous[1]:.1f}x")
        print(
            f"{size:>10} {len(bp.flows):>6} {load_s:>8.3f} {lint_s:>8.3f} {ratios[0]:>6} {graph_s:>9.3f} "
            f"{sim_s:>10.3f} {ratios[1]:>6} {len(found):>8}"
        )
        previous = (lint_s, sim_s)
    print(
        "size ratio between rows: 10x, then 5x; linear growth shows the same ratios. lint s and simulate s include "
        "building the networkx graph (graph s); load s (parsing) is not included."
    )
    bp = loads(synthetic(1_000), "synthetic.yaml")
    start = time.perf_counter()
    for cid in bp.components:
        knock_out(bp, {cid})
    every = time.perf_counter() - start
    print(f"knock-out of every one of the 1,000 components in turn (knock_out per component): {every:.3f} s")


if __name__ == "__main__":
    main()
