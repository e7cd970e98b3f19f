"""How the `mlsd` process ends: quickly (no interpreter teardown), yet with every byte written and
every exit handler run, and with Python's own exit when mlsd runs inside another program."""

from __future__ import annotations

import pstats
import subprocess
import sys

import pytest
from click.testing import CliRunner
from mlsd_testing import MLSD, ROOT

from mlsd_diagram.cli import main


def test_everything_printed_reaches_a_pipe_and_the_status_is_kept(tmp_path):
    expected = CliRunner().invoke(main, ["rules"]).output
    done = subprocess.run([*MLSD, "rules"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout == expected and done.stderr == ""
    bad = tmp_path / "bad.yaml"
    bad.write_text("mlsd: 1\nname: x\ncomponents: {a: {kind: feture_store}}\n")
    done = subprocess.run([*MLSD, "validate", str(bad)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.startswith(f"{bad}:3:"), done.stderr


def test_a_reader_that_leaves_early_is_not_an_error():
    rules = subprocess.Popen([*MLSD, "rules"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert rules.stdout is not None and rules.stderr is not None
    rules.stdout.readline()
    rules.stdout.close()  # `mlsd rules | head -1`
    assert rules.wait(timeout=60) == 0
    assert rules.stderr.read() == b""


def test_a_profiler_running_mlsd_still_gets_to_write_its_profile(tmp_path):
    profile = tmp_path / "mlsd.prof"
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "mlsd_diagram", "kinds"],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    stats = pstats.Stats(str(profile))
    assert any(filename.endswith("entry.py") for filename, _, _ in stats.stats)  # type: ignore[attr-defined]


# A signal handler runs between any two bytecodes, also inside a weakref callback, where the exit it
# raises cannot propagate ("Exception ignored in: <function _get_module_lock.<locals>.cb ...>", seen
# once in CI: `mlsd report` ended with 2 on SIGHUP). The process must still end as the signal asks.
_SIGNAL_IN_A_CALLBACK = """
import os, signal, sys, weakref
from mlsd_diagram import entry
from mlsd_diagram.cli import main
main.callback(debug=False)  # installs mlsd's signal handlers
class Thing:
    pass
def callback(_):
    os.kill(os.getpid(), signal.SIG{name})
    for _ in range(10_000):  # the handler runs here, inside the callback
        pass
thing = Thing()
ref = weakref.ref(thing, callback)
del thing
print("carried on", flush=True)
entry.leave(0)
"""


@pytest.mark.parametrize("name, status", [("HUP", 129), ("TERM", 143), ("INT", 130)])
def test_a_signal_that_lands_where_python_cannot_raise_still_sets_the_exit_status(name, status):
    done = subprocess.run(
        [sys.executable, "-c", _SIGNAL_IN_A_CALLBACK.format(name=name)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout == "carried on\n"  # the exception was swallowed where it was raised: the work went on
    assert (done.returncode, done.stderr) == (status, "")
