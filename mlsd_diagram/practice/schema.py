"""The JSON Schema of the scorecard (``mlsd practice check --format json``), generated from its dataclasses.

Published as ``schema/practice.schema.json`` (``make schema``); every object is closed
(``additionalProperties: false``), so a field added to the dataclasses without regenerating the
schema fails the test that validates real output against the committed file.
"""

from __future__ import annotations

import json
from typing import Any

from .scorecard import Scorecard


def _close(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close(value)
    elif isinstance(node, list):
        for value in node:
            _close(value)


def scorecard_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a practice scorecard."""
    from pydantic import TypeAdapter

    schema = TypeAdapter(Scorecard).json_schema(mode="serialization")
    _close(schema)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://mlsd-diagram.dev/schema/practice-1.json",
        "title": "mlsd-diagram practice scorecard",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def scorecard_schema_text() -> str:
    """The schema as stable, indented JSON text."""
    return json.dumps(scorecard_schema(), indent=2, sort_keys=True) + "\n"


__all__ = ["scorecard_schema", "scorecard_schema_text"]
