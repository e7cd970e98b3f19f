"""The 28 tests of the ML Test Score (Breck et al., 2017), as the design doc lists them.

Thirteen can be seen (or missed) in an architecture, through the design rules
named in ``rules``; the other fifteen need evidence a diagram cannot hold (code,
experiments, reviews), and the doc lists them as a manual checklist.
When :mod:`mlsd_diagram.analyses.score` is installed, its verdicts are used for the
thirteen; this table supplies titles and the checklist.
"""

from __future__ import annotations

ML_TEST_SCORE: tuple[dict, ...] = (
    {"id": "Data 1", "title": "Feature expectations are captured in a schema", "rules": ["MLSD404"]},
    {"id": "Data 2", "title": "All features are beneficial", "rules": []},
    {"id": "Data 3", "title": "No feature's cost is too much", "rules": []},
    {"id": "Data 4", "title": "Features adhere to meta-level requirements", "rules": []},
    {"id": "Data 5", "title": "The data pipeline has appropriate privacy controls", "rules": ["MLSD403"]},
    {"id": "Data 6", "title": "New features can be added quickly", "rules": []},
    {"id": "Data 7", "title": "All input feature code is tested", "rules": []},
    {"id": "Model 1", "title": "Model specs are reviewed and submitted", "rules": []},
    {"id": "Model 2", "title": "Offline and online metrics correlate", "rules": ["MLSD602", "MLSD603"]},
    {"id": "Model 3", "title": "All hyperparameters have been tuned", "rules": []},
    {"id": "Model 4", "title": "The impact of model staleness is known", "rules": ["MLSD502"]},
    {"id": "Model 5", "title": "A simpler model is not better", "rules": ["MLSD604"]},
    {"id": "Model 6", "title": "Model quality is sufficient on important data slices", "rules": []},
    {"id": "Model 7", "title": "The model is tested for considerations of inclusion", "rules": []},
    {"id": "Infra 1", "title": "Training is reproducible", "rules": []},
    {"id": "Infra 2", "title": "Model specs are unit tested", "rules": []},
    {"id": "Infra 3", "title": "The ML pipeline is integration tested", "rules": []},
    {"id": "Infra 4", "title": "Model quality is validated before serving", "rules": ["MLSD601"]},
    {"id": "Infra 5", "title": "The model is debuggable", "rules": []},
    {"id": "Infra 6", "title": "Models are canaried before serving", "rules": ["MLSD602"]},
    {"id": "Infra 7", "title": "Serving models can be rolled back", "rules": ["MLSD501"]},
    {"id": "Monitor 1", "title": "Dependency changes result in notification", "rules": []},
    {"id": "Monitor 2", "title": "Data invariants hold for inputs", "rules": ["MLSD302", "MLSD404"]},
    {"id": "Monitor 3", "title": "Training and serving are not skewed", "rules": ["MLSD401"]},
    {"id": "Monitor 4", "title": "Models are not too stale", "rules": ["MLSD502", "MLSD503"]},
    {"id": "Monitor 5", "title": "Models are numerically stable", "rules": []},
    {"id": "Monitor 6", "title": "Computing performance has not regressed", "rules": ["MLSD203", "MLSD301"]},
    {"id": "Monitor 7", "title": "Prediction quality has not regressed", "rules": ["MLSD301"]},
)

MANUAL_TESTS: frozenset[str] = frozenset(t["id"] for t in ML_TEST_SCORE if not t["rules"])

assert len(ML_TEST_SCORE) == 28 and len(MANUAL_TESTS) == 15  # noqa: S101 - the paper's counts
