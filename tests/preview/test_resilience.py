"""Availability and retry amplification in the page (headless Chromium), in the report and in `mlsd serve`.

Figures by hand in ``data/resilience.yaml``.
"""

from __future__ import annotations

import subprocess

import pytest
from preview_testing import HERE, Watched, mlsd_command

pytestmark = pytest.mark.browser

RESILIENCE = HERE / "data" / "resilience.yaml"
EXPECTED = [
    "Availability from app: 99.85 %, below the 99.9 % SLO; largest term: ranker.",
    "Retries at 1x peak: ranker gets up to 2 attempts per request (1 without retries); rejects 45% at peak.",
    "Retries at 1x peak: features gets up to 2 attempts per request (1 without retries).",
]


def check(page) -> None:
    page.wait_for_selector("#mlsd-resilience li")
    assert page.locator("#mlsd-resilience li").all_inner_texts() == EXPECTED
    assert page.locator("#mlsd-resilience li[data-entry='app']").get_attribute("class") == "over"


def test_report_shows_availability_and_retries(browser, tmp_path):
    out = tmp_path / "report.html"
    result = subprocess.run(
        [*mlsd_command(), "report", str(RESILIENCE), "-o", str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    context = browser.new_context(offline=True, viewport={"width": 1440, "height": 1000})
    watched = Watched(context.new_page())
    watched.page.goto(out.as_uri())
    check(watched.page)
    assert watched.console_errors() == []
    context.close()


def test_serve_shows_availability_and_retries(serve, page):
    server = serve(RESILIENCE)
    page.page.goto(server.url)
    check(page.page)
    assert page.console_errors() == []
