"""The lint engine: run the rules over a blueprint, apply settings and acceptances.

>>> from mlsd_diagram import load
>>> from mlsd_diagram.analyses.lint import lint
>>> for finding in lint(load("blueprints/news_feed.yaml")):   # doctest: +SKIP
...     print(finding)

Settings come from three places, in this order: the project's ``[tool.mlsd]``
table in ``pyproject.toml`` (:func:`load_config`), the arguments (``select``
replaces the configured selection, ``ignore`` adds to it), and the blueprint's
own ``lint.disable``. ``lint.accept`` entries never hide a finding: they mark
it ``accepted`` with the reason, and accepted findings do not fail a run.

The profile (``[tool.mlsd] profile``, or the ``profile`` argument) says how blank optional
practice fields are read (:mod:`.practices`): ``review`` (the default) turns the findings of a
practice the design uses nowhere into one design-level note, ``interview`` keeps every blank as a
finding. Errors are the same in both.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

from ..blueprint.models import Acceptance, Blueprint
from ..diagnostics import BlueprintError, Diagnostic, Suggestions, did_you_mean
from .design import Design
from .findings import SEVERITIES, SEVERITY_RANK, Finding, Hit
from .identity import flow_ids
from .practices import DEFAULT_PROFILE, PROFILES, review
from .rules import RULES, Rule

CONFIG_KEYS = ("select", "ignore", "fail-on", "severity", "max-pipeline-hops", "profile")


class LintConfigError(ValueError):
    """A bad ``[tool.mlsd]`` setting or rule selector (a user error, not a bug)."""


@dataclass(frozen=True)
class LintConfig:
    """Project lint settings (``[tool.mlsd]``): which rules run, their severities, the fail level."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str = "error"
    severity: Mapping[str, str] = field(default_factory=dict)  # rule id -> error|warning|note
    options: Mapping[str, object] = field(default_factory=dict)  # rule options, e.g. max-pipeline-hops
    path: str | None = None  # the pyproject.toml it came from
    profile: str = DEFAULT_PROFILE  # review or interview (:mod:`.practices`)

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any], path: str | None = None) -> LintConfig:
        """Build from a ``[tool.mlsd]`` table (keys with dashes or underscores)."""
        where = f" in {path}" if path else ""
        table = {str(k).replace("_", "-"): v for k, v in dict(table).items()}
        unknown = sorted(set(table) - set(CONFIG_KEYS))
        if unknown:
            raise LintConfigError(
                f"unknown [tool.mlsd] setting '{unknown[0]}'{where}"
                f"{did_you_mean(unknown[0], CONFIG_KEYS)} (known: {', '.join(CONFIG_KEYS)})"
            )

        def ids(key: str) -> tuple[str, ...]:
            value = table.get(key, [])
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise LintConfigError(f"[tool.mlsd] {key} must be a list of rule ids{where}")
            for selector in value:
                _expand(selector, f"[tool.mlsd] {key}{where}")
            return tuple(value)

        fail_on = table.get("fail-on", "error")
        if fail_on not in SEVERITIES:
            raise LintConfigError(f"[tool.mlsd] fail-on must be one of {', '.join(SEVERITIES)}{where}")
        severity = table.get("severity", {})
        if not isinstance(severity, dict):
            raise LintConfigError(f"[tool.mlsd] severity must be a table of rule = level{where}")
        levels = {}
        for key, level in severity.items():
            if level not in SEVERITIES:
                raise LintConfigError(f"[tool.mlsd] severity.{key} must be one of {', '.join(SEVERITIES)}{where}")
            for rule in _expand(key, f"[tool.mlsd] severity{where}"):
                levels[rule.id] = level
        options = {}
        if "max-pipeline-hops" in table:
            hops = table["max-pipeline-hops"]
            if not isinstance(hops, int) or isinstance(hops, bool) or hops < 1:
                raise LintConfigError(f"[tool.mlsd] max-pipeline-hops must be a positive integer{where}")
            options["max-pipeline-hops"] = hops
        profile = table.get("profile", DEFAULT_PROFILE)
        if profile not in PROFILES:
            raise LintConfigError(f"[tool.mlsd] profile must be one of {', '.join(PROFILES)}{where}")
        return cls(ids("select"), ids("ignore"), fail_on, levels, options, path, profile)


CONFIG_FILES = ("mlsd.toml", "pyproject.toml")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
            return data
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LintConfigError(f"cannot read {path}: {exc}") from None


def _table(path: Path, data: dict[str, Any]) -> dict[str, Any] | None:
    """The settings a config file holds: all of ``mlsd.toml``, a pyproject.toml's ``[tool.mlsd]`` (or None)."""
    if path.name == "mlsd.toml":
        return data
    tool = data.get("tool", {})
    return tool.get("mlsd") if isinstance(tool, dict) else None


def find_config(start: str | os.PathLike[str] | None = None) -> Path | None:
    """The nearest settings above ``start`` (a folder or a file; default: the working directory), as ruff finds its own.

    In ``start`` and then each parent: an ``mlsd.toml``, else a ``pyproject.toml`` with a ``[tool.mlsd]``
    table (one without the table is passed over). Raises :class:`LintConfigError` for a file that is
    not TOML, met on the way.
    """
    here = Path(start or os.getcwd()).resolve()
    if here.is_file():
        here = here.parent
    for folder in [here, *here.parents]:
        for name in CONFIG_FILES:
            candidate = folder / name
            if candidate.is_file() and _table(candidate, _read_toml(candidate)) is not None:
                return candidate
    return None


find_pyproject = find_config  # the name of earlier releases


def load_config(
    path: str | os.PathLike[str] | None = None, *, start: str | os.PathLike[str] | None = None
) -> LintConfig:
    """Read the settings from ``path`` (an ``mlsd.toml`` or a pyproject.toml), or the nearest above ``start``.

    No file, or no ``[tool.mlsd]`` table, gives the defaults. Raises :class:`LintConfigError`
    for unreadable TOML or bad settings.
    """
    found = Path(path) if path else find_config(start)
    if found is None:
        return LintConfig()
    table = _table(found, _read_toml(found))
    return LintConfig.from_mapping(table or {}, str(found))


def _expand(selector: str, where: str) -> list[Rule]:
    rules = RULES.matching(selector)
    if not rules:
        names = [r.id for r in RULES] + [r.name for r in RULES]
        raise LintConfigError(f"unknown rule '{selector}' in {where}{did_you_mean(selector, names)} (see `mlsd rules`)")
    return rules


def select_rules(
    select: Iterable[str] | None = None, ignore: Iterable[str] | None = None, config: LintConfig | None = None
) -> list[Rule]:
    """The rules that run: ``select`` (or the configured selection, or all), minus every ignore."""
    config = config or LintConfig()
    chosen = list(select) if select else list(config.select)
    if chosen:
        active = {r.id for s in chosen for r in _expand(s, "--select")}
    else:
        active = set(RULES.ids())
    for s in [*config.ignore, *(ignore or ())]:
        active -= {r.id for r in _expand(s, "--ignore")}
    return [r for r in RULES if r.id in active]


def check_blueprint_settings(blueprint: Blueprint) -> None:
    """Unknown rules in ``lint.disable`` / ``lint.accept`` are located blueprint errors (raised as
    :class:`BlueprintError`); ``mlsd validate`` and ``mlsd lint`` report the same ones."""
    problems = []
    names = Suggestions([r.id for r in RULES] + [r.name for r in RULES])
    for i, selector in enumerate(blueprint.lint.disable):
        if not RULES.matching(selector):
            line, col = blueprint.locate("lint", "disable", i)
            problems.append(
                Diagnostic(
                    blueprint.file,
                    line,
                    col,
                    f"lint.disable names unknown rule '{selector}'{names.hint(selector)} (see `mlsd rules`)",
                )
            )
    for i, accept in enumerate(blueprint.lint.accept):
        if accept.rule not in RULES:
            line, col = blueprint.locate("lint", "accept", i, "rule")
            problems.append(
                Diagnostic(
                    blueprint.file,
                    line,
                    col,
                    f"lint.accept names unknown rule '{accept.rule}'{names.hint(accept.rule)} (see `mlsd rules`)",
                )
            )
        if not accept.reason.strip():
            line, col = blueprint.locate("lint", "accept", i, "reason")
            problems.append(Diagnostic(blueprint.file, line, col, "lint.accept needs a reason"))
    if problems:
        raise BlueprintError(problems)


def lint(
    blueprint: Blueprint,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    config: LintConfig | Mapping[str, Any] | None = None,
    design: Design | None = None,
    profile: str | None = None,
) -> list[Finding]:
    """Every finding of the selected rules on ``blueprint``, sorted by (line, column, rule).

    ``select`` / ``ignore`` take rule ids, names or id prefixes (``MLSD2``). ``config`` is a
    :class:`LintConfig` or a ``[tool.mlsd]``-shaped mapping (default: no project settings;
    the CLI passes :func:`load_config`'s). Raises :class:`LintConfigError` for unknown rules
    in the arguments or config, and :class:`BlueprintError` for unknown rules in the
    blueprint's ``lint`` section. ``design`` is :func:`design_for`'s view of the same blueprint
    and config when the caller keeps one for other questions (the score), else it is built here.
    ``profile`` (``review`` or ``interview``) overrides the configured one.
    """
    config = as_config(config)
    profile = profile or config.profile
    if profile not in PROFILES:
        raise LintConfigError(f"unknown lint profile '{profile}' (known: {', '.join(PROFILES)})")
    check_blueprint_settings(blueprint)
    disabled = {r.id for s in blueprint.lint.disable for r in RULES.matching(s)}
    rules = [r for r in select_rules(select, ignore, config) if r.id not in disabled]
    design = design or design_for(blueprint, config)
    accepted = _accept_index(blueprint.lint.accept)
    flow_names = flow_ids(blueprint)
    file = blueprint.file
    findings = []
    for rule in rules:
        severity = config.severity.get(rule.id, rule.severity)
        hits = list(rule.check(design))
        notes: list[Hit] = []
        if profile == "review" and severity != "error":  # errors never depend on the profile
            hits, notes = review(
                hits, blueprint, lambda hit: _accepted(accepted, rule.id, hit.component, hit.flow) is not None
            )
        for hit, level in [*((h, severity) for h in hits), *((n, "note") for n in notes)]:
            line, column = design.location(hit.component, hit.flow)
            reason = _accepted(accepted, rule.id, hit.component, hit.flow)
            findings.append(
                Finding(
                    rule.id,
                    rule.name,
                    level,
                    hit.message,
                    file,
                    line,
                    column,
                    hit.component,
                    hit.flow,
                    reason is not None,
                    reason,
                    None if hit.flow is None else flow_names[hit.flow],
                )
            )
    return sorted(findings, key=Finding.sort_key)


_AcceptIndex = dict[tuple[str, "str | None", "int | None"], tuple[int, "str | None"]]


def as_config(config: LintConfig | Mapping[str, Any] | None) -> LintConfig:
    """A :class:`LintConfig` from one, from a ``[tool.mlsd]``-shaped mapping, or the defaults for None."""
    if config is None:
        return LintConfig()
    return config if isinstance(config, LintConfig) else LintConfig.from_mapping(config)


def design_for(blueprint: Blueprint, config: LintConfig | None = None) -> Design:
    """The rules' view of ``blueprint`` with the rule options of ``config``: build it once, ask it many times."""
    return Design(blueprint, dict(as_config(config).options))


def _accept_index(accepts: Iterable[Acceptance]) -> _AcceptIndex:
    """(rule id, component or None, flow or None) -> (position, reason) of the first acceptance so written.

    A finding then finds its acceptance by four look-ups, not by a scan of every acceptance
    (a blueprint may accept 100,000 findings)."""
    index: _AcceptIndex = {}
    for position, accept in enumerate(accepts):
        index.setdefault((RULES[accept.rule].id, accept.component, accept.flow), (position, accept.reason))
    return index


def _accepted(index: _AcceptIndex, rule: str, component: str | None, flow: int | None) -> str | None:
    """The reason of the first acceptance (in file order) that covers this finding, else None."""
    if not index:
        return None
    found = [
        index[key]
        for key in {(rule, component, flow), (rule, component, None), (rule, None, flow), (rule, None, None)}
        if key in index
    ]
    return min(found)[1] if found else None


def fails(findings: Iterable[Finding], fail_on: str = "error") -> bool:
    """True when an unaccepted finding is at or above the ``fail_on`` severity."""
    limit = SEVERITY_RANK[fail_on]
    return any(not f.accepted and SEVERITY_RANK[f.severity] <= limit for f in findings)


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    """``{"error": n, "warning": n, "note": n, "accepted": n}``; accepted ones count only as accepted."""
    result = {"error": 0, "warning": 0, "note": 0, "accepted": 0}
    for f in findings:
        result["accepted" if f.accepted else f.severity] += 1
    return result
