"""A model's declared features: validated (a located error for an unknown source), a table per model
in the doc, and the defaults named in the "missing feature" answer of the talk track."""

from __future__ import annotations

import subprocess
import sys

from docmarkdown import doc_for, table_after

from mlsd_diagram import loads
from mlsd_diagram.analyses.failure_modes import failure_modes

DESIGN = """\
mlsd: 1
name: features
components:
  app: {kind: client_app}
  store: {kind: feature_store, label: Feature store}
  model:
    kind: inference_service
    label: CTR model
    task: binary_classification
    features:
      - {name: ad_ctr_7d, source: store, encoding: log-bucketized, freshness: daily,
         default: "the advertiser's CTR", skew_check: served values logged and compared}
      - {name: user_id, encoding: hashed embedding}
flows:
  - {from: app, to: model, mode: request}
  - {from: model, to: store, mode: request, tags: [features], timeout_ms: 10, on_failure: defaults}
"""


def test_a_table_per_model_with_source_encoding_freshness_default_and_skew_check() -> None:
    rows = table_after(doc_for(DESIGN, "features.yaml"), "Features of CTR model")
    assert rows == [
        [
            "ad_ctr_7d",
            "Feature store (`store`)",
            "log-bucketized",
            "daily",
            "the advertiser's CTR",
            "served values logged and compared",
        ],
        ["user_id", "", "hashed embedding", "", "not declared", ""],
    ]
    assert "### Features of" not in doc_for(DESIGN.split("    features:")[0] + "flows: []\n", "f.yaml")


def test_the_missing_feature_answer_names_the_declared_defaults() -> None:
    fm = {f.key: f for f in failure_modes(loads(DESIGN, "features.yaml"))}
    answers = fm["missing_feature"].answers
    assert (
        "'model' serves the declared defaults when a feature is missing: ad_ctr_7d -> the advertiser's CTR." in answers
    )
    assert "'model' declares no default for user_id." in answers


def test_an_unknown_feature_source_is_a_located_error_with_a_did_you_mean(tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(DESIGN.replace("source: store", "source: stor"), encoding="utf-8")
    out = tmp_path / "bad.md"
    run = subprocess.run(
        [sys.executable, "-m", "mlsd_diagram", "doc", str(path), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert run.stderr.strip() == f"{path}:11:35: error: feature source 'stor' is not a component; did you mean 'store'?"
    assert "Traceback" not in run.stderr and not out.exists()


HEADER = """\
mlsd: 1
name: header
context:
  owner: ads ranking team
  status: in review
  reviewers: [ml platform, privacy office]
  date: 2026-12-06
components:
  app: {kind: client_app}
"""


def test_the_header_says_owner_status_reviewers_and_date_under_the_title() -> None:
    lines = doc_for(HEADER, "header.yaml").splitlines()
    assert lines[:3] == [
        "# header: design doc",
        "",
        "**Owner:** ads ranking team · **Status:** in review · **Reviewers:** ml platform, privacy office"
        " · **Date:** 2026-12-06",
    ]
    silent = doc_for(HEADER.split("context:")[0] + "components:\n  app: {kind: client_app}\n", "h.yaml")
    assert "**Owner:**" not in silent and "**Status:**" not in silent
