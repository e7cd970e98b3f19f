"""The blueprint format, version 1, as pydantic models.

These models are the single declaration of the format: they validate files,
build blueprints in code, and generate the JSON Schema (``mlsd schema``).
Every field added after version 1 must be optional, so that version-1 files
keep loading.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, WithJsonSchema, model_validator

from .kinds import ALIASES, BUILTIN, CUSTOM_PREFIX, Kind, Role, Stage, builtin_kind, kind_names

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

    from .located import LocatedTree

FORMAT_VERSION = 1
ID_PATTERN = r"^[A-Za-z_][A-Za-z0-9_-]*$"
MAX_ID = 64
MAX_TEXT = 200
MAX_NOTES = 2000


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


Text = Annotated[str, Field(max_length=MAX_TEXT)]
# Serving numbers: strict, so that `timeout_ms: true` or `step: "2"` is an error, not 1 or 2.
Qps = Annotated[float, Field(strict=True, gt=0, le=1e12)]
Count = Annotated[float, Field(strict=True, gt=0, le=1_000_000)]
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=MAX_ID)]
KindName = Annotated[
    str,
    Field(max_length=MAX_ID),
    WithJsonSchema({
        "anyOf": [
            {"enum": kind_names(), "description": "a built-in kind (see `mlsd kinds`)"},
            {"type": "string", "pattern": "^x-[A-Za-z0-9_-]+$", "description": "a custom kind declared in `kinds:`"},
        ],
    }),
]


class _Model(BaseModel):
    # Unknown fields are errors; flows accept `from`/`to` in files and `source`/`target` in code.
    model_config = ConfigDict(extra="forbid", validate_by_name=True, validate_by_alias=True, serialize_by_alias=True)


class Scale(_Model):
    """Expected load; extra numeric entries (``videos: 1000000000``) are allowed."""

    model_config = ConfigDict(extra="allow")
    daily_active_users: Optional[int] = Field(None, ge=0)
    peak_qps: Optional[float] = Field(None, ge=0)


class SLO(_Model):
    """Service-level objectives for the online path."""

    latency_p99_ms: Optional[float] = Field(None, gt=0, description="end-to-end p99 latency budget")
    availability: Optional[float] = Field(None, gt=0, le=100, description="percent, e.g. 99.95")
    freshness_minutes: Optional[float] = Field(None, gt=0, description="how stale features may be")


class Requirements(_Model):
    """Step 1 of the design: what the system must achieve."""

    objective: Optional[Text] = None
    ml_task: Optional[Text] = None
    scale: Optional[Scale] = None
    slo: Optional[SLO] = None
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
    description: Optional[Text] = None
    label: Optional[Text] = None


class Component(_Model):
    """One box of the design."""

    kind: KindName
    label: Optional[Text] = None
    tech: Optional[Text] = None
    group: Optional[Text] = None
    replicas: Optional[int] = Field(None, ge=1, le=1_000_000)
    latency_p99_ms: Optional[float] = Field(None, ge=0)
    task: Optional[Text] = None
    model: Optional[Text] = None
    inputs: list[Text] = Field(default_factory=list, description="what the model reads")
    outputs: list[Text] = Field(default_factory=list, description="what the model returns")
    automated_action: bool = Field(False, description="output is acted on with no human in between")
    capacity_qps: Optional[Qps] = Field(None, description="requests per second one replica sustains")
    load_shedding: bool = Field(False, strict=True, description="over capacity it rejects the excess at once "
                                "(otherwise it queues and callers without a timeout hang)")
    peak_qps: Optional[Annotated[float, Field(strict=True, ge=0, le=1e12)]] = Field(
        None, description="entry points only: peak requests per second entering here (overrides "
                          "requirements.scale.peak_qps)")
    notes: Optional[str] = Field(None, max_length=MAX_NOTES)


class Flow(_Model):
    """One arrow: data moving from one component to another."""

    source: Id = Field(alias="from")
    target: Id = Field(alias="to")
    mode: Mode
    data: Optional[Text] = None
    tags: list[Text] = Field(default_factory=list)
    loop: Optional[Loop] = None
    # Request flows only (checks.py rejects them on other modes):
    step: Optional[Annotated[int, Field(strict=True, ge=0, le=1_000_000)]] = Field(
        None, description="request flows: the caller makes its calls in ascending step order, calls with the "
                          "same step in parallel (all request flows of a caller have a step, or none do: then "
                          "they run one after another in file order)")
    on_failure: Optional[OnFailure] = Field(None, description="request flows: what the caller does when this "
                                            "call fails: fail (default), skip, defaults")
    timeout_ms: Optional[Annotated[float, Field(strict=True, gt=0, le=86_400_000)]] = Field(
        None, description="request flows: the caller waits at most this long; the call costs "
                          "min(callee latency, timeout_ms)")
    per_request: Optional[Count] = Field(None, description="request flows: calls to the callee per request the "
                                         "caller serves (default 1; 3 for three shards, 0.2 for a 20% miss rate)")

    @property
    def failure_policy(self) -> "OnFailure":
        """``on_failure`` as written, ``fail`` when not given."""
        return self.on_failure or OnFailure.FAIL


class Acceptance(_Model):
    """A lint finding accepted on purpose, with the reason on record."""

    rule: Text
    component: Optional[Id] = None
    flow: Optional[int] = Field(None, ge=0)
    reason: Text


class LintSettings(_Model):
    """Per-blueprint lint settings."""

    disable: list[Text] = Field(default_factory=list)
    accept: list[Acceptance] = Field(default_factory=list)


class Blueprint(_Model):
    """An ML system design: components, the flows between them, and its requirements."""

    mlsd: Literal[1] = Field(description="format version; always 1 for this format")
    name: Text
    summary: Optional[str] = Field(None, max_length=MAX_NOTES)
    requirements: Requirements = Field(default_factory=Requirements)
    metrics: Metrics = Field(default_factory=Metrics)
    kinds: dict[Annotated[str, Field(pattern=r"^x-[A-Za-z0-9_-]+$", max_length=MAX_ID)], KindDeclaration] = \
        Field(default_factory=dict)
    components: dict[Id, Component]
    flows: list[Flow] = Field(default_factory=list)
    lint: LintSettings = Field(default_factory=LintSettings)

    _file: str = PrivateAttr("<blueprint>")
    _tree: Optional["LocatedTree"] = PrivateAttr(None)

    @model_validator(mode="after")
    def _design_is_consistent(self, info) -> "Blueprint":
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
        if tree is None:                                        # cost of a lint with 300,000 findings
            return (1, 1)
        return tree.locate(path, prefer_key=key)

    def component_location(self, component_id: str) -> tuple[int, int]:
        """Where a component's id is written."""
        return self.locate("components", component_id, key=True)

    def flow_location(self, index: int) -> tuple[int, int]:
        """Where a flow's list item starts."""
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
    def graph(self) -> "nx.MultiDiGraph":
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

    __hash__ = None  # mutable model: not hashable


__all__ = [
    "ALIASES", "BUILTIN", "CUSTOM_PREFIX", "FORMAT_VERSION", "Acceptance", "Blueprint", "Component",
    "Flow", "KindDeclaration", "LintSettings", "Loop", "Metrics", "Mode", "OnFailure", "Requirements", "SLO",
    "Scale",
]

