"""The blueprint format, version 1, as pydantic models.

These models are the single declaration of the format: they validate files,
build blueprints in code, and generate the JSON Schema (``mlsd schema``).
Every field added after version 1 must be optional, so that version-1 files
keep loading.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, WithJsonSchema, model_validator

# the format's enums live in .enums; imported here, where the models and their users find them
from .enums import (  # noqa: F401
    Artifact,
    Calibration,
    Capability,
    ClassBalancing,
    LatePositives,
    Loop,
    Mode,
    OnFailure,
    PositionDebiasing,
    ScoreUse,
    Split,
    WriteMode,
)
from .kinds import ALIASES, BUILTIN, CUSTOM_PREFIX, Kind, Role, Stage, builtin_kind, kind_names
from .prices import UnitPrices

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

    from .located import LocatedTree

FORMAT_VERSION = 1
ID_PATTERN = r"^[A-Za-z_][A-Za-z0-9_-]*$"
MAX_ID = 64
MAX_TEXT = 200
MAX_NOTES = 2000


Text = Annotated[str, Field(max_length=MAX_TEXT)]
# Serving numbers: strict, so that `timeout_ms: true` or `step: "2"` is an error, not 1 or 2.
Qps = Annotated[float, Field(strict=True, gt=0, le=1e12)]
Count = Annotated[float, Field(strict=True, gt=0, le=1_000_000)]
# Sizing facts for `mlsd estimate`: strict too, so that `items: "1e9"` is an error, not a guess.
Items = Annotated[int, Field(strict=True, ge=1, le=10**15)]
Size = Annotated[int, Field(strict=True, ge=1, le=10**9)]
Factor = Annotated[float, Field(strict=True, gt=0, le=1e6)]
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=MAX_ID)]
DURATION_PATTERN = r"^[0-9]{1,6}(\.[0-9]{1,3})?(s|m|h|d|w)$"
Duration = Annotated[
    str,
    Field(
        pattern=DURATION_PATTERN,
        max_length=12,
        description="a duration: a number and s, m, h, d or w (15m, 6h, 7d, 2w)",
    ),
]
Share = Annotated[float, Field(strict=True, gt=0, lt=1)]
Notes = Annotated[str, Field(max_length=MAX_NOTES)]
_UNIT_MINUTES = {"s": 1 / 60, "m": 1.0, "h": 60.0, "d": 1440.0, "w": 10080.0}


def minutes(duration: str) -> float:
    """A :data:`Duration` (``"15m"``, ``"7d"``) in minutes."""
    return float(duration[:-1]) * _UNIT_MINUTES[duration[-1]]


KindName = Annotated[
    str,
    Field(max_length=MAX_ID),
    WithJsonSchema(
        {
            "anyOf": [
                {"enum": kind_names(), "description": "a built-in kind (see `mlsd kinds`)"},
                {
                    "type": "string",
                    "pattern": "^x-[A-Za-z0-9_-]+$",
                    "description": "a custom kind declared in `kinds:`",
                },
            ],
        }
    ),
]


class _Model(BaseModel):
    # Unknown fields are errors; flows accept `from`/`to` in files and `source`/`target` in code.
    model_config = ConfigDict(extra="forbid", validate_by_name=True, validate_by_alias=True, serialize_by_alias=True)


class Scale(_Model):
    """Expected load; extra numeric entries (``videos: 1000000000``) are allowed."""

    model_config = ConfigDict(extra="allow")
    daily_active_users: int | None = Field(None, ge=0)
    peak_qps: float | None = Field(None, ge=0)


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

    objective: Text | None = None
    ml_task: Text | None = None
    scale: Scale | None = None
    slo: SLO | None = None
    constraints: list[Text] = Field(default_factory=list)


class Metrics(_Model):
    """How success is measured offline, online and for the business."""

    offline: list[Text] = Field(default_factory=list)
    online: list[Text] = Field(default_factory=list)
    business: list[Text] = Field(default_factory=list)


class KindDeclaration(_Model):
    """A custom kind: its stage and the roles the rules should see."""

    stage: Stage
    roles: list[Role] = Field(default_factory=list)
    description: Text | None = None
    label: Text | None = None


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

    kind: KindName
    label: Text | None = None
    tech: Text | None = None
    group: Text | None = None
    replicas: int | None = Field(None, ge=1, le=1_000_000)
    latency_p99_ms: float | None = Field(None, ge=0)
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
    hit_ratio: Annotated[float, Field(strict=True, ge=0, le=1)] | None = Field(
        None,
        description="caches: share of requests answered from the cache; its own request calls (to the "
        "store behind it) happen only on a miss (simulate --cold ID sets it to 0)",
    )
    task: Text | None = None
    model: Text | None = None
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
    alternatives: list[Text] = Field(
        default_factory=list, description="designs considered instead of this one, and why not chosen"
    )
    notes: str | None = Field(None, max_length=MAX_NOTES)


class Flow(_Model):
    """One arrow: data moving from one component to another."""

    source: Id = Field(alias="from")
    target: Id = Field(alias="to")
    mode: Mode
    data: Text | None = None
    tags: list[Text] = Field(default_factory=list)
    loop: Loop | None = None
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
    alternatives: list[Text] = Field(
        default_factory=list, description="whole-system designs considered instead, and why not chosen"
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

    rule: Text
    component: Id | None = None
    flow: int | None = Field(None, ge=0)
    reason: Text


class LintSettings(_Model):
    """Per-blueprint lint settings."""

    disable: list[Text] = Field(default_factory=list)
    accept: list[Acceptance] = Field(default_factory=list)


class Blueprint(_Model):
    """An ML system design: components, the flows between them, and its requirements."""

    mlsd: Literal[1] = Field(description="format version; always 1 for this format")
    name: Text
    summary: str | None = Field(None, max_length=MAX_NOTES)
    requirements: Requirements = Field(default_factory=Requirements)
    metrics: Metrics = Field(default_factory=Metrics)
    context: Context = Field(default_factory=Context)
    kinds: dict[Annotated[str, Field(pattern=r"^x-[A-Za-z0-9_-]+$", max_length=MAX_ID)], KindDeclaration] = Field(
        default_factory=dict
    )
    components: dict[Id, Component]
    flows: list[Flow] = Field(default_factory=list)
    lint: LintSettings = Field(default_factory=LintSettings)

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
    "FORMAT_VERSION",
    "Acceptance",
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
