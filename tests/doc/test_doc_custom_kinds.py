"""The doc picks components by role and trait, not kind name: a custom kind appears where its built-in twin does."""

from __future__ import annotations

import copy

import pytest
import yaml
from docmarkdown import H2, doc_for, sections

from mlsd_diagram.blueprint.kinds import BUILTIN

# components of tests/doc/data/ranker.yaml whose kind a team could well declare itself
TWINNED = [
    "orders",
    "batch_features",
    "features",
    "log",
    "redactor",
    "orchestrator",
    "training",
    "eval",
    "registry",
    "rollout",
    "drift",
    "alerting",
]


def _sections_naming(markdown: str, cid: str) -> dict[str, int]:
    """Section -> how many times it names ``cid`` (as a row's or a reference's "Label (`id`)")."""
    parts = sections(markdown)
    counts = {h: parts.get(h, "").count(f"(`{cid}`)") for h in H2 if h != "Appendix"}
    return {h: n for h, n in counts.items() if n}


@pytest.fixture(scope="module")
def builtin_doc() -> str:
    from docmarkdown import DATA

    return doc_for((DATA / "ranker.yaml").read_text(encoding="utf-8"), "ranker.yaml")


@pytest.mark.parametrize("cid", TWINNED)
def test_a_custom_kind_appears_where_its_builtin_twin_does(cid, ranker_data, builtin_doc) -> None:
    data = copy.deepcopy(ranker_data)
    kind = BUILTIN[data["components"][cid]["kind"]]
    custom = f"x-team-{kind.name.replace('_', '-')}"
    data.setdefault("kinds", {})[custom] = {"stage": kind.stage.value, "roles": sorted(r.value for r in kind.roles)}
    data["components"][cid]["kind"] = custom
    markdown = doc_for(yaml.safe_dump(data, sort_keys=False), "ranker.yaml")
    expected = _sections_naming(builtin_doc, cid)
    assert expected, f"{cid} should be named in a section of the built-in doc"
    assert _sections_naming(markdown, cid) == expected
    assert f"`{custom}`" in markdown  # shown under its own kind name
