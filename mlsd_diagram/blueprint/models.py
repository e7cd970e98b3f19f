"""The blueprint format, version 1, as pydantic models.

These models are the single declaration of the format: they validate files,
build blueprints in code, and generate the JSON Schema (``mlsd schema``).
Every field added after version 1 must be optional, so that version-1 files
keep loading.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from .kinds import ALIASES, BUILTIN, CUSTOM_PREFIX, Kind, Role, Stage, builtin_kind
from .models_types import (
    DURATION_PATTERN,
    ID_PATTERN,
    MAX_ID,
    MAX_NOTES,
    MAX_TEXT,
    Artifact,
    Calibration,
    Capability,
    ClassBalancing,
    Count,
    Duration,
    Factor,
    Id,
    Items,
    KindName,
    LatePositives,
    Loop,
    Mode,
    Notes,
    OnFailure,
    PositionDebiasing,
    Qps,
    ScoreUse,
    Share,
    Size,
    Split,
    Text,
    WriteMode,
    minutes,
)
from .prices import UnitPrices
from .rollout import Alternative, RampStep, RollbackCriterion
from .scaling import AtLeast, BatchTimeoutMs, HedgeAfterMs, MaxBatchSize, MaxReplicas, MinReplicas, ScaleUpS

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

    from .located import LocatedTree

FORMAT_VERSION = 1


class _Model(BaseModel):
    # Unknown fields are errors; flows accept `from`/`to` in files and `source`/`target` in code.
    model_config = ConfigDict(extra="forbid", validate_by_name=True, validate_by_alias=True, serialize_by_alias=True)


class Scale(_Model):
    """Expected load; extra numeric entries (``videos: 1000000000``) are allowed."""

    model_config = ConfigDict(extra="allow")
    daily_active_users: int | None = Field(
        None, ge=0, description="users a day: mlsd estimate multiplies it by events_per_user_per_day (event volume)"
    )
    peak_qps: float | None = Field(
        None,
        ge=0,
        description="peak requests per second entering each entry point that gives no peak_qps of its own: the "
        "load simulate, estimate and the capacity rules start from",
    )


class SLO(_Model):
    """Service-level objectives for the online path."""

    latency_p99_ms: float | None = Field(None, gt=0, description="end-to-end p99 latency budget")
    availability: float | None = Field(None, gt=0, le=100, description="percent, e.g. 99.95")
    freshness_minutes: float | None = Field(None, gt=0, description="how stale features may be")
    index_freshness_minutes: float | None = Field(
        None, gt=0, description="how soon a new or changed item must be retrievable (default: freshness_minutes)"
    )


class Requirements(_Model):
    """Step 1 of the design: what the system must achieve."""

    objective: Text | None = Field(
        default=None,
        description="the business goal and what the model changes in the product (the design doc's step 1)",
    )
    ml_task: Text | None = Field(
        default=None,
        description="the ML framing: binary classification, learning to rank, regression (the doc's step 1)",
    )
    scale: Scale | None = Field(default=None, description="expected load: daily active users, peak QPS, other counts")
    slo: SLO | None = Field(
        default=None, description="service-level objectives that simulate and lint check the design against"
    )
    constraints: list[Text] = Field(
        default_factory=list, description="privacy, regions, budget, hardware, fairness (listed in the design doc)"
    )


class Metrics(_Model):
    """How success is measured offline, online and for the business."""

    offline: list[Text] = Field(
        default_factory=list, description="offline metrics that decide between two models, with their thresholds"
    )
    online: list[Text] = Field(default_factory=list, description="metrics an online experiment reads (CTR, dwell time)")
    business: list[Text] = Field(default_factory=list, description="the business outcomes the system is for (revenue)")


class KindDeclaration(_Model):
    """A custom kind: its stage and the roles the rules should see."""

    stage: Stage = Field(description="where it lives: client, data, features, training, serving, monitoring")
    roles: list[Role] = Field(
        default_factory=list,
        description="what the rules see it as: SERVE (runs a model), RETRIEVE, OFFLINE (never on the request "
        "path), DEGRADE (a valid fallback target), MONITOR, SINK (a shared store)",
    )
    description: Text | None = Field(None, description="what the kind is, one line (default: its name)")
    label: Text | None = Field(None, description="a display name for the kind (kept; no output reads it yet)")


class Feature(_Model):
    """One input of a model, as the doc's feature table shows it."""

    name: Text = Field(description="the feature, e.g. ad_ctr_7d or user_embedding")
    source: Id | None = Field(None, description="the component it is read from (a feature store, a stream job)")
    encoding: Text | None = Field(None, description="how it is encoded: hashed id embedding, bucketized, normalized")
    freshness: Text | None = Field(None, description="how old it may be when served: per request, 15 minutes, daily")
    default: Text | None = Field(None, description="the value served when it is missing or late")
    skew_check: Text | None = Field(None, description="how its training and serving values are compared")


class Decision(_Model):
    """One action taken on a model's score: block above 0.9, send to review above 0.6, allow below."""

    action: Text = Field(description="what happens: block, review, step_up, allow, remove, demote")
    threshold: float | None = Field(None, description="the score at or above which this action is taken")
    reviewed_by: Id | None = Field(None, description="the component (a human review queue) that sees these cases")


class Component(_Model):
    """One box of the design."""

    kind: KindName = Field(
        description="a built-in kind or alias (`mlsd kinds`) or a custom kind declared in `kinds:`; its stage and "
        "roles decide what the rules and the serving model see"
    )
    label: Text | None = Field(None, description="display name in diagrams and docs (default: the component id)")
    tech: Text | None = Field(
        None, description="technology (kafka, feast, pytorch): shown under the label, with its icon"
    )
    group: Text | None = Field(None, description="diagram cluster it is drawn in (default: its kind's stage)")
    replicas: int | None = Field(
        None,
        ge=1,
        le=1_000_000,
        description="instances serving in parallel (default 1): capacity is replicas x capacity_qps",
    )
    latency_p99_ms: float | None = Field(
        None,
        ge=0,
        description="p99 latency in milliseconds of its own work, callees excluded: simulate adds the calls' "
        "latencies along the request path",
    )
    latency_p50_ms: Annotated[float, Field(strict=True, ge=0, le=86400000)] | None = Field(
        None,
        description="median latency of its own work: with latency_p99_ms, the service time is a shifted "
        "exponential through both (without it, constant at the p99: no tail is invented)",
    )
    workers: Annotated[int, Field(strict=True, ge=1, le=1_000_000)] | None = Field(
        None,
        description="requests one replica works on at once (threads, a model server's concurrency): "
        "replicas x workers form one M/M/n pool, so latency grows with load and a slow callee "
        "holds workers (capacity per replica at most workers / mean response time)",
    )
    retry_budget: Annotated[float, Field(strict=True, ge=0, le=100)] | None = Field(
        None,
        description="callers: retries to a callee at most this share of its calls to it (0.1: 10%, as in "
        "Google SRE ch. 21), whatever each call's retries allow",
    )
    zones: Annotated[int, Field(strict=True, ge=1, le=1000)] | None = Field(
        None,
        description="zones (or racks, regions) its replicas are spread over evenly: `simulate --lose zone` "
        "takes one zone's share away",
    )
    min_replicas: MinReplicas = None
    max_replicas: MaxReplicas = None
    scale_up_s: ScaleUpS = None
    max_batch_size: MaxBatchSize = None
    batch_timeout_ms: BatchTimeoutMs = None
    hit_ratio: Annotated[float, Field(strict=True, ge=0, le=1)] | None = Field(
        None,
        description="caches: share of requests answered from the cache; its own request calls (to the "
        "store behind it) happen only on a miss (simulate --cold ID sets it to 0)",
    )
    task: Text | None = Field(
        None, description="models: the ML task (binary_classification, ranking, regression); the doc's step 4 reads it"
    )
    model: Text | None = Field(None, description="models: which model it is, architecture and size (two-tower, GBDT)")
    inputs: list[Text] = Field(default_factory=list, description="what the model reads")
    outputs: list[Text] = Field(default_factory=list, description="what the model returns")
    automated_action: bool = Field(False, description="output is acted on with no human in between")
    capacity_items_per_s: Qps | None = Field(
        None,
        description="items one replica processes per second (predictions, feature reads), where calls carry "
        "items_per_call: mlsd estimate sizes replicas from items, not requests",
    )
    capacity_qps: Qps | None = Field(
        None, description="requests per second one replica sustains (events per second for a stream consumer)"
    )
    features: list[Feature] = Field(
        default_factory=list, description="models: the features read, each with its source, encoding and default"
    )
    decisions: list[Decision] = Field(
        default_factory=list,
        description="models: the actions taken on the score, each with its threshold and who reviews it",
    )
    load_shedding: bool = Field(
        False,
        strict=True,
        description="over capacity it rejects the excess at once "
        "(otherwise it queues and callers without a timeout hang)",
    )
    peak_qps: Annotated[float, Field(strict=True, ge=0, le=1000000000000.0)] | None = Field(
        None,
        description="entry points only: peak requests per second entering here (overrides requirements.scale.peak_qps)",
    )
    availability: Annotated[float, Field(strict=True, gt=0, lt=1)] | None = Field(
        None,
        description="the share of time it answers, all its replicas together (0.999 is down 8.8 hours a year): "
        "each entry point's availability is estimated from it and checked against requirements.slo.availability",
    )
    # Sizing facts (``mlsd estimate``; all optional):
    items: Items | None = Field(
        None,
        description="records held: vectors in an ANN index or an embedding cache, entities (keys) in a feature store",
    )
    embedding_dim: Annotated[int, Field(strict=True, ge=1, le=1000000)] | None = Field(
        None, description="dimensions of the embeddings it holds or computes"
    )
    features_per_item: Annotated[int, Field(strict=True, ge=1, le=1000000)] | None = Field(
        None, description="feature stores: feature values stored per entity"
    )
    bytes_per_value: Annotated[float, Field(strict=True, gt=0, le=1024)] | None = Field(
        None,
        description="bytes of one stored number (an embedding dimension or a feature value): 4 for "
        "float32 (the default), 2 for float16, 1 for int8, less with product quantization",
    )
    index_overhead: Annotated[float, Field(strict=True, ge=1, le=100)] | None = Field(
        None,
        description="ANN indexes: index memory / raw vector memory (1 when not given; HNSW links add about 1.1-1.5)",
    )
    events_per_user_per_day: Factor | None = Field(
        None, description="event streams and logs: events written per daily active user per day"
    )
    event_bytes: Size | None = Field(None, description="event streams and logs: bytes of one event as stored")
    shards: Annotated[int, Field(strict=True, ge=1, le=100_000)] | None = Field(
        None,
        description="ANN indexes: machines one replica's copy of the index is split over (a query asks every "
        "shard); RAM per machine = index memory / shards, machines = replicas x shards",
    )
    bytes_per_day: Annotated[int, Field(strict=True, ge=1, le=10**18)] | None = Field(
        None,
        description="stores, logs and warehouses: bytes written per day (else events per day x event_bytes, "
        "or what the logs writing into it log)",
    )
    replication: Annotated[int, Field(strict=True, ge=1, le=100)] | None = Field(
        None,
        description="stores and logs: copies kept of each byte (3 for a Kafka topic or HDFS with factor 3; "
        "1 when not given): retained storage = bytes per day x retention days x replication",
    )
    regions: Annotated[int, Field(strict=True, ge=1, le=100)] | None = Field(
        None,
        description="request-path components: regions its replicas are spread over, each serving its share; "
        "mlsd estimate sizes each region so that the other regions carry the peak when one is lost",
    )
    cost: UnitPrices | None = Field(
        None, description="unit prices (per_replica_hour, per_gb_month): mlsd estimate gives the cost per month"
    )
    examples_per_run: Items | None = Field(None, description="training pipelines: training examples one run reads")
    example_bytes: Size | None = Field(
        None, description="training pipelines: bytes of one training example (features and label)"
    )
    # ML practice facts (all optional; the lint rules that read them say so in their pages):
    score_use: ScoreUse | None = Field(
        None, description="models: how the scores are used: ranking, auction, threshold, blend, estimate"
    )
    calibration: Calibration | None = Field(None, description="models: how probabilities are calibrated")
    positive_rate: Share | None = Field(
        None, description="models: share of positive examples (0.002 for a 0.2% click rate)"
    )
    class_balancing: ClassBalancing | None = Field(None, description="models: how training handles rare positives")
    position_debiasing: PositionDebiasing | None = Field(
        None, description="models: how position bias of clicks on a ranked list is removed"
    )
    exploration_share: Share | None = Field(
        None,
        description="share of requests served with exploration "
        "(randomized or boosted results) whose outcomes are logged",
    )
    holdout_share: Share | None = Field(
        None, description="share of users held out of the model (served a non-personalized baseline)"
    )
    max_model_age: Duration | None = Field(
        None, description="models: the oldest a served model may be before an alert fires"
    )
    capabilities: list[Capability] = Field(
        default_factory=list,
        description="rollout built into this component: shadow, canary, ab_test, versioned_models, "
        "human_approval (a person signs off each version before it serves)",
    )
    ramp: list[RampStep] = Field(
        default_factory=list,
        description="rollout components: traffic steps of a new version, rising, e.g. [{share: 0.01, hold: 1h}, "
        "{share: 1}] (the design doc's rollout plan)",
    )
    kill_switch: Text | None = Field(
        None, description="rollout components: how the new version is turned off at once, and by whom (the doc)"
    )
    rollback_on: list[RollbackCriterion] = Field(
        default_factory=list,
        description="rollout components: {metric, threshold, window} that roll a new version back (the doc)",
    )
    artifacts: list[Artifact] = Field(
        default_factory=list,
        description="serving components: what they use that no trainer here produces (prompt, retrieval_corpus, "
        "vendor_model, rules); each change needs an offline evaluation before it serves",
    )
    deployed_with: Id | None = Field(
        None,
        description="a component released together with this one (a query encoder with the index built by its twin)",
    )
    trained_by: Id | None = Field(
        None,
        description="models: the trainer that trains this model, when several trainers share a gate and a "
        "registry (otherwise the trainers upstream of it are found from the flows)",
    )
    ci: Notes | None = Field(
        None,
        description="training pipelines and orchestrators: how the pipeline's own code is tested and shipped on each "
        "change (CI/CD), e.g. unit tests of feature and model code and an end-to-end run on a data sample",
    )
    cadence: Duration | None = Field(
        None, description="how often it runs: a trainer's retraining, an index builder's rebuild, a batch job's period"
    )
    ttl: Duration | None = Field(
        None,
        description="online feature stores: how long a loaded value is served before it expires (when the next "
        "load fails, features go missing after this)",
    )
    split: Split | None = Field(None, description="evaluation gates: how held-out data is chosen: time, random, group")
    slices: list[Text] = Field(
        default_factory=list,
        description="evaluation gates: the slices (and fairness thresholds) a candidate must pass on",
    )
    experiment_design: Notes | None = Field(
        default=None,
        description="experimentation components: how an online experiment is run: the minimum detectable "
        "effect, sample size, duration and the guardrail metrics that stop one",
    )
    retention: Duration | None = Field(
        None, description="stores, labeling, review: how long personal data is kept before deletion"
    )
    write_mode: WriteMode | None = Field(None, description="batch jobs: overwrite_partition, upsert or append")
    # Model development facts (all optional; ``mlsd doc`` shows them in step 4 and asks for the missing ones):
    loss: Text | None = Field(
        None, description="models: the training loss (binary cross-entropy, sampled softmax, pairwise hinge)"
    )
    positives: Text | None = Field(None, description="models: what makes a training example positive")
    negatives: Text | None = Field(None, description="models: what makes a training example negative")
    negative_sampling: Text | None = Field(
        None, description="models: how negatives are chosen (in-batch, random, hard negatives, 10% of impressions)"
    )
    training_setup: Text | None = Field(
        None,
        description="models: how it is trained: hardware, data- or model-parallel, warm start, epochs",
    )
    tuning: Text | None = Field(None, description="models: how hyperparameters are chosen")
    cold_start: Notes | None = Field(
        None,
        description="models: what a new user or item gets before it has history (content features, a prior, "
        "exploration), e.g. 'a new ad starts from its advertiser's and category's CTR and gets 1% exploration'",
    )
    compression: Text | None = Field(
        None, description="models: how it is made small or fast enough to serve (int8 quantization, distillation)"
    )
    value_model: Text | None = Field(
        None,
        description="models with several heads or outputs: how they combine into the one score that is used",
    )
    alternatives: list[Text | Alternative] = Field(
        default_factory=list,
        description="designs considered instead of this one: a line each, or {option, pros, cons} (the doc's table)",
    )
    notes: str | None = Field(
        None, max_length=MAX_NOTES, description="free notes, shown in the diagram's tooltip and the design doc"
    )


class Flow(_Model):
    """One arrow: data moving from one component to another."""

    source: Id = Field(alias="from", description="id of the component the data leaves")
    target: Id = Field(alias="to", description="id of the component the data reaches")
    mode: Mode = Field(
        description="how data moves: request, stream, batch, deploy, telemetry; fallback from P to F: when P is "
        "unavailable its callers are served by F"
    )
    data: Text | None = Field(None, description="what moves, shown on the arrow")
    tags: list[Text] = Field(
        default_factory=list,
        description="what the data is, as the rules read it: raw_events, interactions, labels, features, embeddings, "
        "predictions, model_artifact, metrics, pii, position, model_age, erasure",
    )
    loop: Loop | None = Field(
        None, description="marks a deliberate cycle through stream or batch flows: feedback or retraining (MLSD104)"
    )
    # Request flows only (checks.py rejects them on other modes):
    step: Annotated[int, Field(strict=True, ge=0, le=1000000)] | None = Field(
        None,
        description="request flows: the caller makes its calls in ascending step order, calls with the "
        "same step in parallel (all request flows of a caller have a step, or none do: then "
        "they run one after another in file order)",
    )
    on_failure: OnFailure | None = Field(
        None, description="request flows: what the caller does when this call fails: fail (default), skip, defaults"
    )
    timeout_ms: Annotated[float, Field(strict=True, gt=0, le=86400000)] | None = Field(
        None,
        description="request flows: the caller waits at most this long; the call costs min(callee latency, timeout_ms)",
    )
    retries: Annotated[int, Field(strict=True, ge=0, le=100)] | None = Field(
        None,
        description="request flows: extra attempts after a failed one (rejected, cut by the timeout, or "
        "failed below); default 0. Retries multiply across layers (caps: the caller's retry_budget)",
    )
    hedge_after_ms: HedgeAfterMs = None
    at_least: AtLeast = None
    per_request: Count | None = Field(
        None,
        description="request flows: calls to the callee per request the "
        "caller serves (default 1; 3 for three shards, 0.2 for a 20% miss rate); on a stream flow: events "
        "per request the producer serves",
    )
    items_per_call: Count | None = Field(
        None,
        description="request flows: items one call carries: candidates a ranker scores, keys a feature store "
        "reads (mlsd estimate counts predictions/s and feature reads/s from it; the callee's capacity_items_per_s)",
    )
    # Stream flows only (checks.py rejects it on other modes):
    events_per_s: Annotated[float, Field(strict=True, ge=0, le=1e12)] | None = Field(
        None,
        description="stream flows: events per second carried at peak (default: the producer's peak QPS x "
        "per_request); the consumer's capacity_qps is events per second",
    )
    # Flows carrying labels or interactions only (checks.py rejects them elsewhere):
    label_window: Duration | None = Field(
        None,
        description="labels: how long after an event its label may "
        "still arrive (a click within 15m, a registration within 7d)",
    )
    late_positives: LatePositives | None = Field(
        None,
        description="labels: what happens to positives that "
        "arrive after the window: dropped, relabeled, "
        "importance_weighted, delay_model, window_closed",
    )
    label_delay: Duration | None = Field(
        None, description="labels: the typical time from an event to its label (a conversion arrives about 1d later)"
    )
    label_source: Text | None = Field(
        None,
        description="labels: where they come from and how they are noisy (clicks, user reports, human raters)",
    )
    selective_labels: bool = Field(
        False,
        strict=True,
        description="labels: outcomes are observed only for what the model let through (a declined payment or "
        "a rejected loan never gets a label)",
    )
    point_in_time: bool = Field(
        False, strict=True, description="features: joined as of each label's event time (no value from after the event)"
    )

    @property
    def failure_policy(self) -> OnFailure:
        """``on_failure`` as written, ``fail`` when not given."""
        return self.on_failure or OnFailure.FAIL


class Context(_Model):
    """Document-level context a design doc opens with (all optional)."""

    owner: Text | None = Field(default=None, description="who owns the design (a person or a team)")
    status: Text | None = Field(default=None, description="where the design stands: draft, in review, approved")
    reviewers: list[Text] = Field(default_factory=list, description="who reviews and signs the design off")
    date: Text | None = Field(default=None, description="when the design was last revised, e.g. '2026-12-06'")
    motivation: Notes | None = Field(default=None, description="why this system, and why now")
    scope_in: list[Text] = Field(default_factory=list, description="what the design covers")
    scope_out: list[Text] = Field(default_factory=list, description="what it leaves out on purpose")
    alternatives: list[Text | Alternative] = Field(
        default_factory=list,
        description="whole-system designs considered instead: a line each, or {option, pros, cons} (the doc's table)",
    )
    milestones: list[Text] = Field(default_factory=list, description="delivery steps, in order")
    cost: Notes | None = Field(default=None, description="what it costs to build and run (hardware, labeling, people)")
    risks: list[Text] = Field(default_factory=list, description="risks beyond what lint finds, with mitigations")
    security: Notes | None = Field(default=None, description="access control, abuse and model-stealing concerns")
    privacy: Notes | None = Field(
        default=None,
        description="retention and erasure of personal data through the lake, features, embeddings and models",
    )
    integrations: list[Text] = Field(default_factory=list, description="the systems it plugs into and who owns them")


class Acceptance(_Model):
    """A lint finding accepted on purpose, with the reason on record."""

    rule: Text = Field(description="the accepted rule, by id (MLSD201) or name")
    component: Id | None = Field(
        None, description="only its findings at this component (with neither component nor flow: all of them)"
    )
    flow: int | None = Field(None, ge=0, description="only its findings at this flow, by 0-based index in `flows`")
    reason: Text = Field(description="why it is accepted (required, not blank): each accepted finding carries it")


class LintSettings(_Model):
    """Per-blueprint lint settings."""

    disable: list[Text] = Field(
        default_factory=list, description="rules not run on this blueprint: ids, names or id prefixes (MLSD2)"
    )
    accept: list[Acceptance] = Field(
        default_factory=list,
        description="findings accepted on purpose: reported, marked accepted with the reason, never failing the run",
    )


class Blueprint(_Model):
    """An ML system design: components, the flows between them, and its requirements."""

    mlsd: Literal[1] = Field(description="format version; always 1 for this format")
    name: Text = Field(description="the system's name: the diagram's title and the design doc's heading")
    summary: str | None = Field(
        None, max_length=MAX_NOTES, description="one or two sentences on what it does, under the title"
    )
    requirements: Requirements = Field(
        default_factory=Requirements, description="objective, ML task, scale, SLOs and constraints"
    )
    metrics: Metrics = Field(default_factory=Metrics, description="offline, online and business metrics")
    context: Context = Field(
        default_factory=Context, description="motivation, scope, alternatives, milestones, cost and risks"
    )
    kinds: dict[Annotated[str, Field(pattern=r"^x-[A-Za-z0-9_-]+$", max_length=MAX_ID)], KindDeclaration] = Field(
        default_factory=dict, description="custom kinds (x-name) that components can use, with their stage and roles"
    )
    components: dict[Id, Component] = Field(description="the boxes of the design, by id")
    flows: list[Flow] = Field(default_factory=list, description="the arrows between components, in order")
    lint: LintSettings = Field(
        default_factory=LintSettings, description="rules disabled and findings accepted for this blueprint"
    )

    _file: str = PrivateAttr("<blueprint>")
    _tree: LocatedTree | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _design_is_consistent(self, info) -> Blueprint:
        # Files are checked by the loader, which reports every problem with its
        # position; blueprints built in code are checked here.
        if not (info.context or {}).get("located"):
            from .checks import check_design

            problems = check_design(self.model_dump(by_alias=True, mode="json", exclude_defaults=False))
            if problems:
                raise ValueError("; ".join(f"{'.'.join(map(str, p))}: {m}" for p, m, _ in problems))
        return self

    # -- where things are -------------------------------------------------------------

    @property
    def file(self) -> str:
        """The file the blueprint was loaded from (or ``<blueprint>``)."""
        return self._file

    def locate(self, *path: str | int, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of a node, e.g. ``locate("components", "ranker", key=True)``."""
        tree = (self.__pydantic_private__ or {}).get("_tree")  # not self._tree: pydantic's __getattr__ is the
        if tree is None:  # cost of a lint with 300,000 findings
            return (1, 1)
        return tree.locate(path, prefer_key=key)

    def component_location(self, component_id: str) -> tuple[int, int]:
        """Where a component's id is written."""
        return self.locate("components", component_id, key=True)

    def flow_location(self, index: int) -> tuple[int, int]:
        """Where a flow's list item starts."""
        tree = (self.__pydantic_private__ or {}).get("_tree")
        mark = None if tree is None else tree.values.get(("flows", index))  # the usual case, one look-up
        if mark is not None:
            return (mark.line + 1, mark.column + 1)
        return self.locate("flows", index)

    # -- kinds and graph ----------------------------------------------------------------

    def kind_of(self, component_id: str) -> Kind:
        """The resolved kind (built-in, by alias, or custom) of a component."""
        name = self.components[component_id].kind
        return self.resolve_kind(name)

    def resolve_kind(self, name: str) -> Kind:
        """Resolve a kind name as written to its :class:`Kind`."""
        found = builtin_kind(name)
        if found is not None:
            return found
        decl = self.kinds[name]
        return Kind(name, decl.stage, decl.description or name, frozenset(decl.roles), (), custom=True)

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The design as a networkx MultiDiGraph, built on each access: keep it while you need it.

        Not cached on the model: the model is mutable, and a cache on it would go stale on
        ``model_copy(update=...)`` or an assignment. O(components + flows).
        """
        from ..graph import build_graph

        return build_graph(self)

    def __eq__(self, other: object) -> bool:
        """Equal designs: the same fields, wherever they were loaded from."""
        if not isinstance(other, Blueprint):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]  # mutable model: not hashable


__all__ = [
    "ALIASES",
    "BUILTIN",
    "CUSTOM_PREFIX",
    "DURATION_PATTERN",
    "FORMAT_VERSION",
    "ID_PATTERN",
    "MAX_ID",
    "MAX_NOTES",
    "MAX_TEXT",
    "Acceptance",
    "Artifact",
    "Blueprint",
    "Calibration",
    "Capability",
    "ClassBalancing",
    "Component",
    "Flow",
    "KindDeclaration",
    "LatePositives",
    "LintSettings",
    "Loop",
    "Metrics",
    "Mode",
    "OnFailure",
    "PositionDebiasing",
    "Requirements",
    "SLO",
    "Scale",
    "ScoreUse",
    "Split",
    "WriteMode",
    "minutes",
]
