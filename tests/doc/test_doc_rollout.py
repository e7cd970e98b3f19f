"""The rollout plan (ramp, kill switch, rollback criteria on the deployment controller) and the
alternatives table ({option, pros, cons}) in the design doc, read with markdown-it-py; their
validation (located errors, exit 2) and `mlsd diff` seeing a changed ramp."""

from __future__ import annotations

import html
import subprocess
import sys

from docmarkdown import doc_for, parser, sections

from mlsd_diagram import loads
from mlsd_diagram.analyses.diff import diff_blueprints
from mlsd_diagram.outputs.doc import doc_markdown

DESIGN = """\
mlsd: 1
name: rollout
context:
  alternatives:
    - batch predictions nightly
    - {option: one global model, pros: [simple to run], cons: [misses regional taste, one bad deploy hits all]}
components:
  app: {kind: client_app}
  model:
    kind: inference_service
    label: CTR model
    alternatives:
      - logistic regression
      - option: gradient-boosted trees
        pros: [fast to train, strong on dense features]
        cons: [no learned embeddings for sparse ids]
  registry: {kind: model_registry}
  rollout:
    kind: deployment_controller
    label: Canary
    ramp:
      - {share: 0.01, hold: 1h}
      - {share: 0.1, hold: 6h}
      - {share: 0.5, hold: 1d}
      - {share: 1}
    kill_switch: a feature flag the on-call flips back to the last version
    rollback_on:
      - {metric: error rate, threshold: "> 1%", window: 5m}
      - {metric: p99 latency ms, threshold: 80, window: 15m}
flows:
  - {from: app, to: model, mode: request}
  - {from: registry, to: rollout, mode: deploy}
  - {from: rollout, to: model, mode: deploy}
"""


def _rollout_section(markdown: str) -> str:
    serving = sections(markdown)["6. Deployment and serving"]
    return serving.split("### Rollout")[1].split("### Integration points")[0]


def _tables(markdown: str) -> list[list[list[str]]]:
    """The body rows (cell text, entities decoded) of every table in ``markdown``."""
    tables: list[list[list[str]]] = []
    in_body = False
    for token in parser().parse(markdown):
        if token.type == "tbody_open":
            in_body = True
            tables.append([])
        elif token.type == "tbody_close":
            in_body = False
        elif in_body and token.type == "tr_open":
            tables[-1].append([])
        elif in_body and token.type == "inline":
            tables[-1][-1].append(html.unescape(token.content))
    return tables


def test_the_rollout_section_shows_the_ramp_kill_switch_and_rollback_criteria() -> None:
    markdown = doc_for(DESIGN, "rollout.yaml")
    part = _rollout_section(markdown)
    inline = [t.content for t in parser().parse(part) if t.type == "inline"]
    assert "Rollout plan of Canary (`rollout`):" in inline
    assert "Ramp: 1% (hold 1h) -> 10% (hold 6h) -> 50% (hold 1d) -> 100%" in inline
    assert "Kill switch: a feature flag the on-call flips back to the last version" in inline
    assert _tables(part)[-1] == [["error rate", "> 1%", "5m"], ["p99 latency ms", "80", "15m"]]
    assert "&#56;0" not in part  # a number is not escaped as if it opened an ordered list
    assert "Decide:" not in part


def test_a_controller_without_a_plan_gets_a_decide_prompt_naming_its_fields() -> None:
    bare = DESIGN.split("    ramp:")[0] + "flows:" + DESIGN.split("\nflows:")[1]
    part = _rollout_section(doc_for(bare, "bare.yaml"))
    assert "Rollout plan of" not in part
    assert (
        "> Decide: the ramp (share of traffic and hold time of each step), the kill switch and the rollback "
        "criteria (metric, threshold, window) of a new version rolled out by Canary (`rollout.ramp`, "
        "`rollout.kill_switch`, `rollout.rollback_on`)."
    ).replace("(`rollout.", "(`components.rollout.").replace(", `rollout.", ", `components.rollout.") in part
    # only the missing part is asked for when the rest is declared
    partial = DESIGN.replace("    kill_switch: a feature flag the on-call flips back to the last version\n", "")
    part = _rollout_section(doc_for(partial, "partial.yaml"))
    assert "> Decide: the kill switch of a new version rolled out by Canary" in part


def test_the_alternatives_table_has_each_structured_alternative_with_pros_and_cons() -> None:
    markdown = doc_for(DESIGN, "rollout.yaml")
    part = sections(markdown)["2. Framing as an ML task"].split("### Alternatives considered")[1]
    rows = _tables(part)[0]
    assert rows == [
        ["the whole system", "one global model", "simple to run", "misses regional taste; one bad deploy hits all"],
        [
            "CTR model (`model`)",
            "gradient-boosted trees",
            "fast to train; strong on dense features",
            "no learned embeddings for sparse ids",
        ],
    ]
    # the string form still works: a bullet for the system, a fact for the model
    assert "- batch predictions nightly" in sections(markdown)["2. Framing as an ML task"]
    assert (
        "logistic regression; gradient-boosted trees (not chosen: no learned embeddings for sparse ids)"
        in (sections(markdown)["4. Model development"])
    )
    plain = DESIGN.replace("      - option: gradient-boosted trees\n", "      - gradient-boosted trees\n")
    plain = "\n".join(line for line in plain.splitlines() if "pros:" not in line and "cons:" not in line) + "\n"
    assert "| for | option | pros | cons |" not in doc_for(plain, "plain.yaml")


def test_a_falling_ramp_and_a_plan_on_a_non_rollout_component_are_located_errors(tmp_path) -> None:
    cases = {
        "falling": (
            DESIGN.replace("{share: 0.5, hold: 1d}", "{share: 0.05, hold: 1d}"),
            "24:17: error: ramp step 3 sends 0.05 of traffic, not more than the step before it (0.1); "
            "a ramp's shares rise (0.01, 0.1, 0.5, 1)",
        ),
        "misplaced": (
            DESIGN.replace(
                "  registry: {kind: model_registry}", "  registry: {kind: model_registry, kill_switch: a flag}"
            ),
            "17:36: error: 'kill_switch' is a rollout plan, and 'registry' (model_registry) rolls nothing out; "
            "declare it on the deployment_controller, or give this component the canary, shadow or ab_test capability",
        ),
        "over_all": (DESIGN.replace("{share: 1}", "{share: 2}"), "25:17: error: "),
    }
    for name, (text, expected) in cases.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        out = tmp_path / f"{name}.md"
        run = subprocess.run(
            [sys.executable, "-m", "mlsd_diagram", "doc", str(path), "-o", str(out)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 2, (name, run.stderr)
        assert run.stderr.startswith(f"{path}:{expected}"), (name, run.stderr)
        assert "Traceback" not in run.stderr and not out.exists()


def test_diff_sees_a_changed_ramp_and_rollback_criterion() -> None:
    old = loads(DESIGN, name="old.yaml")
    new = loads(DESIGN.replace("{share: 0.1, hold: 6h}", "{share: 0.2, hold: 6h}"), name="new.yaml")
    changed = diff_blueprints(old, new)["components"]["changed"]
    assert [(c["id"], [f["field"] for f in c["changes"]]) for c in changed] == [("rollout", ["ramp"])]
    newer = loads(DESIGN.replace("window: 15m", "window: 30m"), name="newer.yaml")
    changed = diff_blueprints(old, newer)["components"]["changed"]
    assert [(c["id"], [f["field"] for f in c["changes"]]) for c in changed] == [("rollout", ["rollback_on"])]


def test_the_talk_track_answers_the_rollout_question_with_the_plan() -> None:
    talk = doc_markdown(loads(DESIGN, "rollout.yaml"), stem="rollout", interview=True)
    inline = [html.unescape(t.content) for t in parser().parse(talk) if t.type == "inline"]
    assert "Canary (rollout) ramps 1% for 1h, then 10% for 6h, then 50% for 1d, then 100%" in inline
    assert "Kill switch: a feature flag the on-call flips back to the last version" in inline
    assert "Rolls back when p99 latency ms is 80 over 15m" in inline


def test_the_bundled_video_search_doc_weighs_its_alternatives_in_a_table() -> None:
    """The bundled video search declares its whole-system and ranker alternatives as {option, pros, cons}:
    the doc's table carries each with its pros and cons, and the ranker's part says why each lost."""
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "blueprints" / "video_search.yaml"
    markdown = doc_for(path.read_text(encoding="utf-8"), "video_search.yaml")
    framing = sections(markdown)["2. Framing as an ML task"]
    rows = _tables(framing.split("### Alternatives considered")[1])[0]
    assert [(r[0], r[1]) for r in rows] == [
        ("the whole system", "lexical search only (BM25 on titles, descriptions and transcripts)"),
        ("the whole system", "tagging videos with a fixed vocabulary of classes and matching queries to tags"),
        ("the whole system", "a cross-encoder over query and video for retrieval"),
        ("Search ranker (`ranker`)", "LambdaMART gradient-boosted trees"),
        ("Search ranker (`ranker`)", "pointwise click model"),
        ("Search ranker (`ranker`)", "cross-encoder BERT ranker"),
    ]
    assert rows[0][2] == (
        "exact matches for names and quotes; no encoder or index to train and rebuild; kept: it is one of the two retrievers"
    )
    assert rows[0][3] == "misses synonyms and paraphrases; nothing for videos with poor metadata"
    assert rows[5][2:] == ["the best relevance", "about 10x the serving cost at 50k QPS"]
    assert (
        "cross-encoder BERT ranker (not chosen: about 10x the serving cost at 50k QPS)"
        in (sections(markdown)["4. Model development"])
    )
