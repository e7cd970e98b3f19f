"""`mlsd serve --practice CASE` in headless Chromium: the mock interview page.

The prompt and folded questions, the clock per framework step (Playwright's clock drives time),
the scorecard updating when the file is saved, and the reference revealed on request or when
the time is up, never before.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from preview_testing import ROOT

pytestmark = pytest.mark.browser

CANDIDATE = ROOT / "tests" / "practice" / "news_feed" / "forgets_failure.yaml"
FALLBACKS = (
    "- {from: ranker, to: trending, mode: fallback, data: trending posts}\n"
    "- {from: user_encoder, to: trending, mode: fallback, data: trending posts}\n"
)


def row(p, check_id: str):
    return p.locator(f"#mlsd-practice-card tr[data-check='{check_id}']")


def start(serve, page, tmp_path: Path):
    path = tmp_path / "mine.yaml"
    shutil.copy(CANDIDATE, path)
    server = serve(path, "--practice", "news_feed")
    p = page.page
    p.clock.install()
    p.goto(server.url)
    p.wait_for_selector("#mlsd-practice-card tr[data-check='S6.fallbacks']")
    state = server.state()["data"]["practice"]
    assert state["case"] == "news_feed" and state["scorecard"]["revealed"] is False
    assert all(c["reference"] is None for s in state["scorecard"]["steps"] for c in s["checks"])
    status, _, body = server.get("/api/practice/reveal")
    assert status == 200 and json.loads(body)["revealed"] is True
    return path, p


def test_the_mock_interview_prompts_times_and_grades_as_the_file_changes(serve, page, tmp_path) -> None:
    path, p = start(serve, page, tmp_path)
    assert "Objective: Maximize meaningful engagement" in p.locator("#mlsd-practice-prompt").inner_text()
    questions = p.locator("#mlsd-practice-questions details")
    assert questions.count() >= 3
    assert questions.first.evaluate("d => !d.open")  # answers folded
    assert p.locator("#mlsd-practice-total").inner_text().startswith("22 of 27 points")
    fallbacks = row(p, "S6.fallbacks")
    assert fallbacks.get_attribute("class") == "fail"
    assert "no fallback: what does the user see when one is down?" in fallbacks.inner_text()
    assert p.locator("#mlsd-practice-card td.ref").count() == 0  # nothing of the reference shown
    assert "Model registry" not in p.locator("#mlsd-practice").inner_text()

    # the clock walks the plan step by step
    p.locator("#mlsd-practice-start").click()
    clock = p.locator("#mlsd-practice-clock")
    assert clock.inner_text().startswith("Step 1, Clarifying requirements: 5:00 left")
    p.clock.fast_forward("06:00")
    p.wait_for_function("() => document.getElementById('mlsd-practice-clock').textContent.startsWith('Step 2')")
    assert "done" in p.locator("#mlsd-practice-plan li[data-step='1']").get_attribute("class")
    assert "current" in p.locator("#mlsd-practice-plan li[data-step='2']").get_attribute("class")

    # saving the file regrades: fallbacks for both models earn the point back
    path.write_text(path.read_text(encoding="utf-8") + FALLBACKS, encoding="utf-8")
    p.wait_for_function(
        "() => document.querySelector(\"#mlsd-practice-card tr[data-check='S6.fallbacks']\").className === 'pass'",
        timeout=20000,
    )
    assert not p.locator("#mlsd-practice-total").inner_text().startswith("22 of 27")
    assert p.locator("#mlsd-practice-card td.ref").count() == 0

    # revealed on request: the reference's part beside each check
    p.locator("#mlsd-practice-reveal").click()
    p.wait_for_selector("#mlsd-practice-card td.ref")
    assert row(p, "S4.registry").locator("td.ref").inner_text() == "Model registry (registry, model_registry)"
    assert "on request" in p.locator("#mlsd-practice-note").inner_text()
    assert page.console_errors() == []


def test_the_reference_is_revealed_when_the_time_is_up(serve, page, tmp_path) -> None:
    _, p = start(serve, page, tmp_path)
    p.locator("#mlsd-practice-start").click()
    p.clock.fast_forward("44:00")
    p.wait_for_function("() => document.getElementById('mlsd-practice-clock').textContent.startsWith('Step 8')")
    assert p.locator("#mlsd-practice-card td.ref").count() == 0
    p.clock.fast_forward("01:05")
    p.wait_for_selector("#mlsd-practice-card td.ref")
    assert p.locator("#mlsd-practice-clock").inner_text() == "Time is up"
    assert "time is up" in p.locator("#mlsd-practice-note").inner_text()
    assert page.console_errors() == []
