"""An interrupted render (SIGINT or SIGTERM while Graphviz draws) stops, says so, and writes nothing.

The signal is sent once the run's `dot` process is seen running (so the run is surely mid-way);
the run must end with the interrupt's exit code, its `dot` must be gone, and the folder must
hold exactly the previous good outputs: no new file, no temporary file, no partial PNG or SVG.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def _large(name: str, n: int = 300) -> str:
    comps = "".join(
        f"  c{i}: {{kind: {('online_service', 'feature_store', 'cache', 'data_lake')[i % 4]}, "
        f"group: g{i % 8}, label: Component number {i}}}\n"
        for i in range(n)
    )
    flows = "".join(
        f"  - {{from: c{i}, to: c{i + 1}, mode: {('stream', 'batch')[i % 2]}, data: data {i}}}\n" for i in range(n - 1)
    )
    return f"mlsd: 1\nname: {name}\ncomponents:\n{comps}flows:\n{flows}"


def _complete(path: Path) -> bool:
    data = path.read_bytes()
    if path.suffix == ".png":
        return data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82")
    ET.fromstring(data)  # raises on a truncated SVG
    return True


def _dot_children(pid: int) -> list[int]:
    """The pids of the `dot` processes ``pid`` started (from /proc)."""
    found = []
    for listing in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in listing.read_text().split():
            try:
                if Path(f"/proc/{child}/comm").read_text().strip() == "dot":
                    found.append(int(child))
            except FileNotFoundError:
                pass
    return found


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_render_interrupted_while_graphviz_draws_keeps_the_previous_outputs(tmp_path, signum):
    blueprint = tmp_path / "big.yaml"
    out = tmp_path / "out"
    scratch = tmp_path / "tmp"  # the run's own temporary folder: nothing may be left in it
    scratch.mkdir()
    command = [sys.executable, "-m", "mlsd_diagram", "render", str(blueprint), "-o", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(scratch)}
    blueprint.write_text(_large("Old design"))
    subprocess.run(command, check=True, env=env, capture_output=True, timeout=180)
    previous = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(previous) == ["big.png", "big.svg"]

    blueprint.write_text(_large("New design"))
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not (dots := _dot_children(process.pid)):
            assert process.poll() is None, "the render ended before its dot was seen"
            assert time.monotonic() < deadline, "no dot process appeared"
            time.sleep(0.005)
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    text = stderr.decode()
    assert process.returncode == 128 + signum, (process.returncode, text)  # 130: SIGINT, 143: SIGTERM
    if signum == signal.SIGINT:
        assert text.strip() == "mlsd: interrupted", text
    assert "Traceback" not in text and b"wrote" not in stdout, (stdout, text)
    assert not any(_running(pid) for pid in dots)  # its dot was stopped too
    assert sorted(p.name for p in out.iterdir()) == ["big.png", "big.svg"]  # nothing new, no temporary file
    for name, data in previous.items():
        assert _complete(out / name), name
        assert (out / name).read_bytes() == data, name  # the previous good output, untouched
    assert list(scratch.iterdir()) == []  # dot's own temporary folder is gone as well

    # and the same run, left alone, does replace them: the interrupt was what kept them
    done = subprocess.run(command, env=env, capture_output=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert all((out / name).read_bytes() != data for name, data in previous.items())
