"""Practice-mode benchmark: whole-process time of grading a 40-component design.

    .venv/bin/python benchmarks/practice.py [--repeat 7] [--components 40]

The design is the news-feed case's reference (31 components) grown to ``--components`` with extra
upstream sources feeding its lake, graded against its own case, so both designs the grader reads
(the candidate and the reference) are full-size. Each run is its own process, as a candidate runs
it: ``mlsd practice check FILE --case news_feed --format json``. Printed: the best and the median
run, the floor every command pays (``python -c "import click, yaml, pydantic, networkx"``) and
``mlsd lint`` of the same file (grading lints both designs and simulates both).
Target: under 1 s whole process.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MLSD = str(Path(sys.executable).parent / "mlsd")
STARTER = ROOT / "mlsd_diagram" / "starters" / "blueprints" / "news_feed.yaml"


def design(components: int) -> str:
    """The news-feed reference with extra sources, each feeding the lake, up to ``components``."""
    text = STARTER.read_text(encoding="utf-8")
    base = text.count("\n  ") and len(__import__("yaml").safe_load(text)["components"])
    extra = max(0, components - base)
    comps = "".join(
        f"  source_{i}: {{kind: data_source, label: Extra source {i}, group: data}}\n" for i in range(extra)
    )
    flows = "".join(f"  - {{from: source_{i}, to: lake, mode: batch, data: extra table {i}}}\n" for i in range(extra))
    text = text.replace("\ncomponents:\n", "\ncomponents:\n" + comps, 1)
    return text.replace("\nflows:\n", "\nflows:\n" + flows, 1)


def run(argv: list[str], ok: tuple[int, ...] = (0, 1)) -> float:
    """Wall time of one process; exit 1 (lint findings) counts as a run, anything else stops."""
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--components", type=int, default=40)
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "mlsd_diagram")], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mine.yaml"
        path.write_text(design(args.components), encoding="utf-8")
        check = [MLSD, "practice", "check", str(path), "--case", "news_feed", "--format", "json"]
        floor = [sys.executable, "-c", "import click, yaml, pydantic, networkx"]
        lint = [MLSD, "lint", str(path)]
        times, floors, lints = [], [], []
        for _ in range(args.repeat):  # interleaved: a busy moment of the shared machine hits all three
            times.append(run(check))
            floors.append(run(floor))
            lints.append(run(lint))
        count = len(__import__("yaml").safe_load(path.read_text(encoding="utf-8"))["components"])
    print(f"practice check of a {count}-component design (news_feed), {args.repeat} runs, whole process:")
    print(f"  best {min(times):.3f} s, median {statistics.median(times):.3f} s (target: under 1 s)")
    print(f"  floor (import click, yaml, pydantic, networkx): best {min(floors):.3f} s")
    print(f"  mlsd lint of the same file: best {min(lints):.3f} s")
    print(f"  ratio best / floor: {min(times) / min(floors):.2f}x; best / lint: {min(times) / min(lints):.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
