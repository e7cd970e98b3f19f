"""Start-up benchmark: whole-process times of `mlsd` commands against what they cannot avoid.

    .venv/bin/python benchmarks/startup.py [--repeat 15] [--blueprint blueprints/news_feed.yaml]

Each command runs as its own process (as a user or a pre-commit hook runs it) and is set against,
in the same run, the floor it cannot go below:

* ``mlsd --version`` and ``mlsd --help``: ``python -c "import click"``;
* ``mlsd validate`` and ``mlsd lint`` of the blueprint: ``python -c "import click, yaml, pydantic, networkx"``;
* ``mlsd render`` (PNG and SVG) of the blueprint: that import line plus ``diagrams, graphviz``, followed
  by plain ``dot -Tpng -Tsvg`` on the very DOT that ``mlsd render -f dot`` writes.

Rounds are interleaved (every command once per round, in alternating order) and each figure is
the best round; the ratio is ours / floor. Targets: 1.5x for --version, --help and lint; 1.2x for
render. The package's bytecode is compiled first, as an install does.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MLSD = str(BIN / "mlsd")
PY = sys.executable
TARGETS = {"--version": 1.5, "--help": 1.5, "validate": None, "lint": 1.5, "render": 1.2}


def run(argv: list[str], cwd: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):  # lint exits 1 on findings
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--blueprint", default=str(ROOT / "blueprints" / "news_feed.yaml"))
    args = parser.parse_args()
    blueprint = os.path.abspath(args.blueprint)
    stem = Path(blueprint).stem
    # Bytecode as an installed package has it (pip compiles on install). An editable checkout writes it
    # on first import, unless PYTHONDONTWRITEBYTECODE is set: then every run would compile each module
    # edited since, and the figures would measure the compiler.
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "mlsd_diagram")], check=True)
    with tempfile.TemporaryDirectory(prefix="mlsd-startup-") as tmp:
        out = os.path.join(tmp, "out")
        plain = os.path.join(tmp, "plain")
        os.makedirs(plain)
        subprocess.run(
            [MLSD, "render", blueprint, "-f", "dot", "-o", plain], check=True, cwd=tmp, stdout=subprocess.DEVNULL
        )
        dot_file = os.path.join(plain, f"{stem}.dot")
        floors = {
            "click": [PY, "-c", "import click"],
            "parse": [PY, "-c", "import click, yaml, pydantic, networkx"],
            "render-imports": [PY, "-c", "import click, yaml, pydantic, networkx, diagrams, graphviz"],
            "dot": [
                "dot",
                "-Tpng",
                "-o",
                os.path.join(plain, "x.png"),
                "-Tsvg",
                "-o",
                os.path.join(plain, "x.svg"),
                dot_file,
            ],
        }
        ours = {
            "--version": [MLSD, "--version"],
            "--help": [MLSD, "--help"],
            "validate": [MLSD, "validate", blueprint],
            "lint": [MLSD, "lint", blueprint],
            "render": [MLSD, "render", blueprint, "-f", "png", "-f", "svg", "-o", out],
        }
        # The DOT export references its icons relative to its folder when it can; run dot from there.
        jobs = {**{f"floor:{k}": v for k, v in floors.items()}, **ours}
        best: dict[str, float] = {}
        names = list(jobs)
        for round_no in range(args.repeat):
            for name in names if round_no % 2 == 0 else reversed(names):
                cwd = plain if name == "floor:dot" else tmp
                elapsed = run(jobs[name], cwd)
                best[name] = min(best.get(name, elapsed), elapsed)
    floor_of = {
        "--version": best["floor:click"],
        "--help": best["floor:click"],
        "validate": best["floor:parse"],
        "lint": best["floor:parse"],
        "render": best["floor:render-imports"] + best["floor:dot"],
    }
    what = {
        "--version": 'python -c "import click"',
        "--help": 'python -c "import click"',
        "validate": 'python -c "import click, yaml, pydantic, networkx"',
        "lint": 'python -c "import click, yaml, pydantic, networkx"',
        "render": "that + diagrams, graphviz; then plain dot -Tpng -Tsvg",
    }
    print(
        f"Start-up of mlsd {Path(blueprint).name} commands, best of {args.repeat} interleaved rounds "
        f"({sys.version.split()[0]}):"
    )
    print(f"  {'command':<10} {'ours':>8} {'floor':>8} {'ratio':>6} {'target':>7}  floor is")
    status = 0
    for name in ours:
        ratio = best[name] / floor_of[name]
        target = TARGETS[name]
        mark = "" if target is None else ("  ok" if ratio <= target else "  OVER")
        status |= int(target is not None and ratio > target)
        print(
            f"  {name:<10} {best[name]:>7.3f}s {floor_of[name]:>7.3f}s {ratio:>5.2f}x "
            f"{'' if target is None else f'{target:.1f}x':>7}  {what[name]}{mark}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
