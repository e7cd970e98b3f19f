"""What the design-doc context is made of: prompts, and components and flows as templates see them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...blueprint.models import Blueprint
from .markdown import Md


@dataclass
class Prompts:
    """The ``> Decide:`` prompts of a doc, by key, with the step each belongs to."""

    by_key: dict[str, Md] = field(default_factory=dict)
    order: list[tuple[int, Md]] = field(default_factory=list)

    def add(self, step: int, key: str, text: str) -> Md:
        """Record a prompt (Markdown: blueprint text in it must be escaped) and return it."""
        markdown = Md(text)
        if key in self.by_key:
            return self.by_key[key]
        if any(markdown == asked for _, asked in self.order):  # never the same line twice in one doc
            self.by_key[key] = Md("")
            return Md("")
        self.by_key[key] = markdown
        self.order.append((step, markdown))
        return markdown

    def asked(self, key: str) -> bool:
        """True when the prompt ``key`` was recorded (and not as a repeat of another)."""
        return bool(self.by_key.get(key))


class Decide(dict):
    """``decide.objective`` in a template: the prompt text, or "" when the blueprint says it."""

    def __missing__(self, key: str) -> str:
        return ""


def label_of(bp: Blueprint, cid: str) -> str:
    """A component's label, or its id when it has none."""
    return bp.components[cid].label or cid


def ref(bp: Blueprint, cid: str) -> dict[str, Any]:
    """A component as templates see it in lists: id, label, kind."""
    component = bp.components[cid]
    return {"id": cid, "label": component.label or cid, "kind": bp.kind_of(cid).name}


def flow_row(bp: Blueprint, index: int) -> dict[str, Any]:
    """A flow as templates see it: ends with their labels, mode, data, tags, label facts, line."""
    flow = bp.flows[index]
    return {
        "index": index,
        "source": flow.source,
        "target": flow.target,
        "mode": flow.mode.value,
        "data": flow.data or "",
        "tags": list(flow.tags),
        "loop": flow.loop.value if flow.loop else "",
        "source_label": label_of(bp, flow.source),
        "target_label": label_of(bp, flow.target),
        "label_window": flow.label_window or "",
        "label_delay": flow.label_delay or "",
        "label_source": flow.label_source or "",
        "late_positives": flow.late_positives.value if flow.late_positives else "",
        "selective": flow.selective_labels,
        "line": bp.flow_location(index)[0],
    }


def component_row(bp: Blueprint, cid: str) -> dict[str, Any]:
    """A component as templates see it in tables: its fields (empty strings for missing text)."""
    component = bp.components[cid]
    kind = bp.kind_of(cid)
    return {
        "id": cid,
        "label": component.label or cid,
        "kind": kind.name,
        "kind_written": component.kind,
        "stage": kind.stage.value,
        "roles": sorted(r.value for r in kind.roles),
        "tech": component.tech or "",
        "replicas": component.replicas,
        "latency_p99_ms": component.latency_p99_ms,
        "task": component.task or "",
        "model": component.model or "",
        "inputs": list(component.inputs),
        "outputs": list(component.outputs),
        "automated_action": component.automated_action,
        "notes": component.notes or "",
        "cadence": component.cadence or "",
        "retention": component.retention or "",
        "experiment_design": component.experiment_design or "",
        "line": bp.component_location(cid)[0],
    }
