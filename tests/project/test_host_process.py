"""A program that imports the library and calls load, lint and render keeps its process as it set it:
garbage collector, signal handlers, unraisable hook and exit (issue 31). The host runs in a fresh
Python process, so nothing the test session did leaks in; the command itself (cli/process.py) is
checked to take these over, so the test cannot pass by testing nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mlsd_testing import ROOT

HOST = r"""
import atexit, gc, json, signal, sys, threading

def handler(signum, frame):
    pass

def hook(unraisable):
    pass

signal.signal(signal.SIGTERM, handler)
signal.signal(signal.SIGINT, handler)
signal.signal(signal.SIGHUP, handler)
sys.unraisablehook = hook
gc.disable()  # the host's own choice, e.g. a latency-sensitive service
import logging, weakref  # the standard library's own exit handlers (logging, weakref.finalize), registered once
weakref.finalize(handler, lambda: None)
exit_handlers = atexit._ncallbacks()

import mlsd_diagram
from mlsd_diagram import load
from mlsd_diagram.analyses.lint import lint
from mlsd_diagram.outputs.diagram import render_svg_text

state = {"gc_seen_during_load": None}
blueprint = load(sys.argv[1])
findings = lint(blueprint)
svg = render_svg_text(blueprint)
svg_again = render_svg_text(blueprint)  # no one-way stop latch was set by the first render
gc.enable()
gc.collect()
report = {
    "findings": len(findings),
    "svg": svg.count("class=\"node\""),
    "svg_again": svg_again == svg,
    "gc_enabled_after_enable": gc.isenabled(),
    "frozen": gc.get_freeze_count(),
    "handlers": [signal.getsignal(s) is handler for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)],
    "hook": sys.unraisablehook is hook,
    "exit_handlers_added": atexit._ncallbacks() - exit_handlers,
    "modules_cli": sorted(m for m in sys.modules if m.startswith("mlsd_diagram.cli") or m == "mlsd_diagram.entry"),
}
gc.disable()
blueprint = load(sys.argv[1])
report["gc_still_disabled"] = not gc.isenabled()
atexit.register(lambda: print("host exit handler ran", flush=True))
print(json.dumps(report), flush=True)
sys.exit(7)
"""


def _host(tmp_path: Path, code: str, *args: str) -> subprocess.CompletedProcess:
    script = tmp_path / "host.py"
    script.write_text(code, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(script), *args], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )


def test_a_host_program_keeps_its_collector_handlers_hook_and_exit(tmp_path: Path) -> None:
    done = _host(tmp_path, HOST, str(ROOT / "blueprints" / "news_feed.yaml"))
    assert done.returncode == 7, done.stderr  # the host's own exit code: no os._exit, no SystemExit of ours
    lines = done.stdout.splitlines()
    assert lines[-1] == "host exit handler ran"  # the host's exit handlers ran: the interpreter exited normally
    report = json.loads(lines[0])
    assert report["svg"] > 10 and report["svg_again"] is True  # the calls did their work, twice
    assert report["findings"] >= 0
    assert report["handlers"] == [True, True, True]
    assert report["hook"] is True
    assert report["exit_handlers_added"] == 0  # no exit handler of ours in the host's exit
    assert report["frozen"] == 0  # nothing moved out of the collector's sight
    assert report["gc_enabled_after_enable"] is True
    assert report["gc_still_disabled"] is True  # a load did not turn the host's disabled collector on
    assert report["modules_cli"] == []  # the command's process code was never imported


COMMAND = r"""
import gc, signal, sys
from click.testing import CliRunner
from mlsd_diagram.cli import main
from mlsd_diagram import collector

before = signal.getsignal(signal.SIGTERM)
result = CliRunner().invoke(main, ["validate", sys.argv[1]])
print(result.exit_code, signal.getsignal(signal.SIGTERM) is not before, sys.unraisablehook is not sys.__unraisablehook__,
      collector._PAUSING == [True])
"""


def test_the_command_does_take_its_process_over(tmp_path: Path) -> None:
    """What the host test checks is absent is really what the command installs."""
    done = _host(tmp_path, COMMAND, str(ROOT / "blueprints" / "news_feed.yaml"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "True", "True", "True"]
