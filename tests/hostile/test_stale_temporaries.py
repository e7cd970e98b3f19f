"""What a run killed outright (kill -9) leaves behind is removed by the next run: its render folder in
TMPDIR and temporary files beside the outputs. Only ours, only old ones, only when their process is gone
(issue 23). The kill is real: `mlsd render` in its own session, SIGKILL while its `dot` draws."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mlsd_testing import MLSD, ROOT

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

SMALL = "mlsd: 1\nname: Small\ncomponents:\n  app: {kind: client_app}\n  api: {kind: api_gateway}\n"
HOURS_AGO = time.time() - 2 * 3600


def _big(n: int = 1500) -> str:
    comps = "".join(f"  c{i}: {{kind: online_service, group: g{i % 300}}}\n" for i in range(n))
    flows = "".join(f"  - {{from: c{i}, to: c{j}, mode: request}}\n" for i in range(n) for j in (i + 1, i + 7) if j < n)
    return f"mlsd: 1\nname: Big\ncomponents:\n{comps}flows:\n{flows}"


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def _age(*paths: Path) -> None:
    for path in paths:
        os.utime(path, (HOURS_AGO, HOURS_AGO), follow_symlinks=False)


def _mlsd(tmp_path: Path, scratch: Path, *args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(scratch)}
    return subprocess.Popen(
        [*MLSD, *args], cwd=tmp_path, env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def test_the_next_run_removes_what_a_killed_render_left(tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (tmp_path / "big.yaml").write_text(_big())
    (tmp_path / "small.yaml").write_text(SMALL)
    killed = _mlsd(tmp_path, scratch, "render", "big.yaml", "-o", "out", "-f", "svg")
    try:
        deadline = time.monotonic() + 60
        while not list(scratch.glob("mlsd-render-*/out.svg")):
            assert killed.poll() is None, killed.stderr.read()
            assert time.monotonic() < deadline, "the render never started drawing"
            time.sleep(0.01)
    finally:
        os.killpg(killed.pid, signal.SIGKILL)  # no handler runs: the folder stays
        killed.wait()
    left = list(scratch.glob("mlsd-render-*"))
    assert len(left) == 1 and left[0].name.startswith(f"mlsd-render-{killed.pid}-"), left
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    dead = _dead_pid()
    stale_file = out / f".tmp-big.svg.{dead}-abcd_123"  # a kill between writing and renaming
    legacy_file = out / ".tmp-big.png.k2j4h5g6"  # named before the pid was recorded
    for path in (stale_file, legacy_file):
        path.write_text("half")
    # Near misses: each must stay.
    fresh = scratch / f"mlsd-render-{dead}-freshfre"
    fresh.mkdir()
    alive = scratch / f"mlsd-render-{os.getpid()}-aliveali"
    alive.mkdir()
    foreign = scratch / "mlsd-render-notours"
    foreign.mkdir()
    target = tmp_path / "keep"
    target.mkdir()
    (target / "precious.txt").write_text("keep me")
    link = scratch / f"mlsd-render-{dead}-linklink"
    link.symlink_to(target)
    other_tmp = out / ".tmp-notes"
    other_tmp.write_text("someone else's")
    alive_file = out / f".tmp-big.svg.{os.getpid()}-alivefil"
    alive_file.write_text("being written")
    _age(left[0], stale_file, legacy_file, alive, foreign, link, other_tmp, alive_file)

    done = _mlsd(tmp_path, scratch, "render", "small.yaml", "-o", "out", "-f", "svg")
    _, err = done.communicate(timeout=120)
    assert done.returncode == 0, err

    assert not left[0].exists(), "the killed run's render folder is still there"
    assert not stale_file.exists() and not legacy_file.exists()
    for kept in (fresh, alive, foreign, other_tmp, alive_file):
        assert kept.exists(), kept
    assert link.is_symlink() and (target / "precious.txt").read_text() == "keep me"
    assert (out / "small.svg").is_file()
