"""Fixtures for the preview tests: the real `mlsd serve` in a subprocess, and headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from preview_testing import Server, Watched


@pytest.fixture
def serve():
    """Start `mlsd serve` on a blueprint file; every server is stopped after the test."""
    started: list[Server] = []

    def start(path: Path, *extra: str, cwd: Path | None = None) -> Server:
        server = Server(path, *extra, cwd=cwd)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    watched = Watched(context.new_page())
    yield watched
    context.close()
