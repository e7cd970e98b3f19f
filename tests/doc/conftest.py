"""Fixtures for the design-doc tests."""

from __future__ import annotations

import pytest
import yaml
from docmarkdown import DATA


@pytest.fixture
def ranker_text() -> str:
    return (DATA / "ranker.yaml").read_text(encoding="utf-8")


@pytest.fixture
def ranker_data(ranker_text) -> dict:
    return yaml.safe_load(ranker_text)
