"""The lock files agree with pyproject.toml: every declared requirement is pinned, within its range,
for every Python from 3.10 to 3.13 on Linux and macOS, and nothing is pinned that nothing asks for.

Refresh with `make lock` (scripts/lock.sh) after changing a dependency in pyproject.toml.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "mlsd-diagram"
PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
PLATFORMS = [("linux", "Linux", "posix"), ("darwin", "Darwin", "posix")]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^ ;\\]+)(?: ; (.+?))?(?: \\)?$")
VIA = re.compile(r"^    #(?: via)? +(.+?)(?: \(.*\))?$")


def environments():
    for python in PYTHONS:
        for sys_platform, system, os_name in PLATFORMS:
            yield {
                "python_version": python,
                "python_full_version": python + ".0",
                "sys_platform": sys_platform,
                "platform_system": system,
                "os_name": os_name,
                "implementation_name": "cpython",
                "platform_python_implementation": "CPython",
                "platform_machine": "x86_64",
                "extra": "",
            }


def read_lock(name: str) -> dict[str, list[tuple[Version, Marker | None, set[str]]]]:
    """Package -> [(version, marker, the packages it is pulled in by)]."""
    pins: dict[str, list] = {}
    current = None
    for line in (ROOT / "requirements" / name).read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            current = (Version(match[2]), Marker(match[3]) if match[3] else None, set())
            pins.setdefault(canonicalize_name(match[1]), []).append(current)
            continue
        via = VIA.match(line)
        if via and current is not None and not via[1].startswith("-"):
            current[2].add(canonicalize_name(via[1].split()[0]))
    return pins


def declared(extras: list[str]) -> list[Requirement]:
    """pyproject.toml's requirements with these extras, self-references expanded."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = [Requirement(r) for r in project["dependencies"]]
    seen, todo = set(), list(extras)
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for text in project["optional-dependencies"][extra]:
            req = Requirement(text)
            if canonicalize_name(req.name) == PROJECT:
                todo.extend(req.extras)
            else:
                found.append(req)
    build = (ROOT / "requirements" / "build.in").read_text(encoding="utf-8").splitlines()
    found += [Requirement(line) for line in build if line.strip() and not line.startswith("#")]
    return found


def active(marker: Marker | None, env: dict) -> bool:
    return marker is None or marker.evaluate(env)


@pytest.mark.parametrize(("lock", "extras"), [("dev.lock", ["dev"]), ("runtime.lock", [])])
def test_every_declared_requirement_is_pinned_within_its_range(lock, extras):
    pins = read_lock(lock)
    problems = []
    for env in environments():
        for req in declared(extras):
            if req.marker is not None and not req.marker.evaluate(env):
                continue
            chosen = [v for v, m, _ in pins.get(canonicalize_name(req.name), []) if active(m, env)]
            where = f"Python {env['python_version']} on {env['sys_platform']}"
            if len(chosen) != 1:
                problems.append(f"{req.name}: {len(chosen)} pins apply on {where}")
            elif not req.specifier.contains(chosen[0], prereleases=True):
                problems.append(f"{req.name}: locked {chosen[0]} is outside {req.specifier} on {where}")
    listed = "\n".join(sorted(set(problems)))
    assert not problems, f"pyproject.toml and requirements/{lock} disagree (run `make lock`):\n{listed}"


@pytest.mark.parametrize(("lock", "extras"), [("dev.lock", ["dev"]), ("runtime.lock", [])])
def test_nothing_is_locked_that_nothing_asks_for(lock, extras):
    """A requirement removed from pyproject.toml must leave the lock too."""
    pins = read_lock(lock)
    direct = {canonicalize_name(r.name) for r in declared(extras)}
    stale = []
    for name, entries in pins.items():
        for _, _, via in entries:
            parents = {p for p in via if p != PROJECT}
            if name not in direct and not (parents & set(pins)):
                stale.append(name)
    assert not stale, (
        f"requirements/{lock} pins {sorted(set(stale))}, which pyproject.toml no longer asks for (run `make lock`)"
    )


def test_runtime_lock_is_the_dev_lock_subset():
    """`make demo` and `make test` run the same versions of what they share."""
    dev, runtime = read_lock("dev.lock"), read_lock("runtime.lock")
    differ = [
        name
        for name, entries in runtime.items()
        if {(v, str(m)) for v, m, _ in entries} != {(v, str(m)) for v, m, _ in dev.get(name, [])}
    ]
    assert not differ, f"runtime.lock and dev.lock pin different versions of {differ} (run `make lock`)"


def test_every_pin_has_a_hash():
    for name in ("dev.lock", "runtime.lock"):
        text = (ROOT / "requirements" / name).read_text(encoding="utf-8")
        blocks = re.split(r"\n(?=[A-Za-z0-9])", text.strip())
        unhashed = [b.split()[0] for b in blocks if not b.startswith("#") and "--hash=sha256:" not in b]
        assert not unhashed, f"{name}: no hash for {unhashed}"
