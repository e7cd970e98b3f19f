"""RAM, retained storage, regions and cost per month in `mlsd estimate`, each figure computed by hand.

One small design, sized on paper in the comments; every figure is read from the real CLI's JSON
(and the text report, and the design doc's Estimates table, parsed with markdown-it-py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from mlsd_diagram import loads
from mlsd_diagram.analyses.estimate import estimate
from mlsd_diagram.cli import main

# 2,000 QPS at peak into api, which asks the ANN index once and the ranker once, with 1,000 candidates;
# the same file is the worked example of docs/estimate.md.
EXAMPLE = Path(__file__).with_name("capacity.yaml")
DESIGN = EXAMPLE.read_text(encoding="utf-8")


def _write(tmp_path, api_replicas: int = 8) -> str:
    path = tmp_path / "capacity.yaml"
    path.write_text(DESIGN.replace("replicas: 8,", f"replicas: {api_replicas},", 1))
    return str(path)


def _estimate(path: str) -> dict:
    result = CliRunner().invoke(main, ["estimate", path, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _figure(est: dict, section: str, component: str | None, quantity: str | None = None) -> dict:
    found = [
        f
        for f in est["figures"]
        if f["section"] == section and f["component"] == component and (quantity is None or f["quantity"] == quantity)
    ]
    assert len(found) == 1, [f["quantity"] for f in est["figures"] if f["section"] == section]
    return found[0]


def test_a_ranker_scoring_n_candidates_by_hand(tmp_path):
    est = _estimate(_write(tmp_path))
    # 2,000 requests/s x 1 call x 1,000 candidates = 2,000,000 predictions/s
    predictions = _figure(est, "items", "ranker", "predictions/s")
    assert predictions["value"] == 2_000_000
    # ceil(2,000,000 / (200,000 x 0.6)) = ceil(16.67) = 17, where requests alone would need ceil(2,000 / 3,000) = 1
    replicas = _figure(est, "items", "ranker", "replicas from predictions/s")
    assert replicas["value"] == 17
    assert _figure(est, "replicas", "ranker")["value"] == 1


def test_a_sharded_ann_index_in_ram_by_hand(tmp_path):
    est = _estimate(_write(tmp_path))
    # 100M vectors x 128 dims x 4 bytes x 1.5 overhead = 76.8e9 bytes for one copy
    memory = _figure(est, "memory", "ann")
    assert memory["value"] == 100_000_000 * 128 * 4 * 1.5 == 76_800_000_000
    # one copy over 4 shards: 19.2e9 bytes per machine
    per_machine = _figure(est, "ram", "ann", "RAM per machine (one shard of a replica)")
    assert per_machine["value"] == 19_200_000_000
    assert per_machine["approx"] == "19 GB"
    assert per_machine["worked"] == "76,800,000,000 / 4"
    assert per_machine["note"] == "index_overhead 1.5x included"
    # 19.2e9 x 4 shards x 3 replicas = 230.4e9 bytes on 12 machines
    total = _figure(est, "ram", "ann", "RAM in total (all replicas)")
    assert total["value"] == 230_400_000_000
    assert total["formula"] == "RAM per machine x shards x replicas"
    assert total["note"].startswith("12 machines")


def test_an_index_without_overhead_or_shards_says_what_it_assumed(tmp_path):
    text = DESIGN.replace(" index_overhead: 1.5,\n    shards: 4,", "\n   ")
    path = tmp_path / "plain.yaml"
    path.write_text(text)
    est = _estimate(str(path))
    per_machine = _figure(est, "ram", "ann", "RAM per machine (one shard of a replica)")
    assert per_machine["value"] == 100_000_000 * 128 * 4 == 51_200_000_000
    assert per_machine["inputs"][1] == {
        "name": "shards",
        "value": 1,
        "source": "components.ann.shards",
        "assumed": True,
    }
    assert "index_overhead not declared" in per_machine["note"]


def test_a_retained_event_log_by_hand(tmp_path):
    est = _estimate(_write(tmp_path))
    # 10M users x 50 events x 500 bytes = 250e9 bytes a day; x 30 days x 3 copies = 22.5e12 bytes
    retained = _figure(est, "storage", "event_log")
    assert retained["value"] == 10_000_000 * 50 * 500 * 30 * 3 == 22_500_000_000_000
    assert retained["approx"] == "23 TB"  # two significant digits, half up
    assert retained["formula"] == "log volume per day x retention days x replication"
    # the lake keeps what the log writes into it for 2 weeks, one copy (replication not declared: assumed 1)
    lake = _figure(est, "storage", "lake")
    assert lake["value"] == 250_000_000_000 * 14 * 1
    assert [i["assumed"] for i in lake["inputs"]] == [False, False, True]


def test_a_two_region_n_plus_one_service_by_hand(tmp_path):
    est = _estimate(_write(tmp_path, api_replicas=8))
    # one of 2 regions lost: the other carries 2,000 QPS: ceil(2,000 / 1 / 500) = 4 per region, 8 in all
    per_region = _figure(est, "regions", "api", "replicas per region (one of 2 regions lost)")
    assert (per_region["value"], per_region["worked"]) == (4, "ceil(2,000 / 1 / 500)")
    total = _figure(est, "regions", "api", "replicas in all 2 regions")
    assert total["value"] == 8
    assert total["note"] == (
        "8 declared over 2 regions: enough, 4 left after losing the largest region carry 2,000 QPS for 2,000"
    )
    # 7 declared: the largest region holds ceil(7 / 2) = 4, leaving 3 x 500 = 1,500 for 2,000
    short = _figure(_estimate(_write(tmp_path, api_replicas=7)), "regions", "api", "replicas in all 2 regions")
    assert short["note"].startswith("7 declared over 2 regions: short, 3 left")


def test_a_monthly_cost_by_hand(tmp_path):
    est = _estimate(_write(tmp_path))
    # api 8 x 0.5 x 730 = 2,920; ann 3 replicas x 4 shards x 1.2 x 730 = 10,512; ranker 40 x 2 x 730 = 58,400;
    # event log 22.5e12 bytes = 22,500 GB x 0.02 = 450
    assert _figure(est, "cost", "api")["value"] == 8 * 0.5 * 730 == 2920
    assert _figure(est, "cost", "ann")["value"] == 10512  # 3 x 4 x 1.2 x 730, to the 3 decimals of the JSON
    assert _figure(est, "cost", "ranker")["value"] == 40 * 2 * 730 == 58400
    storage = _figure(est, "cost", "event_log")
    assert storage["value"] == 450
    assert storage["worked"] == "22,500,000,000,000 / 10^9 x 0.02"
    total = _figure(est, "cost", None)
    assert total["value"] == 2920 + 10512 + 58400 + 450 == 72282
    assert total["approx"] == "72k per month"


def test_the_text_report_and_the_design_doc_show_the_same_figures(tmp_path):
    path = _write(tmp_path)
    text = CliRunner().invoke(main, ["estimate", path]).output
    assert "RAM per machine and in total:" in text
    assert "ann  230 GB  RAM in total (all replicas): RAM per machine x shards x replicas" in text
    assert "Cost per month from the declared unit prices:" in text
    doc_path = tmp_path / "doc.md"
    result = CliRunner().invoke(main, ["doc", path, "-o", str(doc_path)])
    assert result.exit_code == 0, result.output
    tokens = MarkdownIt("commonmark").enable("table").parse(doc_path.read_text())
    rows: list[list[str]] = []
    row: list[str] | None = None
    for t in tokens:
        if t.type == "tr_open":
            row = []
        elif t.type == "inline" and row is not None:
            row.append(t.content)
        elif t.type == "tr_close" and row is not None:
            rows.append(row)
            row = None
    by_estimate = {r[0]: r[1] for r in rows if len(r) == 3}
    assert by_estimate["ann (`ann`): RAM in total (all replicas)"] == "230 GB"
    assert by_estimate["cost per month, all priced components"] == "72k per month"
    assert by_estimate["event_log (`event_log`): retained storage"] == "23 TB"


@pytest.mark.parametrize(
    "old,new,at,message",
    [
        (
            "regions: 2,",
            "regions: 9,",
            "regions: 9,",
            "'regions' is 9 but 'replicas' is 8: a region would hold no replica",
        ),
        ("shards: 4,", "shards: 0,", "shards: 0,", "'shards' should be at least 1, got 0"),
        ("items: 100000000,", "items: 3,", "shards: 4,", "'shards' is 4 but 'items' is 3: a shard would hold no item"),
        ("cost: {per_replica_hour: 0.5}", "cost: {}", "cost: {}", "'cost' declares no price"),
        ("per_replica_hour: 0.5", "per_replica_hour: -1", "per_replica_hour: -1", "greater than 0"),
        ("per_replica_hour: 0.5", "per_hour: 0.5", "per_hour: 0.5", "per_hour"),
        ("replication: 3,", 'replication: "3",', 'replication: "3",', "replication"),
        ("regions: 2,", "regions: 0,", "regions: 0,", "regions"),
    ],
)
def test_new_fields_are_validated_with_located_errors(tmp_path, old, new, at, message):
    assert old in DESIGN
    bad = DESIGN.replace(old, new, 1)
    path = tmp_path / "bad.yaml"
    path.write_text(bad)
    line = next(i for i, x in enumerate(bad.splitlines(), 1) if at in x)
    result = CliRunner().invoke(main, ["estimate", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"{path}:{line}:" in result.output and ": error: " in result.output
    assert message in result.output


def test_a_store_of_precomputed_embeddings_is_sized_but_not_claimed_as_ram():
    """The visual search starter keeps 5B pin embeddings (256 x 2 bytes) in Cassandra: 2.56 TB stored,
    which is not RAM on one machine; its ANN index is held in memory and gets RAM figures."""
    from mlsd_diagram.starters import starter

    figures = estimate(loads(starter("visual_search").text, "visual_search.yaml")).figures
    stored = next(f for f in figures if f.component == "pin_embeddings" and f.section == "memory")
    assert stored.value == 5_000_000_000 * 256 * 2
    assert [f for f in figures if f.component == "pin_embeddings" and f.section == "ram"] == []
    ram = {f.quantity: f.value for f in figures if f.component == "image_ann" and f.section == "ram"}
    # 5B x 256 x 0.25 x 1.15 = 368 GB over 4 shards = 92 GB a machine; x 4 shards x 6 replicas
    assert ram == {"RAM per machine (one shard of a replica)": 92e9, "RAM in total (all replicas)": 92e9 * 24}


def test_a_priced_store_without_daily_bytes_is_asked_only_for_what_it_lacks():
    """A lake that declares its retention and price but nothing it receives: its storage cost needs its
    bytes per day, not the retention it already declares; without either, both are asked for."""
    text = """\
mlsd: 1
name: Lake
components:
  lake: {kind: data_lake, retention: 90d, cost: {per_gb_month: 0.02}}
  other: {kind: data_lake, cost: {per_gb_month: 0.02}}
flows: []
"""
    missing = {m.component: m.fields for m in estimate(loads(text, "lake.yaml")).missing if m.section == "cost"}
    assert missing == {
        "lake": ("components.lake.bytes_per_day",),
        "other": ("components.other.retention", "components.other.bytes_per_day"),
    }
