"""The preview tests' helpers: the real `mlsd serve` in a subprocess, free ports, watched pages.

A module of its own (not conftest.py) so that test modules can import it by name whatever
the order pytest collects folders in.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def mlsd_command() -> list[str]:
    """The installed `mlsd` script of this interpreter's environment (e.g. .venv/bin/mlsd)."""
    script = Path(sys.executable).parent / "mlsd"
    return [str(script)] if script.exists() else [sys.executable, "-m", "mlsd_diagram"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A running `mlsd serve FILE --port N` subprocess."""

    def __init__(self, path: Path, *extra: str, cwd: Path | None = None):
        self.path = Path(path)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.process = subprocess.Popen(
            [*mlsd_command(), "serve", str(path), "--port", str(self.port), *extra],
            cwd=cwd or ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        self.banner = self.process.stdout.readline()
        if "Serving" not in self.banner:
            self.process.kill()
            raise RuntimeError(f"mlsd serve did not start: {self.banner}{self.process.stderr.read()}")
        self.wait_for(lambda state: state["version"] >= 1)

    def get(self, path: str, headers: dict | None = None):
        request = urllib.request.Request(self.url.rstrip("/") + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def state(self) -> dict:
        status, _, body = self.get("/api/state")
        assert status == 200
        return json.loads(body)

    def wait_for(self, condition, timeout: float = 20.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            try:
                state = self.state()
                if condition(state):
                    return state
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("the server state never reached the expected condition")
            time.sleep(0.1)

    def interrupt(self, timeout: float = 15.0) -> tuple[int, str, str]:
        """Ctrl-C: SIGINT, then the exit code and the rest of its output."""
        self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=timeout)
        return self.process.returncode, out, err

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.communicate()


class Watched:
    """A page with every request, console message and page error recorded."""

    def __init__(self, page):
        self.page = page
        self.requests: list[str] = []
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", lambda message: self.console.append((message.type, message.text)))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def console_errors(self) -> list[str]:
        return [text for kind, text in self.console if kind in ("error", "warning")] + self.errors
