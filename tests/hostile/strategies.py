"""Hypothesis strategies: random valid blueprints built from the models, and mutations of real files."""

from __future__ import annotations

import yaml
from hypothesis import strategies as st

from mlsd_diagram.blueprint.kinds import kind_names
from mlsd_diagram.blueprint.models import Mode

# Printable text of every script, with the characters that try to break outputs.
TEXT = (
    st.text(
        alphabet=st.one_of(
            st.characters(blacklist_categories=("Cs", "Cc")),
            st.sampled_from(list("<>&\"'`|#*_[](){};:-->\\ \t\u202e\u200f")),
        ),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)
IDS = st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,11}", fullmatch=True)
MODES = [m.value for m in Mode]


@st.composite
def blueprint_data(draw, max_components: int = 12) -> dict:
    """A valid blueprint as plain data: request flows only go forward, so no request cycle."""
    ids = draw(st.lists(IDS, min_size=1, max_size=max_components, unique=True))
    components = {}
    for cid in ids:
        comp = {"kind": draw(st.sampled_from(kind_names()))}
        for name, strategy in (
            ("label", TEXT),
            ("tech", TEXT),
            ("group", TEXT),
            ("notes", TEXT),
            ("task", TEXT),
            ("model", TEXT),
            ("replicas", st.integers(1, 50)),
            ("latency_p99_ms", st.floats(0, 500, allow_nan=False)),
            ("automated_action", st.booleans()),
        ):
            if draw(st.booleans()):
                comp[name] = draw(strategy)
        components[cid] = comp
    flows = []
    if len(ids) >= 2:
        for _ in range(draw(st.integers(0, 2 * len(ids)))):
            i, j = sorted(draw(st.lists(st.integers(0, len(ids) - 1), min_size=2, max_size=2, unique=True)))
            mode = draw(st.sampled_from(MODES))
            flow = {"from": ids[i], "to": ids[j], "mode": mode}
            if mode != "request" and draw(st.booleans()):
                flow["from"], flow["to"] = flow["to"], flow["from"]
            if draw(st.booleans()):
                flow["data"] = draw(TEXT)
            if draw(st.booleans()):
                flow["tags"] = draw(st.lists(TEXT, max_size=3))
            flows.append(flow)
    data = {"mlsd": 1, "name": draw(TEXT), "components": components, "flows": flows}
    if draw(st.booleans()):
        data["summary"] = draw(TEXT)
        data["requirements"] = {"objective": draw(TEXT), "slo": {"latency_p99_ms": draw(st.integers(1, 1000))}}
    return data


def dump(data: dict) -> str:
    """YAML text as a person (or a tool) would write it."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000)


@st.composite
def mutated(draw, text: str) -> str:
    """A random edit of real blueprint text: delete, duplicate, swap, splice or truncate."""
    lines = text.splitlines(keepends=True)
    op = draw(st.sampled_from(["delete", "duplicate", "replace_char", "insert", "truncate", "swap", "indent"]))
    i = draw(st.integers(0, max(0, len(lines) - 1)))
    if op == "delete" and lines:
        del lines[i]
    elif op == "duplicate" and lines:
        lines.insert(i, lines[i])
    elif op == "swap" and len(lines) > 1:
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "indent" and lines:
        lines[i] = draw(st.sampled_from([" ", "  ", "\t", "- "])) + lines[i]
    elif op == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    elif op == "replace_char" and text:
        pos = draw(st.integers(0, len(text) - 1))
        char = draw(st.sampled_from(list(":{}[],-&*!|>'\"#%@`\t\n x0")))
        return text[:pos] + char + text[pos + 1 :]
    elif op == "insert":
        snippet = draw(
            st.sampled_from(
                [
                    "  ghost: {kind: feature_stor}\n",
                    "  - {from: app, to: nowhere, mode: request}\n",
                    "mlsd: 2\n",
                    "x: !!python/object/apply:os.system [id]\n",
                    "<<: {a: 1}\n",
                    "kind: [\n",
                    "flows: 3\n",
                    "  a: &a [*a]\n",
                    "---\n",
                    "\ufeff",
                    "  replicas: -1\n",
                    "  bad key: {kind: cache}\n",
                ]
            )
        )
        lines.insert(i, snippet)
    return "".join(lines)
