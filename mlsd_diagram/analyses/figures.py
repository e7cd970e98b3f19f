"""The figures of ``mlsd estimate``: a number with its formula, the inputs it used, and how people write it.

Shared by :mod:`~mlsd_diagram.analyses.estimate` (load, replicas, memory, events) and
:mod:`~mlsd_diagram.analyses.capacity` (RAM, retained storage, regions, cost); pure data and formatting.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict


class InputDict(TypedDict):
    """An input of a figure as JSON (:meth:`Figure.to_dict`)."""

    name: str
    value: float | int
    source: str
    assumed: bool


class FigureDict(TypedDict):
    """A figure as JSON (:meth:`Figure.to_dict`; ``mlsd estimate --format json``)."""

    section: str
    component: str | None
    quantity: str
    value: float | int
    unit: str
    approx: str
    formula: str
    worked: str
    note: str
    inputs: list[InputDict]


class MissingDict(TypedDict):
    """A missing estimate as JSON (:meth:`Missing.to_dict`)."""

    section: str
    component: str | None
    quantity: str
    fields: list[str]


class EstimatesDict(TypedDict):
    """The JSON of ``mlsd estimate --format json`` without ``file`` (:meth:`Estimates.to_dict`)."""

    target_utilization: float | int
    figures: list[FigureDict]
    missing: list[MissingDict]


@dataclass(frozen=True)
class Input:
    """One number a figure used: its name, value, the field it came from, and whether it was assumed."""

    name: str
    value: float
    source: str  # a field path (``components.ranker.capacity_qps``) or an option (``--target-utilization``)
    assumed: bool = False  # a documented default, not a declared fact


@dataclass(frozen=True)
class Figure:
    """One estimate: ``value`` in ``unit``, with its formula, the formula with numbers, and its inputs."""

    section: str
    component: str | None
    quantity: str
    value: float
    unit: str  # QPS, replicas, bytes, bytes/day, events/day, examples
    formula: str
    worked: str
    inputs: tuple[Input, ...] = ()
    note: str = ""

    @property
    def approx(self) -> str:
        """The value as a person writes it: ``120k QPS``, ``1.2 TB``, ``25 replicas``."""
        return approx(self.value, self.unit)

    def to_dict(self) -> FigureDict:
        return {
            "section": self.section,
            "component": self.component,
            "quantity": self.quantity,
            "value": _number(self.value),
            "unit": self.unit,
            "approx": self.approx,
            "formula": self.formula,
            "worked": self.worked,
            "note": self.note,
            "inputs": [
                {"name": i.name, "value": _number(i.value), "source": i.source, "assumed": i.assumed}
                for i in self.inputs
            ],
        }


@dataclass(frozen=True)
class Missing:
    """An estimate that needs facts the blueprint does not hold: the fields to add."""

    section: str
    component: str | None
    quantity: str
    fields: tuple[str, ...]

    def to_dict(self) -> MissingDict:
        return {
            "section": self.section,
            "component": self.component,
            "quantity": self.quantity,
            "fields": list(self.fields),
        }


@dataclass(frozen=True)
class Estimates:
    """Every figure (in section order, components in declaration order) and every missing estimate."""

    target_utilization: float
    figures: tuple[Figure, ...] = ()
    missing: tuple[Missing, ...] = ()

    def section(self, name: str) -> list[Figure]:
        return [f for f in self.figures if f.section == name]

    def to_dict(self) -> EstimatesDict:
        """The JSON of ``mlsd estimate --format json`` (without ``file``)."""
        return {
            "target_utilization": _number(self.target_utilization),
            "figures": [f.to_dict() for f in self.figures],
            "missing": [m.to_dict() for m in self.missing],
        }


# -- numbers as people write them -----------------------------------------------------------

_COUNT_SCALES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))
_BYTE_SCALES = ((1e18, "EB"), (1e15, "PB"), (1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB"))


def _two_significant(x: float) -> float:
    if x == 0 or not math.isfinite(x):
        return x
    step = 10.0 ** (int(math.floor(math.log10(abs(x)))) - 1)
    return math.copysign(math.floor(abs(x) / step + 0.5) * step, x)  # half up, as people round


def _mantissa(m: float) -> str:
    text = f"{m:.1f}" if m < 10 else f"{m:.0f}"
    return text[:-2] if text.endswith(".0") else text


def approx(value: float, unit: str) -> str:
    """``value`` rounded to two significant digits with a decimal prefix: ``approx(123456, "QPS")`` ->
    ``"120k QPS"``, ``approx(1.234e12, "bytes")`` -> ``"1.2 TB"``; replicas are exact."""
    if unit == "replicas":
        n = int(value)
        return f"{n} replica{'' if n == 1 else 's'}"
    r = _two_significant(float(value))
    if unit.startswith("bytes"):
        rest = unit[len("bytes") :]
        for scale, prefix in _BYTE_SCALES:
            if abs(r) >= scale:
                return f"{_mantissa(r / scale)} {prefix}{rest}"
        return f"{r:g} B{rest}"
    for scale, prefix in _COUNT_SCALES:
        if abs(r) >= scale:
            return f"{_mantissa(r / scale)}{prefix} {unit}"
    return f"{r:g} {unit}"


def _plain(x: float) -> str:
    """A number exactly, with thousands separators: ``1,000,000,000``, ``0.2``."""
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.6g}" if abs(x) >= 1000 else f"{x:.6g}"


def _number(x: float) -> float | int:
    x = round(float(x), 3)
    return int(x) if x.is_integer() else x


def _product(section: str, c: str, quantity: str, unit: str, inputs: Sequence[Input], note: str = "") -> Figure:
    """A figure that is the product of its inputs: the formula names them, the worked line gives their values."""
    return Figure(
        section,
        c,
        quantity,
        math.prod(i.value for i in inputs),
        unit,
        " x ".join(i.name for i in inputs),
        " x ".join(_plain(i.value) for i in inputs),
        tuple(inputs),
        note,
    )


def _given(value: float | None) -> float:
    """A field the caller has checked is declared (it lists the missing ones first)."""
    assert value is not None, "checked by the caller"
    return value
