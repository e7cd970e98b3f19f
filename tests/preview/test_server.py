"""`mlsd serve` over HTTP: routes, security headers, reloads, bad input, Ctrl-C."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from preview_testing import HERE, ROOT, Server, free_port, mlsd_command

SMALL = HERE / "data" / "small.yaml"


def copy_small(tmp_path):
    target = tmp_path / "design.yaml"
    shutil.copy(SMALL, target)
    return target


def test_serves_the_page_assets_and_api_with_a_csp(serve, tmp_path):
    server = serve(copy_small(tmp_path))
    status, headers, body = server.get("/")
    assert status == 200 and b'src="/static/app.js"' in body
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "img-src 'self' data:" in csp and "unsafe-inline" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    for name, kind in [("app.js", "text/javascript"), ("style.css", "text/css"), ("favicon.svg", "image/svg+xml")]:
        status, headers, _ = server.get(f"/static/{name}")
        assert status == 200 and headers["content-type"].startswith(kind)
        assert "content-security-policy" in headers
    state = server.state()
    ids = [c["id"] for c in state["data"]["components"]]
    assert state["errors"] == [] and ids == ["app", "gateway", "model", "cache", "monitoring"]


def test_no_url_reaches_the_file_system(serve, tmp_path):
    server = serve(copy_small(tmp_path))
    for path in [
        "/static/index.html",
        "/static/../server.py",
        "/static/%2e%2e%2fserver.py",
        "/static/..%2F..%2Fpyproject.toml",
        "/design.yaml",
        f"/{tmp_path}/design.yaml",
        "/static/",
        "/etc/passwd",
        "/api/../static/app.js/x",
    ]:
        status, _, body = server.get(path)
        assert status == 404, path
        assert b"mlsd" not in body and b"components" not in body


def test_only_loopback_host_headers_are_answered(serve, tmp_path):
    server = serve(copy_small(tmp_path))
    assert server.get("/api/state", headers={"Host": "attacker.example"})[0] == 400
    assert server.get("/api/state", headers={"Host": f"localhost:{server.port}"})[0] == 200


def test_knockout_api(serve, tmp_path):
    server = serve(copy_small(tmp_path))
    status, _, body = server.get("/api/knockout?components=model")
    assert status == 200 and json.loads(body)["entry_points"] == {"app": "degraded"}
    status, _, body = server.get("/api/knockout?components=model,cache")
    assert json.loads(body)["entry_points"] == {"app": "down"}
    status, _, body = server.get("/api/knockout?components=ghost")
    assert status == 400 and "ghost" in json.loads(body)["error"]


def test_reload_on_save_and_keep_the_last_good_data_on_errors(serve, tmp_path):
    path = copy_small(tmp_path)
    server = serve(path)
    text = path.read_text()
    path.write_text(
        text.replace(
            "  monitoring: {kind: monitoring}",
            "  monitoring: {kind: monitoring}\n  drift: {kind: drift_detector, label: Drift}",
        )
    )
    state = server.wait_for(lambda s: "drift" in [c["id"] for c in s["data"]["components"]])
    assert state["errors"] == []
    good = state["data_version"]
    path.write_text(text.replace("kind: cache", "kind: cahce"))
    state = server.wait_for(lambda s: s["errors"])
    assert state["data_version"] == good and "drift" in [c["id"] for c in state["data"]["components"]]
    error = state["errors"][0]
    assert (error["line"], error["column"]) == (10, 17) and "cahce" in error["message"]
    path.unlink()  # deleted mid-edit: still running, still showing the last good diagram
    state = server.wait_for(lambda s: "cannot read file" in s["errors"][0]["message"] if s["errors"] else False)
    path.write_text(text)  # and back
    state = server.wait_for(lambda s: not s["errors"] and s["data_version"] > good)
    assert server.process.poll() is None


def test_starts_on_an_invalid_file_and_shows_its_errors(serve, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("mlsd: 1\nname: [unclosed\n")
    server = serve(path)
    state = server.state()
    assert state["data"] is None and "invalid YAML" in state["errors"][0]["message"]
    shutil.copy(SMALL, path)
    server.wait_for(lambda s: s["data"] is not None and not s["errors"])


def test_events_stream_announces_changes(serve, tmp_path):
    path = copy_small(tmp_path)
    server = serve(path)
    with urllib.request.urlopen(server.url + "api/events", timeout=10) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        first = [stream.readline() for _ in range(4)]
        assert b"event: update\n" in first
        path.write_text(path.read_text() + "\n# saved again\n")
        deadline = time.monotonic() + 10
        lines = []
        while time.monotonic() < deadline and b"data: 2\n" not in lines:
            lines.append(stream.readline())
        assert b"data: 2\n" in lines


def test_ctrl_c_stops_cleanly_with_a_page_connected(serve, tmp_path):
    server = serve(copy_small(tmp_path))
    stream = urllib.request.urlopen(server.url + "api/events", timeout=10)
    stream.readline()
    started = time.monotonic()
    code, out, err = server.interrupt()
    stream.close()
    assert code == 130, err  # Ctrl-C: 130, as every other command
    assert "preview stopped" in out and "Traceback" not in err
    assert time.monotonic() - started < 10


def test_busy_port_is_one_line_and_exit_2(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*mlsd_command(), "serve", str(SMALL), "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert (
        result.stderr.strip() == f"mlsd: error: port {port} on 127.0.0.1 is already in use; choose another with --port"
    )


def test_other_hosts_only_when_asked_and_with_a_warning(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [*mlsd_command(), "serve", str(copy_small(tmp_path)), "--port", str(port), "--host", "0.0.0.0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = process.stdout.readline()
        assert "0.0.0.0" in banner
        process.send_signal(2)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:  # a server that did not stop is ended here, not left behind
            process.kill()
            process.communicate()
    assert "warning: serving on 0.0.0.0, not a loopback address" in err


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 128 + signal.SIGTERM)])
def test_a_signal_right_after_the_banner_stops_the_server(tmp_path, signum, code):
    """Before uvicorn has its own handlers, a Ctrl-C or SIGTERM used to be lost in asyncio's start-up
    (the server kept running: 2 to 7 runs in 8 hung); it must stop the server every time."""
    design = copy_small(tmp_path)
    for attempt in range(6):
        process = subprocess.Popen(
            [*mlsd_command(), "serve", str(design), "--port", str(free_port())],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert "Serving" in process.stdout.readline()
            process.send_signal(signum)
            _, err = process.communicate(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        assert process.returncode == code, (attempt, err)
        assert "Traceback" not in err


def test_default_host_is_loopback(tmp_path):
    server = Server(copy_small(tmp_path))
    try:
        assert "http://127.0.0.1:" in server.banner
    finally:
        server.stop()


def test_the_lint_path_imports_no_server_library():
    code = (
        "import sys, mlsd_diagram.cli, mlsd_diagram.analyses.lint, mlsd_diagram.outputs.report; "
        "print(sorted(m for m in ('starlette', 'uvicorn', 'watchfiles') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr


def test_port_0_picks_a_free_port(serve, tmp_path):
    process = subprocess.Popen(
        [*mlsd_command(), "serve", str(copy_small(tmp_path)), "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = process.stdout.readline()
        port = int(banner.rsplit(":", 1)[1].split("/")[0])
        assert port > 0
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/state", timeout=5) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
    finally:
        process.send_signal(2)
        try:
            process.communicate(timeout=15)
        finally:
            if process.poll() is None:  # a server that did not stop is ended here, not left behind
                process.kill()
                process.communicate()
