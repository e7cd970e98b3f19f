"""Claims the design doc and the talk track must not get wrong (issue 28, "Wrong claims").

Each blueprint here is small and written out so that the right answer can be read off it; the doc
is the real packaged template's Markdown, read back with markdown-it-py where it is a table.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from docmarkdown import doc_for, sections, table_after

from mlsd_diagram import loads
from mlsd_diagram.cli import main
from mlsd_diagram.outputs.doc import doc_markdown

ROOT = Path(__file__).parent.parent.parent
STARTERS = ROOT / "mlsd_diagram" / "starters" / "blueprints"

# Three request-path components without a fallback, each with replicas: knocking one out takes the app down.
REPLICATED = """\
mlsd: 1
name: Replicated
requirements: {scale: {peak_qps: 300}}
components:
  app: {kind: client_app}
  api: {kind: online_service, replicas: 3, capacity_qps: 200}
  ranker: {kind: ranking_service, replicas: 2, capacity_qps: 400, task: ranking}
  cache: {kind: cache, replicas: 2}
flows:
  - {from: app, to: api, mode: request}
  - {from: api, to: ranker, mode: request}
  - {from: api, to: cache, mode: request, on_failure: skip}
"""


def test_no_single_point_of_failure_is_not_told_as_nothing_can_take_us_down():
    doc = doc_for(REPLICATED)
    spof = doc.split("### Single points of failure")[1].split("###")[0]
    assert "None" not in spof
    assert "critical" in spof
    # the two that take the app down, with the replicas that alone keep them up; not the skipped cache
    assert "- api (`api`): 3 replicas" in spof
    assert "- ranker (`ranker`): 2 replicas" in spof
    assert "`cache`" not in spof


def test_a_component_skipped_on_failure_is_not_critical():
    text = REPLICATED.replace(
        "{from: api, to: ranker, mode: request}", "{from: api, to: ranker, mode: request, on_failure: skip}"
    )
    text = text.replace("  app: {kind: client_app}\n", "  app: {kind: client_app}\n  edge: {kind: online_service}\n")
    doc = doc_for(text)
    spof = doc.split("### Single points of failure")[1].split("###")[0]
    assert "- api (`api`): 3 replicas" in spof  # api still takes the app down
    assert "`ranker`" not in spof


# The harmful-content shape: no data_source at all, labels from people, logs of the live system;
# and a campaigns database that feeds serving only.
TRAINING_DATA = """\
mlsd: 1
name: Harm
components:
  app: {kind: client_app}
  posts: {kind: online_service}
  classifier: {kind: model_server, task: binary_classification}
  campaigns: {kind: data_source, label: Campaigns}
  log: {kind: event_logging}
  review: {kind: human_review, label: Moderators}
  trainer: {kind: training_pipeline}
  registry: {kind: model_registry}
flows:
  - {from: app, to: posts, mode: request}
  - {from: posts, to: classifier, mode: request}
  - {from: campaigns, to: posts, mode: batch}
  - {from: classifier, to: log, mode: stream, data: scores}
  - {from: log, to: review, mode: stream, data: flagged posts}
  - {from: review, to: trainer, mode: batch, data: decisions, tags: [labels]}
  - {from: log, to: trainer, mode: batch}
  - {from: trainer, to: registry, mode: deploy}
  - {from: registry, to: classifier, mode: deploy}
"""


def _interview(text: str, name: str = "bp.yaml") -> str:
    return doc_markdown(loads(text, name=name), stem="bp", interview=True)


def _answer(talk: str, question: str) -> str:
    return talk.split(f"### {question}")[1].split("###")[0]


def test_training_data_is_what_reaches_the_trainer_not_the_data_source_kinds():
    answer = _answer(_interview(TRAINING_DATA), "Where does the training data come from?")
    assert "Not answered yet" not in answer
    assert "Moderators (review)" in answer  # people's labels reach the trainer
    assert "classifier" in answer  # the live system's logged scores reach it
    assert "Campaigns" not in answer  # feeds serving only
    doc = doc_for(TRAINING_DATA)
    data = sections(doc)["3. Data preparation"]
    assert "What reaches each trainer over data flows:" in data
    assert "labels and reviews by people: Moderators (`review`)" in data


SHARED_REGISTRY = """\
mlsd: 1
name: Two trainers
components:
  app: {kind: client_app}
  retrieval: {kind: candidate_generation, task: retrieval, model: two-tower}
  ranker: {kind: ranking_service, task: ranking, model: gbdt, trained_by: ranker_training}
  log: {kind: event_logging}
  ranker_training: {kind: training_pipeline, label: Ranker training, cadence: 1d}
  retrieval_training: {kind: training_pipeline, label: Two-tower training, cadence: 7d}
  gate: {kind: offline_evaluation}
  registry: {kind: model_registry}
flows:
  - {from: app, to: retrieval, mode: request}
  - {from: app, to: ranker, mode: request}
  - {from: ranker, to: log, mode: stream}
  - {from: log, to: ranker_training, mode: batch}
  - {from: log, to: retrieval_training, mode: batch}
  - {from: ranker_training, to: gate, mode: deploy}
  - {from: retrieval_training, to: gate, mode: deploy}
  - {from: gate, to: registry, mode: deploy}
  - {from: registry, to: ranker, mode: deploy}
  - {from: registry, to: retrieval, mode: deploy}
"""


def test_a_model_that_names_its_trainer_has_that_trainer():
    development = sections(doc_for(SHARED_REGISTRY))["4. Model development"]
    ranker = development.split("#### ranker (`ranker`)")[1].split("####")[0]
    assert "- **Trained by**: Ranker training, every 1d" in ranker
    assert "one of" not in ranker
    # the other model names none: both trainers are upstream of it
    retrieval = development.split("#### retrieval (`retrieval`)")[1].split("####")[0]
    assert "- **Trained by one of**: Ranker training, every 1d; Two-tower training, every 7d" in retrieval


def test_trained_by_naming_no_component_is_a_located_error(tmp_path):
    path = tmp_path / "bp.yaml"
    path.write_text(SHARED_REGISTRY.replace("trained_by: ranker_training", "trained_by: ranker_trainig"))
    result = CliRunner().invoke(main, ["lint", str(path)])
    assert result.exit_code == 2
    assert f"{path}:6:" in result.output
    assert "'trained_by' names 'ranker_trainig', which is not a component" in result.output
    assert "ranker_training" in result.output  # the hint
    assert "Traceback" not in result.output


def test_a_peak_under_a_thousand_is_a_plain_number_in_the_markdown():
    doc = doc_for(REPLICATED)
    row = next(line for line in doc.splitlines() if "peak QPS entering" in line)
    assert "&#" not in row
    assert "`peak_qps` = 300 |" in row
    assert table_after(doc, "Estimates")[0][1:] == ["300 QPS", "`peak_qps` = 300"]


PRIVACY = """\
mlsd: 1
name: Private
context:
  privacy: A deletion request removes a user's events within 30 days.
components:
  app: {kind: client_app}
  collector: {kind: pii_redactor, label: Hashing collector}
  log: {kind: event_logging, retention: 7d}
  lake: {kind: data_lake, retention: 90d}
  catalog: {kind: data_warehouse, retention: 400d}
flows:
  - {from: app, to: collector, mode: stream, tags: [pii]}
  - {from: collector, to: log, mode: stream, data: hashed user ids}
  - {from: log, to: lake, mode: batch}
"""


def test_hashed_ids_are_personal_data_and_retention_is_held_against_the_erasure_promise():
    rows = {r[0]: r[2:] for r in table_after(doc_for(PRIVACY), "Privacy")}
    assert rows["log (`log`)"] == ["yes, from `collector`", "7d", "nothing declared (a flow tagged `erasure`)"]
    assert rows["lake (`lake`)"] == [
        "yes, from `collector`",
        "90d (longer than the 30-day erasure promise: a deletion must reach it)",
        "nothing declared (a flow tagged `erasure`)",
    ]
    # no flow brings personal data to it: no promise to keep (but no claim that it holds none either)
    assert rows["catalog (`catalog`)"] == ["none the flows show", "400d", ""]


def test_logged_user_interactions_are_personal_data_without_a_pii_tag():
    text = PRIVACY.replace("  - {from: app, to: collector, mode: stream, tags: [pii]}\n", "")
    text += "  - {from: app, to: log, mode: stream, data: clicks, tags: [interactions]}\n"
    rows = {r[0]: r[2] for r in table_after(doc_for(text), "Privacy")}
    assert rows["log (`log`)"] == "yes, from `app`"
    assert rows["lake (`lake`)"] == "yes, from `app`"


AUCTION = """\
mlsd: 1
name: Auction
components:
  app: {kind: client_app}
  ctr: {kind: model_server, task: binary_classification, score_use: auction}
  spam: {kind: model_server, task: binary_classification, score_use: threshold}
flows:
  - {from: app, to: ctr, mode: request}
  - {from: app, to: spam, mode: request}
"""


def test_a_priced_probability_is_judged_by_calibration_not_precision_and_recall():
    rows = table_after(doc_for(AUCTION), "Offline metrics")
    by_model = {r[2]: r[1] for r in rows}
    assert "precision" not in by_model["ctr (`ctr`)"]
    assert "calibration (predicted / observed)" in by_model["ctr (`ctr`)"]
    assert "precision" in by_model["spam (`spam`)"]  # a thresholded classifier keeps its precision/recall


def test_a_design_without_a_model_is_not_told_the_models_above_score_each_request():
    text = "mlsd: 1\nname: No model\ncomponents:\n  app: {kind: client_app}\n  api: {kind: online_service}\n"
    text += "flows:\n  - {from: app, to: api, mode: request}\n"
    funnel = doc_for(text).split("### Retrieval -> ranking -> re-ranking funnel")[1].split("###")[0]
    assert "models above" not in funnel
    assert "no model yet" in funnel


def test_the_talk_track_asks_a_classifier_about_calibration_not_position_bias():
    talk = _interview((STARTERS / "harmful_content_detection.yaml").read_text(), "harm.yaml")
    assert "position bias" not in talk
    assert "### Are the probabilities calibrated?" in talk
    ads = _interview((STARTERS / "ad_click_prediction.yaml").read_text(), "ads.yaml")
    assert "### Are the probabilities calibrated, and is position bias removed?" in ads


def test_closing_the_loop_names_loops_that_reach_training_not_rollout():
    loop = _answer(
        _interview((STARTERS / "ad_click_prediction.yaml").read_text(), "ads.yaml"),
        "How do you close the loop back into training?",
    )
    # the loop itself (what the model served -> its trainer -> gate, registry, rollout -> the model), not
    # the monitoring -> rollout flow marked `loop: feedback`, which retrains nothing
    assert "monitoring -&gt; rollout" not in loop and "feedback:" not in loop
    assert "validation -&gt; trainer -&gt; evaluation -&gt; registry -&gt; rollout -&gt; ctr_model" in loop


def test_risks_are_generated_from_the_analyses():
    risks = doc_for(REPLICATED).split("### Risks")[1].split("### Lint findings")[0]
    assert "From the analyses (regenerated with the blueprint):" in risks
    assert "- Critical, no fallback answers for them: api (`api`), ranker (`ranker`)" in risks
    assert "- One zone or region: no request-path component declares `zones`" in risks
