"""An interrupted render (SIGINT or SIGTERM mid-way) leaves the old file or the new one, never a broken one."""

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
    comps = "".join(f"  c{i}: {{kind: {('online_service', 'feature_store', 'cache', 'data_lake')[i % 4]}, "
                    f"group: g{i % 8}, label: Component number {i}}}\n" for i in range(n))
    flows = "".join(f"  - {{from: c{i}, to: c{i + 1}, mode: {('stream', 'batch')[i % 2]}, data: data {i}}}\n"
                    for i in range(n - 1))
    return f"mlsd: 1\nname: {name}\ncomponents:\n{comps}flows:\n{flows}"


def _complete(path: Path) -> bool:
    data = path.read_bytes()
    if path.suffix == ".png":
        return data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82")
    ET.fromstring(data)  # raises on a truncated SVG
    return True


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_render_leaves_old_or_new_file(tmp_path, signum):
    blueprint = tmp_path / "big.yaml"
    out = tmp_path / "out"
    command = [sys.executable, "-m", "mlsd_diagram", "render", str(blueprint), "-o", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    blueprint.write_text(_large("Old design"))
    subprocess.run(command, check=True, env=env, capture_output=True)
    old = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(old) == {"big.png", "big.svg"}

    blueprint.write_text(_large("New design"))
    start = time.monotonic()
    subprocess.run(command, check=True, env=env, capture_output=True)
    full = time.monotonic() - start
    new = {p.name: p.read_bytes() for p in out.iterdir()}
    blueprint.write_text(_large("Newest design"))
    for fraction in (0.2, 0.5, 0.8, 0.95):
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(full * fraction)
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=60)
        assert b"Traceback" not in stderr
        names = sorted(p.name for p in out.iterdir())
        assert names == ["big.png", "big.svg"], names  # no temporary file left behind
        for name in names:
            path = out / name
            assert _complete(path), name
            current = path.read_bytes()
            assert current == new[name] or b"Newest design" in current or name.endswith(".png"), name
            if current != new[name]:
                new[name] = current  # a finished newest render replaces the new one: that is fine too
