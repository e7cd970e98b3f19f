"""Fixtures shared by every test folder.

One headless Chromium for the whole session: Playwright's sync API allows a single
running instance per thread, so every browser test (render, preview, hostile) uses this one.
"""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import settings

# Hypothesis: CI (and `make test`) runs the "ci" profile, derandomized so that a failure reproduces
# on every run and machine; `HYPOTHESIS_PROFILE=dev` explores new random examples each run.
# `--hypothesis-show-statistics` (pytest addopts) prints how many examples each property ran.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (``make test`` installs both)."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is needed (`make test` installs it)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()
