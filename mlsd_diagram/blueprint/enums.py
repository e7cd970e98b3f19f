"""The enumerated values of the blueprint format (flow modes, failure policies, model facts).

Declared apart from :mod:`.models` so that the models module stays readable; :mod:`.models`
imports them back, so ``from mlsd_diagram.blueprint.models import Mode`` keeps working.
"""

from __future__ import annotations

from enum import Enum


class Mode(str, Enum):
    """How data moves along a flow."""

    REQUEST = "request"  # synchronous online call
    STREAM = "stream"  # continuous events
    BATCH = "batch"  # scheduled bulk transfer
    DEPLOY = "deploy"  # model or index artifact promotion
    FALLBACK = "fallback"  # when `from` is unavailable, its callers are served by `to`
    TELEMETRY = "telemetry"  # metrics, logs, predictions to monitoring


class OnFailure(str, Enum):
    """What a caller does when one of its request calls fails (see README, "Simulate")."""

    FAIL = "fail"  # the caller fails too; its own fallback flows answer in its place
    SKIP = "skip"  # it answers without that call's result (degraded)
    DEFAULTS = "defaults"  # it answers with default values for what the call returns (degraded)


class Loop(str, Enum):
    """A deliberate cycle through stream or batch flows."""

    FEEDBACK = "feedback"
    RETRAINING = "retraining"


class ScoreUse(str, Enum):
    """How a model's scores are used downstream (which decides whether their values must be calibrated)."""

    RANKING = "ranking"  # only the order matters: the list users see
    AUCTION = "auction"  # the value is priced: bid x probability
    THRESHOLD = "threshold"  # a cut-off on the value triggers a decision
    BLEND = "blend"  # weighted with other heads or models, then ranked
    ESTIMATE = "estimate"  # the value itself is shown or used (an ETA); chooses nothing users see


class Calibration(str, Enum):
    """How predicted probabilities are mapped to observed frequencies."""

    PLATT = "platt"  # logistic fit on held-out scores
    ISOTONIC = "isotonic"  # monotone step fit on held-out scores
    TEMPERATURE = "temperature"  # one temperature on the logits (Guo et al. 2017)
    HISTOGRAM = "histogram"  # histogram binning
    SAMPLING_CORRECTION = "sampling_correction"  # undoes negative downsampling (He et al. 2014)


class LatePositives(str, Enum):
    """What happens to positives that arrive after a label window closed."""

    DROPPED = "dropped"  # they stay negatives: no correction
    RELABELED = "relabeled"  # the example is emitted again as a positive, with fake-negative weighting
    IMPORTANCE_WEIGHTED = "importance_weighted"  # the loss reweights examples by the label delay distribution
    DELAY_MODEL = "delay_model"  # a delayed-feedback model of conversion time (Chapelle 2014)
    WINDOW_CLOSED = "window_closed"  # examples are emitted only once their window has closed (data lags by it)


class PositionDebiasing(str, Enum):
    """How a model trained on clicks from a ranked list removes position bias."""

    POSITION_FEATURE = "position_feature"  # trained with the position, served at a fixed one (Rules of ML #36)
    IPW = "ipw"  # inverse propensity weighting (Joachims et al. 2017)
    RANDOMIZATION = "randomization"  # randomized slots estimate the propensities
    BIAS_TOWER = "bias_tower"  # a shallow position tower added only in training


class ClassBalancing(str, Enum):
    """How training handles rare positives."""

    CLASS_WEIGHTS = "class_weights"
    DOWNSAMPLING = "downsampling"  # of negatives (correct the probabilities: calibration sampling_correction)
    UPSAMPLING = "upsampling"
    FOCAL_LOSS = "focal_loss"


class Capability(str, Enum):
    """A rollout capability built into a serving component."""

    SHADOW = "shadow"  # runs candidate models on live traffic without serving their answers
    CANARY = "canary"  # sends a small share of traffic to a new version first
    AB_TEST = "ab_test"  # serves several models side by side, split by experiment arm
    VERSIONED_MODELS = "versioned_models"  # keeps versioned model folders and rolls back to one
    HUMAN_APPROVAL = "human_approval"  # a person signs off each new version before it serves (model-risk review)


class Artifact(str, Enum):
    """Something a serving component uses that no trainer of the design produces."""

    PROMPT = "prompt"  # prompt templates and instructions of an LLM
    RETRIEVAL_CORPUS = "retrieval_corpus"  # the documents a retrieval-augmented answer draws on
    VENDOR_MODEL = "vendor_model"  # a third-party model pinned by version
    RULES = "rules"  # hand-written business or policy rules


class Split(str, Enum):
    """How an evaluation gate chooses its held-out data."""

    TIME = "time"  # train on the past, evaluate on the period after it
    RANDOM = "random"  # a random sample of rows
    GROUP = "group"  # whole users, sessions or items held out


class WriteMode(str, Enum):
    """How a batch job writes its output."""

    OVERWRITE_PARTITION = "overwrite_partition"  # a rerun replaces its date partition: idempotent, backfillable
    UPSERT = "upsert"  # keyed writes: a rerun rewrites the same rows
    APPEND = "append"  # a rerun duplicates rows
