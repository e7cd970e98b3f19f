"""`mlsd doc --interview`: the design doc as a 45-minute talk track, answered from the blueprint,
lint and simulate."""

from __future__ import annotations

import copy

import pytest
import yaml
from click.testing import CliRunner
from docmarkdown import DATA, STEP_TITLES, parser

from mlsd_diagram import loads
from mlsd_diagram.analyses.failure_modes import ANSWERED, OPEN, PARTLY, failure_modes
from mlsd_diagram.analyses.serving import load_at
from mlsd_diagram.cli import main
from mlsd_diagram.outputs.doc import doc_markdown
from mlsd_diagram.starters import starter, starters


def _talk(data: dict | str) -> str:
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    return doc_markdown(loads(text, "ranker.yaml"), stem="ranker", interview=True)


def _h(markdown: str, tag: str) -> list[str]:
    tokens = parser().parse(markdown)
    return [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == tag]


def _under(markdown: str, heading: str) -> str:
    """The text under the `###` heading ``heading`` up to the next heading."""
    return markdown.split(f"### {heading}\n")[1].split("\n#")[0]


def test_the_seven_steps_with_time_boxes_then_failure_modes(ranker_text):
    markdown = _talk(ranker_text)
    titles = _h(markdown, "h2")
    assert titles[:7] == [
        f"{t} (minutes {a}-{b})"
        for t, (a, b) in zip(STEP_TITLES, [(0, 5), (5, 10), (10, 17), (17, 27), (27, 32), (32, 39), (39, 43)])
    ]
    assert titles[7:] == ["Failure modes (minutes 43-45)", "Open questions"]
    html = parser().render(markdown)
    assert html.count("<table>") == 1 and "| --- |" not in html


def test_an_answered_question_shows_the_blueprint_and_a_missing_fact_says_so(ranker_data):
    answered = _talk(copy.deepcopy(ranker_data))
    assert "- Home page conversion has been flat" in _under(
        answered, "Why build it now, and what is in and out of scope?"
    )
    assert "- ranker: loss: binary cross-entropy per head" in _under(
        answered, "What is the loss, and what are positives and negatives?"
    )
    data = copy.deepcopy(ranker_data)
    for key in ("motivation", "scope_in", "scope_out"):
        del data["context"][key]
    missing = _talk(data)
    assert _under(missing, "Why build it now, and what is in and out of scope?").strip() == (
        "Not answered yet (add: context.motivation, context.scope_in, context.scope_out)."
    )


def test_questions_that_do_not_apply_are_not_asked(ranker_data):
    """No multi-head model: no value-model question; no automated action: no question about its limits."""
    data = copy.deepcopy(ranker_data)
    data["components"]["ranker"]["outputs"] = ["p(purchase)"]
    del data["components"]["ranker"]["value_model"]
    markdown = _talk(data)
    assert "How do the outputs combine" not in markdown
    assert "What acts with no human in between" not in markdown
    assert "How do the outputs combine" in _talk(ranker_data)


def test_failure_modes_come_from_simulate_and_lint(ranker_data):
    fm = {f.key: f for f in failure_modes(loads(yaml.safe_dump(ranker_data, sort_keys=False)))}
    # the ranker's feature call has no timeout and fails: MLSD208 says so, the answer says what happens
    assert fm["missing_feature"].status == PARTLY
    assert [f.rule for f in fm["missing_feature"].findings] == ["MLSD208"]
    assert "losing 'features' leaves 'app' degraded" in fm["missing_feature"].answers[0]
    assert "When 'ranker' fails, 'popular' answers" in " ".join(fm["fallbacks"].answers)
    assert fm["fallbacks"].status == ANSWERED
    data = copy.deepcopy(ranker_data)
    data["flows"] = [f for f in data["flows"] if f["mode"] != "fallback"]
    fm = {f.key: f for f in failure_modes(loads(yaml.safe_dump(data, sort_keys=False)))}
    assert fm["fallbacks"].status == OPEN
    assert "MLSD201" in {f.rule for f in fm["fallbacks"].findings}


def test_overload_answer_uses_the_load_at_peak():
    bp = loads(starter("ad_click_prediction").text)
    fm = {f.key: f for f in failure_modes(bp)}
    overload = " ".join(fm["overload"].answers)
    # by hand from the starter: every call on the way carries the peak once (per_request 1)
    model = bp.components["ctr_model"]
    peak = bp.requirements.scale.peak_qps
    utilized = round(100 * peak / (model.replicas * model.capacity_qps))
    assert (
        f"'ctr_model': {model.replicas} replicas, {model.capacity_qps:g} QPS each, "
        f"{model.capacity_items_per_s:,.0f} predictions/s each, {utilized}% utilized at peak, sheds excess load"
    ) in overload
    assert f"Headroom: {load_at(bp, 1)['headroom']:g}x peak" in overload


@pytest.mark.parametrize("name", [s.name for s in starters()])
def test_every_starter_talk_track_parses_and_is_deterministic(name, tmp_path):
    runner = CliRunner()
    blueprint = tmp_path / f"{name}.yaml"
    assert runner.invoke(main, ["new", str(blueprint), "--template", name]).exit_code == 0
    outputs = []
    for run in ("a", "b"):
        result = runner.invoke(main, ["doc", str(blueprint), "--interview", "-o", str(tmp_path / run / "talk.md")])
        assert result.exit_code == 0, result.output
        outputs.append((tmp_path / run / "talk.md").read_bytes())
    assert outputs[0] == outputs[1]
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["talk.md"]  # no diagram for a talk track
    markdown = outputs[0].decode("utf-8")
    assert len(_h(markdown, "h2")) == 9
    assert markdown.endswith("\n") and not markdown.endswith("\n\n")


def test_default_output_does_not_replace_the_doc(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ranker.yaml").write_text((DATA / "ranker.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(main, ["doc", "ranker.yaml", "--interview"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "output" / "ranker-interview.md").is_file()
    assert not (tmp_path / "output" / "ranker.md").exists()
    stdout = CliRunner().invoke(main, ["doc", "ranker.yaml", "--interview", "-o", "-"])
    assert stdout.output == (tmp_path / "output" / "ranker-interview.md").read_text(encoding="utf-8")


def test_bad_blueprint_is_a_located_error_not_a_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("mlsd: 1\nname: x\ncomponents:\n  a: {kind: nope}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["doc", str(bad), "--interview", "-o", "-"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "bad.yaml:4:" in result.output


def test_text_entries_of_the_scale_are_shown_as_written(tmp_path):
    """`requirements.scale` allows extra entries; a text one (a YAML `1:00000000` is text) is no number to group
    (found by the mutation property test: the talk track raised ValueError)."""
    blueprint = tmp_path / "odd.yaml"
    blueprint.write_text(
        "mlsd: 1\nname: Odd scale\nrequirements:\n"
        '  scale: {daily_active_users: 1000, members: "1:00000000", regions: EU}\n'
        "components:\n  app: {kind: client_app}\n  svc: {kind: online_service}\n"
        "flows:\n  - {from: app, to: svc, mode: request, data: x}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["doc", str(blueprint), "--interview", "-o", str(tmp_path / "odd.md")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "odd.md").read_text(encoding="utf-8")
    assert "daily active users: 1,000, members: 1:00000000, regions: EU" in text


def test_close_the_loop_is_answered_with_the_retraining_loop_itself(ranker_data):
    """From what the model served back to its next version, not the flows marked `loop` nor monitoring -> rollout."""
    answer = _under(_talk(ranker_data), "How do you close the loop back into training?")
    assert (
        "- ranker: ranker -&gt; log -&gt; redactor -&gt; lake -&gt; checks -&gt; training -&gt; eval -&gt; " in answer
    )
    assert "registry -&gt; rollout -&gt; ranker\n" in answer
    assert "feedback: alerting" not in answer
    # the control: with no deploy flow from the registry, no model gets a new version: no loop closes
    data = copy.deepcopy(ranker_data)
    data["flows"] = [f for f in data["flows"] if f["from"] != "registry"]
    open_answer = _under(_talk(data), "How do you close the loop back into training?")
    assert open_answer.strip().startswith("Not answered yet")


def test_cold_start_is_not_answered_by_a_baseline_that_keys_on_items(ranker_data):
    """A fallback heuristic is no cold-start answer (historical CTR per ad has nothing for a new ad):
    the answer comes from what the blueprint declares for new users and items."""
    fm = {f.key: f for f in failure_modes(loads(yaml.safe_dump(ranker_data, sort_keys=False)))}
    assert "popular" in yaml.safe_dump(ranker_data)  # the control: the design has a baseline
    assert fm["cold_start"].status == OPEN and fm["cold_start"].answers == ()
    data = copy.deepcopy(ranker_data)
    data["components"]["ranker"]["cold_start"] = "a new item starts from its category's purchase rate"
    fm = {f.key: f for f in failure_modes(loads(yaml.safe_dump(data, sort_keys=False)))}
    assert fm["cold_start"].answers == ("'ranker': a new item starts from its category's purchase rate",)
    assert "a heuristic every user and item has" not in _talk(ranker_data)
    # a baseline the request path calls for what the model cannot serve is a declared cold-start path
    data = copy.deepcopy(ranker_data)
    data["flows"].append({"from": "gateway", "to": "popular", "mode": "request", "data": "users with no history"})
    fm = {f.key: f for f in failure_modes(loads(yaml.safe_dump(data, sort_keys=False)))}
    assert fm["cold_start"].answers == ("'gateway' calls 'popular' for users with no history.",)


def test_a_model_that_says_nothing_about_itself_does_not_answer_the_question(ranker_data):
    data = copy.deepcopy(ranker_data)
    for m in ("ranker", "retrieval"):
        for key in ("task", "inputs", "outputs"):
            data["components"][m].pop(key, None)
    markdown = _talk(data)
    assert _under(markdown, "What does each model take in and return?").strip().startswith("Not answered yet")
    assert "- ranker: " in _under(_talk(ranker_data), "What does each model take in and return?")


def test_close_the_loop_tells_each_model_once_in_declared_order():
    """Where the models name no trainer (``trained_by``) and three trainers share the news feed's gate
    and registry, each model's loop is told once, through its first trainer, the others named beside it."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "blueprints" / "news_feed.yaml").read_text(encoding="utf-8")
    unnamed = re.sub(r"\n *trained_by: \w+", "", text)
    unnamed = re.sub(r"trained_by: \w+, ", "", unnamed)
    assert "trained_by" not in unnamed
    bp = loads(unnamed, "news_feed.yaml")
    talk = doc_markdown(bp, stem="news_feed", interview=True)
    answer = _under(talk, "How do you close the loop back into training?")
    models = [line.split(" (")[0].removeprefix("- ") for line in answer.strip().splitlines()]
    assert models == ["Two-tower retrieval", "User tower", "Multi-task ranker", "Integrity classifier"]
    integrity = next(line for line in answer.splitlines() if line.startswith("- Integrity classifier"))
    assert "-&gt; integrity_training -&gt;" in integrity and "also reach" not in integrity
    ranker = next(line for line in answer.splitlines() if line.startswith("- Multi-task ranker"))
    assert "-&gt; ranker_training -&gt;" in ranker
    assert ranker.endswith("; retrieval_training, integrity_training also reach it")
    doc = doc_markdown(bp, stem="news_feed")
    loop = _under(doc, "Retraining loop").split("Loop flows:")[0]
    assert [line.split(" (")[0] for line in loop.strip().splitlines()] == [f"- {m}" for m in models]


def test_how_big_counts_the_items_scored_and_read_and_the_monthly_cost():
    """The ad click starter scores 2,000 ads per request: "how big" is answered in predictions and feature
    reads per second with the replicas they need, not only in requests (hand-computed below)."""
    talk = doc_markdown(loads(starter("ad_click_prediction").text, "ad.yaml"), stem="ad", interview=True)
    answer = _under(talk, "How big is it: users, queries per second, catalogue?")
    # 500,000 requests/s x 1 call x 2,000 ads = 10^9 predictions/s; ceil(10^9 / (200,000 x 0.6)) = 8,334
    assert (
        "- CTR model (ctr_model): 1B predictions/s (caller QPS x per_request x items_per_call = "
        "500,000 (ad_server) x 1 x 2,000), 8334 replicas at 60% (9000 declared)"
    ) in answer
    # 500,000 x 2,001 keys = 1,000,500,000 reads/s; ceil(1,000,500,000 / (2,000,000 x 0.6)) = 834
    assert "- Feature store (features): 1B feature reads/s" in answer and "834 replicas at 60% (840 declared)" in answer
    # 9,000 x 0.4 x 730 + 840 x 1.1 x 730 + 945 TB x 0.08 + 4,050 TB x 0.023 = 3,471,270 a month
    assert "- Cost: 3.5M per month for the priced components" in answer


def test_a_batch_scored_design_answers_overload_by_what_the_request_path_reads():
    """People you may know scores member pairs nightly and serves them from a store: the overload question
    is answered by that (no model service on the request path), not left open."""
    modes = {m.key: m for m in failure_modes(loads(starter("people_you_may_know").text, "pymk.yaml"))}
    overload = modes["overload"]
    assert overload.answers[0] == (
        "No model runs on the request path: 'batch_scoring' scores in batch and requests read what it stored "
        "in 'suggestions'; more traffic loads those stores, and a slow batch run serves older results, not errors."
    )
    assert overload.answers[1].startswith("Headroom: ")
    assert overload.status == ANSWERED


def test_what_else_lists_the_alternatives_in_declared_order_in_either_form():
    """The ad click starter declares two structured alternatives, then a line: the talk track keeps that
    order (the structured ones were listed after every line)."""
    talk = doc_markdown(loads(starter("ad_click_prediction").text, "ad.yaml"), stem="ad", interview=True)
    answer = _under(talk, "What else did you consider, and why not?").strip().splitlines()
    assert answer == [
        "- historical CTR per ad and placement only (not chosen: no estimate for new ads (cold start); "
        "no user personalization)",
        "- daily batch retraining (not chosen: loses about 1% NE to staleness against continual training "
        "(He et al. 2014))",
        "- one model per advertiser vertical: less data per model and many pipelines to run",
    ]


def test_overload_states_a_rankers_capacity_in_predictions():
    """The news feed starter's ranker scores ~1,500 posts per call: its overload answer gives the
    predictions per second a replica sustains beside its requests."""
    modes = {m.key: m for m in failure_modes(loads(starter("news_feed").text, "news_feed.yaml"))}
    ranker = next(a for a in modes["overload"].answers if a.startswith("'ranker'"))
    assert ranker.startswith("'ranker': 1020 replicas, 200 QPS each, 300,000 predictions/s each, ")
