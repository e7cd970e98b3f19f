"""Stream flows (analyses/streams.py) and MLSD214, on small blueprints computed by hand."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlsd_diagram import loads
from mlsd_diagram.analyses.diff import diff_blueprints
from mlsd_diagram.analyses.lint import lint
from mlsd_diagram.analyses.streams import flow_events, stream_load
from mlsd_diagram.cli import main


def _bp(text: str):
    return loads(textwrap.dedent(text), "streams.yaml")


LAGGING = """\
    mlsd: 1
    name: lagging
    components:
      log: {kind: event_stream}
      counters: {kind: stream_feature_pipeline, capacity_qps: 10}
    flows:
      - {from: log, to: counters, mode: stream, data: clicks, events_per_s: 1000}
    """

DERIVED = """\
    mlsd: 1
    name: derived
    requirements: {scale: {peak_qps: 1000}}
    components:
      app: {kind: client_app}
      service: {kind: online_service}
      ranker: {kind: ranking_service}
      logger: {kind: event_logging, replicas: 3, capacity_qps: 1000}
      elsewhere: {kind: event_stream}
    flows:
      - {from: app, to: service, mode: request, data: x}
      - {from: service, to: ranker, mode: request, data: y, per_request: 0.5}
      - {from: app, to: logger, mode: stream, data: impressions}
      - {from: service, to: logger, mode: stream, data: served items, per_request: 2}
      - {from: ranker, to: logger, mode: stream, data: scores}
      - {from: elsewhere, to: logger, mode: stream, data: replays}
    """


def test_a_lagging_stream_grows_by_the_excess_every_hour() -> None:
    load = stream_load(_bp(LAGGING))
    # by hand: (1,000 - 10) events/s x 3,600 s = 3,564,000 events per hour
    assert load == {
        "counters": {
            "events_per_s": 1000,
            "capacity": 10,
            "utilization": 100,
            "lag_per_hour": 3_564_000,
            "flows": [0],
            "unknown_flows": [],
        }
    }
    findings = [f for f in lint(_bp(LAGGING)) if f.rule == "MLSD214"]
    assert [(f.component, f.severity) for f in findings] == [("counters", "warning")]
    assert "3,564,000 events per hour" in findings[0].message
    assert "1,000 events/s" in findings[0].message and "10 events/s" in findings[0].message


def test_events_derive_from_the_producers_load_times_per_request() -> None:
    bp = _bp(DERIVED)
    # app 1,000 x 1 + service 1,000 x 2 + ranker (1,000 x 0.5) x 1; the replay producer carries no load
    assert flow_events(bp) == {2: 1000, 3: 2000, 4: 500, 5: None}
    info = stream_load(bp)["logger"]
    assert info["events_per_s"] == 3500 and info["capacity"] == 3000
    assert info["utilization"] == pytest.approx(3500 / 3000)
    assert info["lag_per_hour"] == 500 * 3600
    assert info["unknown_flows"] == [5]  # a lower bound: the replays come on top
    assert [f.component for f in lint(bp) if f.rule == "MLSD214"] == ["logger"]


def test_a_consumer_that_keeps_up_has_no_lag() -> None:
    bp = _bp(DERIVED.replace("replicas: 3", "replicas: 4"))
    info = stream_load(bp)["logger"]
    assert info["utilization"] == pytest.approx(3500 / 4000) and info["lag_per_hour"] == 0
    assert [f for f in lint(bp) if f.rule == "MLSD214"] == []


def test_without_a_peak_or_a_rate_the_events_are_unknown() -> None:
    bp = _bp(DERIVED.replace("    requirements: {scale: {peak_qps: 1000}}\n", ""))
    info = stream_load(bp)["logger"]
    assert info["events_per_s"] is None and info["utilization"] is None and info["lag_per_hour"] is None
    assert info["unknown_flows"] == [2, 3, 4, 5]
    assert [f for f in lint(bp) if f.rule == "MLSD214"] == []


def test_without_a_capacity_there_is_no_utilization() -> None:
    info = stream_load(_bp(LAGGING.replace(", capacity_qps: 10", "")))["counters"]
    assert info["events_per_s"] == 1000 and info["capacity"] is None and info["lag_per_hour"] is None


def test_a_declared_rate_overrides_the_derived_one() -> None:
    bp = _bp(DERIVED.replace("data: impressions}", "data: impressions, events_per_s: 0}"))
    assert flow_events(bp)[2] == 0
    assert stream_load(bp)["logger"]["events_per_s"] == 2500


def _validate(tmp_path: Path, flow: str):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "mlsd: 1\nname: bad\ncomponents:\n  app: {kind: client_app}\n  svc: {kind: online_service}\n"
        "  log: {kind: event_stream}\nflows:\n  - {from: app, to: svc, mode: request, data: x}\n  " + flow + "\n"
    )
    return CliRunner().invoke(main, ["validate", str(path)])


@pytest.mark.parametrize(
    "flow, message",
    [
        (
            "- {from: svc, to: log, mode: batch, data: y, events_per_s: 5}",
            "9:48: error: 'events_per_s' applies to stream flows only; this is a 'batch' flow",
        ),
        (
            "- {from: app, to: log, mode: request, data: y, events_per_s: 5}",
            "9:50: error: 'events_per_s' applies to stream flows only; this is a 'request' flow",
        ),
        (
            "- {from: svc, to: log, mode: batch, data: y, per_request: 2}",
            "9:48: error: 'per_request' applies to request and stream flows only; this is a 'batch' flow",
        ),
        (
            "- {from: svc, to: log, mode: stream, data: y, events_per_s: -1}",
            "9:63: error: 'events_per_s' should be at least 0",
        ),
    ],
)
def test_stream_fields_are_validated_with_located_errors(tmp_path: Path, flow: str, message: str) -> None:
    result = _validate(tmp_path, flow)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_stream_flows_take_events_per_s_and_per_request(tmp_path: Path) -> None:
    result = _validate(tmp_path, "- {from: svc, to: log, mode: stream, data: y, events_per_s: 5, per_request: 2}")
    assert result.exit_code == 0, result.output


def test_a_diff_sees_a_stream_flows_rate() -> None:
    old = _bp(LAGGING)
    new = _bp(LAGGING.replace("events_per_s: 1000}", "events_per_s: 5}"))
    (changed,) = diff_blueprints(old, new)["flows"]["changed"]
    assert changed["changes"] == [{"field": "events_per_s", "old": 1000, "new": 5}]
