"""The documentation site as a reader gets it: built by `mkdocs build --strict`, served over HTTP, read in headless
Chromium. Navigation reaches a rule page and the CLI reference, search finds a rule by its id, and every internal
link of every page (and every anchor it names) resolves."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from mlsd_testing import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _bounded() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))


def _stop(proc: subprocess.Popen) -> None:
    """End the process group this test started (the server), and only it."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The site built strict into a temporary folder and served on a free local port: (base URL, folder)."""
    folder = tmp_path_factory.mktemp("site") / "site"
    build = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(folder)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_bounded,
    )
    try:
        out, err = build.communicate(timeout=300)
    finally:
        _stop(build)
    assert build.returncode == 0, out + err
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
        preexec_fn=_bounded,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        banner = server.stdout.readline() if server.stdout else ""  # Serving HTTP on 127.0.0.1 port N (...)
        assert "port" in banner, banner
        base = f"http://127.0.0.1:{banner.split(' port ')[1].split()[0]}/"
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(base + "index.html", timeout=5) as response:
                    assert response.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "the site server did not answer"
                time.sleep(0.1)
        yield base, folder
    finally:
        _stop(server)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def test_navigation_reaches_a_rule_page_and_the_cli_reference(site, page) -> None:
    base, _ = site
    page.goto(base + "index.html")
    nav = page.locator(".md-sidebar--primary")
    nav.get_by_role("link", name="Lint rules", exact=True).click()
    page.wait_for_url(base + "rules/index.html")
    assert page.locator("article h1").inner_text().startswith("Lint rules")
    page.locator("article").get_by_role("link", name="MLSD201", exact=True).first.click()
    page.wait_for_url(base + "rules/MLSD201.html")
    assert page.locator("article h1").inner_text().startswith("MLSD201 no-fallback")
    page.locator(".md-sidebar--primary").get_by_role("link", name="Commands", exact=True).click()
    page.wait_for_url(base + "reference/cli.html")
    assert page.locator("article h1").inner_text().startswith("Command-line reference")
    assert "$ mlsd lint -h" in page.locator("article").inner_text()


def test_search_finds_a_rule_page_by_its_id(site, page) -> None:
    base, _ = site
    page.goto(base + "index.html")
    box = page.locator("input.md-search__input")  # in the header at this width
    box.click()
    box.press_sequentially("MLSD204")
    hit = page.locator(".md-search-result__item a.md-search-result__link[href*='rules/MLSD204.html']").first
    hit.wait_for(state="visible")
    hit.click()
    page.wait_for_url(f"{base}rules/MLSD204.html*")
    assert page.locator("article h1").inner_text().startswith("MLSD204")


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_no_internal_link_is_broken(site, page) -> None:
    """Crawl from the home page through every same-site link: each target answers 200 and each #anchor exists on
    its page (as Chromium sees it, after the theme's scripts ran); every page of the build is reached."""
    base, folder = site
    todo, ids, links = [base + "index.html"], {}, {}
    missing: set[str] = set()  # linked pages that do not answer 200
    while todo:
        url = todo.pop()
        if url in ids or url in missing:
            continue
        response = page.goto(url)
        if response is None or response.status != 200:
            missing.add(url)
            continue
        ids[url] = set(page.eval_on_selector_all("[id]", "nodes => nodes.map(n => n.id)"))
        found = page.eval_on_selector_all(
            "a[href], img[src], link[rel=stylesheet][href], script[src]", "nodes => nodes.map(n => n.href || n.src)"
        )
        links[url] = [link for link in found if link.startswith(base)]
        for link in links[url]:
            target = link.split("#", 1)[0]
            if target.endswith(".html") and target not in ids and target not in missing:
                todo.append(target)
    broken = []
    assets: dict[str, int] = {}
    for url, targets in links.items():
        for link in targets:
            target, _, anchor = link.partition("#")
            if target.endswith("/"):
                target += "index.html"
            if target.endswith(".html"):
                if target not in ids:
                    broken.append(f"{url} -> {link} (not a page)")
                elif anchor and urllib.parse.unquote(anchor) not in ids[target]:
                    broken.append(f"{url} -> {link} (no such anchor)")
            else:
                status = assets.setdefault(target, _status(target))
                if status != 200:
                    broken.append(f"{url} -> {link} ({status})")
    assert broken == []
    built = {base + p.relative_to(folder).as_posix() for p in folder.rglob("*.html")} - {base + "404.html"}
    assert set(ids) == built, sorted(built ^ set(ids))
    assert len(ids) > 60 and base + "rules/MLSD201.html" in ids and base + "reference/blueprint.html" in ids
