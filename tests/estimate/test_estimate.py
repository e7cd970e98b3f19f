"""`mlsd estimate` against figures computed by hand on a small blueprint, through the real loader and CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlsd_diagram import load, loads
from mlsd_diagram.analyses.estimate import approx, estimate
from mlsd_diagram.analyses.serving import load_at
from mlsd_diagram.cli import main

HERE = Path(__file__).parent
TINY = HERE / "tiny_search.yaml"
ROOT = HERE.parent.parent


def _figures(result):
    return {(f.section, f.component, f.quantity): f for f in result.figures}


@pytest.fixture(scope="module")
def tiny():
    return estimate(load(TINY))


# Every figure of tiny_search.yaml, computed by hand.
HAND = [
    # peak QPS: app 1000 -> api x1, encoder x0.5, index x3 (three shards), features x1
    (("qps", "app", "peak QPS entering"), 1000, "1k QPS"),
    (("qps", "api", "peak QPS"), 1000, "1k QPS"),
    (("qps", "encoder", "peak QPS"), 500, "500 QPS"),
    (("qps", "index", "peak QPS"), 3000, "3k QPS"),
    (("qps", "features", "peak QPS"), 1000, "1k QPS"),
    # replicas at 60%: ceil(1000 / 180) = 6; ceil(500 / 60) = 9; 3000 / (500 x 0.6) = 10 exactly
    (("replicas", "api", "replicas needed"), 6, "6 replicas"),
    (("replicas", "encoder", "replicas needed"), 9, "9 replicas"),
    (("replicas", "index", "replicas needed"), 10, "10 replicas"),
    # N+1 at peak with one replica of each lost (the load of `mlsd simulate --lose replica`): api keeps
    # 3 x 300 = 900 for 1,000, so it sheds 10% and its callees see 0.9 of their load; ceil(1000 / 300) + 1 = 5;
    # the encoder runs one replica (none declared): ceil(450 / 100) + 1 = 6; the index ceil(2,700 / 500) + 1 = 7
    (("redundancy", "api", "replicas for N+1 (one replica lost)"), 5, "5 replicas"),
    (("redundancy", "encoder", "replicas for N+1 (one replica lost)"), 6, "6 replicas"),
    (("redundancy", "index", "replicas for N+1 (one replica lost)"), 7, "7 replicas"),
    # 10M vectors x 64 dims (from the builder) x 1 byte (int8) x 1.5 = 960,000,000 bytes
    (("memory", "index", "index memory"), 960_000_000, "960 MB"),
    # no shards declared: one machine holds the whole copy; 2 replicas hold 2 copies = 1,920,000,000 bytes
    (("ram", "index", "RAM per machine (one shard of a replica)"), 960_000_000, "960 MB"),
    (("ram", "index", "RAM in total (all replicas)"), 1_920_000_000, "1.9 GB"),
    # 3M entities x 50 features x 4 bytes (default float32) = 600,000,000 bytes
    (("features", "features", "feature store size"), 600_000_000, "600 MB"),
    # 2M users x 20 events = 40M events/day; x 250 bytes = 10 GB/day
    (("events", "log", "events per day"), 40_000_000, "40M events/day"),
    (("events", "log", "log volume per day"), 10_000_000_000, "10 GB/day"),
    # the app feeds the log: 40M events / (1000 peak QPS / 2 x 86,400 = 43.2M requests a day)
    (("events", "log", "events per request (scale cross-check)"), 40_000_000 / 43_200_000, "0.93 events/request"),
    # 40M examples x 1000 bytes = 40 GB
    (("training", "trainer", "training set per run"), 40_000_000_000, "40 GB"),
]


@pytest.mark.parametrize("key,value,shown", HAND, ids=[f"{k[1]}-{k[2]}" for k, _, _ in HAND])
def test_figures_match_hand_computation(tiny, key, value, shown):
    figure = _figures(tiny)[key]
    assert math.isclose(figure.value, value, rel_tol=1e-12)
    assert figure.approx == shown


def test_every_figure_is_one_we_computed_by_hand(tiny):
    assert set(_figures(tiny)) == {key for key, _, _ in HAND}
    assert [(m.section, m.component, m.fields) for m in tiny.missing] == [
        ("replicas", "features", ("components.features.capacity_qps",)),
        ("storage", "log", ("components.log.retention",)),  # a log volume a day, kept for how long?
    ]


def test_figures_carry_their_formula_inputs_and_sources(tiny):
    index = _figures(tiny)[("memory", "index", "index memory")]
    assert index.formula == "items x embedding_dim x bytes_per_value x index_overhead"
    assert index.worked == "10,000,000 x 64 x 1 x 1.5"
    assert [(i.name, i.value, i.source) for i in index.inputs] == [
        ("items", 10_000_000, "components.index.items"),
        ("embedding_dim", 64, "components.builder.embedding_dim"),
        ("bytes_per_value", 1, "components.index.bytes_per_value"),
        ("index_overhead", 1.5, "components.index.index_overhead"),
    ]
    store = _figures(tiny)[("features", "features", "feature store size")]
    assert [(i.name, i.assumed) for i in store.inputs] == [
        ("items", False),
        ("features_per_item", False),
        ("bytes_per_value", True),
    ]
    api = _figures(tiny)[("replicas", "api", "replicas needed")]
    assert api.worked == "ceil(1,000 / (300 x 0.6))" and api.note == "4 declared: 2 under the 60% target"
    assert _figures(tiny)[("qps", "index", "peak QPS")].worked == "1,000 (api) x 3"


def test_peak_qps_is_the_simulated_load_at_factor_one():
    # one source of truth: the fan-out is the serving model's, as `mlsd simulate --load 1` shows it
    bp = load(ROOT / "blueprints" / "news_feed.yaml")
    simulated = load_at(bp, 1.0)["components"]
    qps = {f.component: f.value for f in estimate(bp).figures if f.section == "qps"}
    assert qps["user_encoder"] == 24_000  # 0.2 per request: the fan-out is applied
    for component, value in qps.items():
        assert value == simulated[component]["qps"], component


def test_target_utilization_changes_the_replicas():
    figures = _figures(estimate(load(TINY), 1.0))
    assert figures[("replicas", "api", "replicas needed")].value == 4  # ceil(1000 / 300)
    assert figures[("replicas", "index", "replicas needed")].value == 6  # 3000 / 500
    with pytest.raises(ValueError):
        estimate(load(TINY), 0)


def test_missing_facts_name_the_fields_to_add():
    text = TINY.read_text(encoding="utf-8")
    text = text.replace("peak_qps: 1000", "videos: 5").replace("items: 10000000, ", "")
    text = text.replace("events_per_user_per_day: 20, ", "").replace("example_bytes: 1000", "")
    result = estimate(loads(text, name="t.yaml"))
    assert not [f for f in result.figures if f.section in ("qps", "replicas", "events", "training")]
    assert [(m.component, m.quantity, m.fields) for m in result.missing] == [
        (None, "peak QPS per component", ("requirements.scale.peak_qps",)),
        ("index", "index memory", ("components.index.items",)),
        ("log", "events per day", ("components.log.events_per_user_per_day",)),
        ("trainer", "training set per run", ("components.trainer.example_bytes",)),
    ]


@pytest.mark.parametrize(
    "value,unit,shown",
    [
        (123_456, "QPS", "120k QPS"),
        (35_000, "QPS", "35k QPS"),
        (1.234e12, "bytes", "1.2 TB"),
        (22.5e12, "bytes/day", "23 TB/day"),
        (999_999, "QPS", "1M QPS"),
        (0.25, "QPS", "0.25 QPS"),
        (1536, "bytes", "1.5 KB"),
        (4.5e9, "examples", "4.5B examples"),
        (1, "replicas", "1 replica"),
    ],
)
def test_numbers_are_rounded_as_a_person_writes_them(value, unit, shown):
    assert approx(value, unit) == shown


# -- the CLI ----------------------------------------------------------------------------------


def test_cli_text_shows_each_figure_with_its_formula():
    result = CliRunner().invoke(main, ["estimate", str(TINY)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Replicas needed at 60% utilization: ceil(peak QPS / (capacity_qps x utilization))" in lines
    assert (
        "  index  960 MB  index memory: items x embedding_dim x bytes_per_value x index_overhead = "
        "10,000,000 x 64 x 1 x 1.5" in lines
    )
    assert any(
        line.startswith("  api ")
        and "6 replicas  ceil(1,000 / (300 x 0.6))  (4 declared: 2 under the 60% target)" in line
        for line in lines
    )
    assert lines[-3:] == [
        "Not estimated (add these fields):",
        "  features: replicas needed: components.features.capacity_qps",
        "  log: retained storage: components.log.retention",
    ]


def test_cli_json_shape_and_same_bytes_twice():
    runner = CliRunner()
    first = runner.invoke(main, ["estimate", str(TINY), "--format", "json", "--target-utilization", "0.5"])
    second = runner.invoke(main, ["estimate", str(TINY), "--format", "json", "--target-utilization", "0.5"])
    assert first.exit_code == 0 and first.stdout_bytes == second.stdout_bytes
    data = json.loads(first.output)
    assert set(data) == {"file", "target_utilization", "figures", "missing"}
    assert data["target_utilization"] == 0.5
    figure = next(f for f in data["figures"] if f["component"] == "api" and f["section"] == "replicas")
    assert figure == {
        "section": "replicas",
        "component": "api",
        "quantity": "replicas needed",
        "value": 7,
        "unit": "replicas",
        "approx": "7 replicas",
        "formula": "ceil(peak QPS / (capacity_qps x utilization))",
        "worked": "ceil(1,000 / (300 x 0.5))",
        "note": "4 declared: 3 under the 50% target",
        "inputs": [
            {"name": "peak QPS", "value": 1000, "source": "peak QPS of api", "assumed": False},
            {"name": "capacity_qps", "value": 300, "source": "components.api.capacity_qps", "assumed": False},
            {"name": "utilization", "value": 0.5, "source": "--target-utilization", "assumed": False},
        ],
    }
    assert data["missing"] == [
        {
            "section": "replicas",
            "component": "features",
            "quantity": "replicas needed",
            "fields": ["components.features.capacity_qps"],
        },
        {
            "section": "storage",
            "component": "log",
            "quantity": "retained storage",
            "fields": ["components.log.retention"],
        },
    ]


@pytest.mark.parametrize(
    "old,new,column,message",
    [
        ("items: 10000000,", "items: 0,", 67, "'items' should be at least 1"),
        ("items: 10000000,", 'items: "lots",', 67, "'items' should be a whole number"),
        ("index_overhead: 1.5", "index_overhead: 0.5", 113, "'index_overhead' should be at least 1, got 0.5"),
        ("bytes_per_value: 1,", "bytes_per_value: true,", 94, "bytes_per_value"),
    ],
)
def test_bad_sizing_fields_are_located_errors(tmp_path, old, new, column, message):
    path = tmp_path / "bad.yaml"
    path.write_text(TINY.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    result = CliRunner().invoke(main, ["estimate", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{path}:10:{column}: error: ") and message in first, first
    assert "Traceback" not in result.stderr


def test_bad_target_utilization_is_exit_2():
    result = CliRunner().invoke(main, ["estimate", str(TINY), "--target-utilization", "60"])
    assert result.exit_code == 2 and "--target-utilization must be a number in (0, 1]" in result.stderr
