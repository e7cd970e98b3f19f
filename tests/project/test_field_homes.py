"""CONTRIBUTING.md, "Add a blueprint field": a field of the models has a description, is documented in the committed
JSON Schema (`make schema`) and compared by `mlsd diff`; this test fails when one of them was forgotten
(tests/diff/test_diff_fields.py checks that diff reports a change of each field)."""

from __future__ import annotations

import json
import typing

from mlsd_testing import ROOT
from pydantic import BaseModel, Field

from mlsd_diagram.analyses.diff import DESIGN_SECTIONS, FLOW_FIELDS, FLOW_IDENTITY, NOT_DESIGN
from mlsd_diagram.blueprint import models
from mlsd_diagram.blueprint.schema import json_schema

SCHEMA = json.loads((ROOT / "schema" / "mlsd.schema.json").read_text(encoding="utf-8"))


def _models() -> list[type[BaseModel]]:
    """Every pydantic model a blueprint is made of, from Blueprint down."""
    found: list[type[BaseModel]] = []
    todo: list[type[BaseModel]] = [models.Blueprint]
    while todo:
        model = todo.pop()
        if model in found:
            continue
        found.append(model)
        for info in model.model_fields.values():
            stack = [info.annotation]
            while stack:
                kind = stack.pop()
                if isinstance(kind, type) and issubclass(kind, BaseModel):
                    todo.append(kind)
                stack += list(typing.get_args(kind))
    return found


def test_every_model_field_is_in_the_committed_schema() -> None:
    seen = _models()
    assert {m.__name__ for m in seen} >= {"Blueprint", "Component", "Flow", "Context", "Requirements", "SLO"}
    missing = []
    for model in seen:
        schema = SCHEMA if model is models.Blueprint else SCHEMA["$defs"][model.__name__]
        properties = schema["properties"]
        for name, info in model.model_fields.items():
            key = info.alias or name
            if key not in properties:
                missing.append(f"{model.__name__}.{key}")
    assert missing == [], f"run `make schema`: {missing}"


def test_every_flow_and_design_field_is_compared_by_diff() -> None:
    flow = {info.alias or name for name, info in models.Flow.model_fields.items()}
    assert set(FLOW_FIELDS) | set(FLOW_IDENTITY) == flow
    design = {info.alias or name for name, info in models.Blueprint.model_fields.items()}
    assert set(DESIGN_SECTIONS) | set(NOT_DESIGN) == design


def _undescribed(schema: dict) -> list[str]:
    """Every property, at any depth of a JSON Schema, that has no non-blank description."""
    missing = []
    objects = [("Blueprint", schema), *schema.get("$defs", {}).items()]
    while objects:
        where, node = objects.pop()
        for key, sub in node.get("properties", {}).items():
            if not str(sub.get("description", "")).strip():
                missing.append(f"{where}.{key}")
            if "properties" in sub:
                objects.append((f"{where}.{key}", sub))
    return sorted(missing)


def test_every_schema_property_has_a_description() -> None:
    """Describe a new field with `Field(description=...)` (CONTRIBUTING.md, "Add a blueprint field"): the
    description is its row in docs/reference/blueprint.md and its hover text in editors."""
    missing = _undescribed(json_schema())
    assert not missing, f"give these fields a Field(description=...): {', '.join(missing)}"
    stale = _undescribed(SCHEMA)
    assert not stale, f"run `make schema`: {', '.join(stale)}"
    assert len(SCHEMA["$defs"]["Component"]["properties"]) > 50


def test_an_undescribed_field_is_caught() -> None:
    class Wider(models.Component):
        gpu_count: int | None = None

    class Bigger(models.Blueprint):
        components: dict[str, Wider] = Field(description="boxes")  # type: ignore[assignment]
        owner: str | None = None

    assert _undescribed(Bigger.model_json_schema(by_alias=True)) == ["Blueprint.owner", "Wider.gpu_count"]
