"""The JSON Schema of the blueprint format, generated from the models."""

from __future__ import annotations

import json
from typing import Any

from .models import Blueprint


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of blueprint format version 1."""
    schema = Blueprint.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://mlsd-diagram.dev/schema/mlsd-1.json",
        "title": "mlsd-diagram blueprint (format 1)",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def json_schema_text() -> str:
    """The schema as stable, indented JSON text."""
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
