"""Messages and comments of the package point at the documentation site, not at README sections: the README is
short and its reference moved to docs/. A pointer reads `the docs, PAGE` with PAGE a title of the site's nav."""

from __future__ import annotations

import re

import yaml
from mlsd_testing import ROOT

PACKAGE = ROOT / "mlsd_diagram"
SOURCES = sorted(p for p in PACKAGE.rglob("*") if p.suffix in {".py", ".j2", ".html", ".js", ".css", ".md"})
POINTER = re.compile(r'the docs, "?([A-Z][A-Za-z ]*[a-z])')


def _nav_titles(nav: list) -> set[str]:
    titles: set[str] = set()
    for entry in nav:
        for title, target in entry.items():
            titles.add(title)
            if isinstance(target, list):
                titles |= _nav_titles(target)
    return titles


def test_no_message_points_at_the_readme() -> None:
    assert len(SOURCES) > 100
    stale = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in SOURCES
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if "README" in line
    ]
    assert stale == [], "point at the docs page instead"


def test_every_pointer_names_a_page_of_the_site() -> None:
    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    titles = _nav_titles(nav)
    pointers = {m.group(1): p for p in SOURCES for m in POINTER.finditer(p.read_text(encoding="utf-8"))}
    assert {"Security", "Design docs", "The serving model"} <= set(pointers)
    unknown = {title: str(path.relative_to(ROOT)) for title, path in pointers.items() if title not in titles}
    assert unknown == {}, f"not a page title of mkdocs.yml's nav: {unknown}"
