"""`mlsd diff` sees every field of the models: each one changed alone shows in the diff.

The fields come from the pydantic models themselves, so a field added to ``Component``, ``Flow`` or
any design section (requirements, metrics, context, lint, ...) is changed here without a test
edit; when its type is one this file cannot invent a value for, the test fails and says which
field to give a value in ``VALUES``.
"""

from __future__ import annotations

import types
import typing
from enum import Enum
from typing import Any

import pytest
from pydantic import BaseModel

from mlsd_diagram.analyses.diff import diff_blueprints
from mlsd_diagram.blueprint.models import Blueprint, Component, Flow

# Values for fields whose type does not say enough (a pattern, a range, a cross-field constraint).
VALUES: dict[str, Any] = {
    "label_window": "15m",
    "label_delay": "1d",
    "max_model_age": "7d",
    "cadence": "1d",
    "ttl": "1h",
    "retention": "30d",
    "kinds": {"x-thing": {"stage": "serving"}},
    "deployed_with": "a",
    "trained_by": "a",
    "reviewed_by": "a",
    "hit_ratio": 0.5,
    "availability": 0.5,
    "at_least": 1,
    "positive_rate": 0.5,
    "exploration_share": 0.5,
    "holdout_share": 0.5,
    "disable": ["MLSD103"],
    "ramp": [{"share": 0.5, "hold": "1h"}, {"share": 1}],
    "rollback_on": [{"metric": "error rate", "threshold": "> 1%", "window": "5m"}],
    "accept": [{"rule": "MLSD103", "flow": 0, "reason": "a reason"}],
}
# What both sides need for a field to be valid (the field's own change is then the only one).
SETUP: dict[str, dict[str, Any]] = {
    "latency_p50_ms": {"latency_p99_ms": 100},
    # fields that need a partner: both sides declare the pair, one of them changes
    **dict.fromkeys(("min_replicas", "max_replicas", "scale_up_s"), {"min_replicas": 1, "max_replicas": 8}),
    **dict.fromkeys(("max_batch_size", "batch_timeout_ms"), {"max_batch_size": 2, "batch_timeout_ms": 5}),
    "at_least": {"step": 1},
    # a rollout plan belongs on what rolls versions out
    **dict.fromkeys(("ramp", "kill_switch", "rollback_on"), {"capabilities": ["canary"]}),
    "events_per_s": {"mode": "stream"},
    **{
        name: {"mode": "stream", "tags": ["labels"]}
        for name in ("label_window", "late_positives", "label_delay", "label_source", "selective_labels")
    },
}
# Fields that belong on the entry point (a client) rather than on the component it calls.
ON_CLIENT = {"peak_qps"}
# Fields that are not the design: the format version, and what the matching keys on.
NOT_COMPARED = {"mlsd", "components", "flows", "source", "target", "mode"}


def _base() -> dict:
    return {
        "mlsd": 1,
        "name": "fields",
        "components": {"a": {"kind": "client_app"}, "b": {"kind": "api_gateway"}},
        "flows": [{"from": "a", "to": "b", "mode": "request"}],
    }


def _inner(annotation: Any) -> Any:
    """The type inside ``X | None`` and ``Annotated[X, ...]``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        else:
            return annotation


def _value(name: str, annotation: Any, default: Any) -> Any:
    """A valid value for the field that differs from its default."""
    if name in VALUES:
        return VALUES[name]
    kind = _inner(annotation)
    origin = typing.get_origin(kind)
    if origin is list:
        item = _inner(typing.get_args(kind)[0])
        if isinstance(item, type) and issubclass(item, BaseModel):
            return [_model_value(item)]
        return [_value(name, item, None)]
    if isinstance(kind, type) and issubclass(kind, Enum):
        return next(m.value for m in kind if m != default)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return _model_value(kind)
    if kind is bool:
        return not default
    if kind in (int, float):
        return 3 if default != 3 else 4
    if kind is str:
        return f"changed {name}"
    raise AssertionError(f"give the field '{name}' ({annotation}) a value in VALUES")


def _model_value(model: type[BaseModel]) -> dict:
    """A value of a nested model: its required fields filled."""
    return {
        info.alias or name: _value(name, info.annotation, None)
        for name, info in model.model_fields.items()
        if info.is_required()
    }


def _leaves(model: type[BaseModel], prefix: tuple[str, ...]) -> list[tuple[tuple[str, ...], str, Any, Any]]:
    """(path, name, annotation, default) of every field, nested models of the design sections walked into."""
    found = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        if name in NOT_COMPARED and not prefix:
            continue
        inner = _inner(info.annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            found += _leaves(inner, (*prefix, key))
        else:
            found.append(((*prefix, key), name, info.annotation, info.get_default(call_default_factory=True)))
    return found


def _set(data: dict, path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {})
    data[path[-1]] = value


DESIGN = _leaves(Blueprint, ())
COMPONENT = [(p, n, a, d) for p, n, a, d in _leaves(Component, ()) if n != "kind"]
FLOW = [(p, n, a, d) for p, n, a, d in _leaves(Flow, ()) if n not in NOT_COMPARED]


def test_the_walk_reaches_the_fields_the_issue_named() -> None:
    """The walk itself could miss a section: the fields `diff` once ignored are all in it."""
    flows = {p[-1] for p, *_ in FLOW}
    assert {"label_window", "late_positives", "label_delay", "label_source", "point_in_time", "retries"} <= flows
    assert {p[0] for p, *_ in DESIGN} >= {"name", "summary", "requirements", "metrics", "context", "kinds", "lint"}
    assert ("context", "motivation") in [p for p, *_ in DESIGN]
    assert len(COMPONENT) > 40


@pytest.mark.parametrize("path, name, annotation, default", DESIGN, ids=[".".join(p) for p, *_ in DESIGN])
def test_every_design_field_is_compared(path, name, annotation, default) -> None:
    new = _base()
    _set(new, path, _value(name, annotation, default))
    diff = diff_blueprints(Blueprint.model_validate(_base()), Blueprint.model_validate(new))
    fields = [change["field"] for change in diff["design"]]
    assert any(f == ".".join(path) or f.startswith(".".join(path) + ".") for f in fields), (path, fields)
    assert diff["summary"]["changed"] is True


@pytest.mark.parametrize("path, name, annotation, default", COMPONENT, ids=[".".join(p) for p, *_ in COMPONENT])
def test_every_component_field_is_compared(path, name, annotation, default) -> None:
    cid = "a" if name in ON_CLIENT else "b"
    old, new = _base(), _base()
    for side in (old, new):
        side["components"][cid].update(SETUP.get(name, {}))
    _set(new["components"][cid], path, _value(name, annotation, default))
    diff = diff_blueprints(Blueprint.model_validate(old), Blueprint.model_validate(new))
    changed = diff["components"]["changed"]
    assert [(c["id"], [f["field"] for f in c["changes"]]) for c in changed] == [(cid, [path[0]])]


@pytest.mark.parametrize("path, name, annotation, default", FLOW, ids=[".".join(p) for p, *_ in FLOW])
def test_every_flow_field_is_compared(path, name, annotation, default) -> None:
    old, new = _base(), _base()
    for side in (old, new):
        side["flows"][0].update(SETUP.get(name, {}))
    _set(new["flows"][0], path, _value(name, annotation, default))
    diff = diff_blueprints(Blueprint.model_validate(old), Blueprint.model_validate(new))
    changed = diff["flows"]["changed"]
    mode = old["flows"][0]["mode"]
    assert [(c["id"], [f["field"] for f in c["changes"]]) for c in changed] == [(f"a -> b ({mode})", [path[0]])]
