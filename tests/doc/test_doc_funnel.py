"""The retrieval -> ranking -> re-ranking funnel comes from roles and flows, not kind names."""

from __future__ import annotations

import copy

import pytest
import yaml
from docmarkdown import doc_for, sections
from mlsd_testing import ROOT, kind_names_in_code

from mlsd_diagram import loads
from mlsd_diagram.analyses.funnel import funnel
from mlsd_diagram.starters import starter


def _starter(name: str):
    return loads(starter(name).text, f"{name}.yaml")


def _bundled(name: str):
    return loads((ROOT / "blueprints" / f"{name}.yaml").read_text(encoding="utf-8"), f"{name}.yaml")


def test_ad_click_targeting_is_the_candidate_generation_of_the_auction():
    found = funnel(_starter("ad_click_prediction"))
    assert "targeting" in found.retrieval  # an online_service: found by its call before the ranker
    assert found.ranking == ("ctr_model",)
    assert found.reranking == ("auction",)
    assert "experiments" not in found.retrieval + found.reranking  # assignment chooses no item


def test_people_you_may_know_is_ranked_in_batch():
    found = funnel(_starter("people_you_may_know"))
    assert found.ranking == ("batch_scoring",)
    assert found.precomputed == {"suggestions": ("batch_scoring",)}
    assert "fof_candidates" in found.retrieval  # feeds the offline model its candidates
    assert "filter" in found.reranking


@pytest.mark.parametrize(
    "load,name,source",
    [
        (_starter, "news_feed", "inbox"),
        (_bundled, "news_feed", "inbox"),
        (_starter, "event_recommendation", "geo_search"),
        (_bundled, "event_recommendation", "geo_search"),
        (_starter, "video_search", "text_search"),
        (_bundled, "video_search", "text_search"),
    ],
)
def test_candidate_sources_without_a_retrieval_kind_are_retrieval(load, name, source):
    found = funnel(load(name))
    assert source in found.retrieval
    assert found.ranking == ("ranker",)


def test_caches_and_feature_stores_are_not_candidates():
    found = funnel(_starter("news_feed"))
    assert "feed_cache" not in found.retrieval  # read first, a degrade target
    assert "features" not in found.retrieval + found.reranking


def test_no_ranker_makes_retrieval_the_pivot():
    found = funnel(_starter("visual_search"))
    assert found.ranking == ()
    assert "image_ann" in found.retrieval and "reranker" in found.reranking


def test_a_threshold_classifier_has_no_funnel():
    assert not funnel(_starter("harmful_content_detection")).applies


def test_order_of_calls_decides_the_stage(ranker_data):
    """Without steps, file order: the same service called after the ranker re-ranks, before it retrieves."""
    data = copy.deepcopy(ranker_data)
    data["components"]["lookup"] = {"kind": "online_service", "latency_p99_ms": 1, "replicas": 2}
    flows = data["flows"]
    at = next(i for i, f in enumerate(flows) if f["from"] == "gateway" and f["to"] == "ranker")
    flows.insert(at, {"from": "gateway", "to": "lookup", "mode": "request", "data": "ids"})
    assert "lookup" in funnel(loads(yaml.safe_dump(data, sort_keys=False))).retrieval
    data["flows"] = [f for f in flows if f.get("to") != "lookup"]
    at = next(i for i, f in enumerate(data["flows"]) if f["from"] == "gateway" and f["to"] == "ranker")
    data["flows"].insert(at + 1, {"from": "gateway", "to": "lookup", "mode": "request", "data": "ids"})
    assert "lookup" in funnel(loads(yaml.safe_dump(data, sort_keys=False))).reranking


def test_doc_shows_the_funnel_by_role():
    markdown = doc_for(starter("ad_click_prediction").text, "ad_click_prediction.yaml")
    framing = sections(markdown)["2. Framing as an ML task"]
    assert "1. **Retrieval**: Targeting and ad retrieval (`targeting`)" in framing
    assert "3. **Re-ranking**: Auction and pacing (`auction`)" in framing
    assert "how candidates are retrieved" not in markdown
    pymk = sections(doc_for(starter("people_you_may_know").text, "pymk.yaml"))["2. Framing as an ML task"]
    assert "**Ranking**: Nightly pair scoring (`batch_scoring`), ranked in batch into" in pymk
    assert "**Retrieval**: none" not in pymk


@pytest.mark.parametrize("module", ["funnel.py", "failure_modes.py"])
def test_the_derivations_hold_no_kind_name(module):
    """Like the rules: roles, traits, stages and flows only, so a custom kind works the same."""
    assert kind_names_in_code(ROOT / "mlsd_diagram" / "analyses" / module) == set()


def test_a_custom_retrieval_kind_is_retrieval(ranker_data):
    data = copy.deepcopy(ranker_data)
    data["kinds"] = {"x-graph-walk": {"stage": "serving", "roles": ["RETRIEVE"]}}
    data["components"]["retrieval"] = {"kind": "x-graph-walk", "replicas": 2, "latency_p99_ms": 3}
    found = funnel(loads(yaml.safe_dump(data, sort_keys=False)))
    assert found.retrieval == ("retrieval",) and found.ranking == ("ranker",)
