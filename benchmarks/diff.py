#!/usr/bin/env python3
"""`mlsd diff` in-process on two 1,000-component blueprints (target: under 1 s).

The old side is benchmarks/lint.py's synthetic design (40 copies of a 25-component ML system);
the new side changes it the way a large pull request would: one module removed, one added, a
component renamed in every module, a latency raised in every fourth module, a flow's mode changed
in every fifth. Prints the best of a few runs of the whole comparison (both lints, simulations and
scores included; parsing not) and what it found, then the Markdown report's size.

    python benchmarks/diff.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.lint import synthetic  # noqa: E402
from benchmarks.timing import best_of  # noqa: E402
from mlsd_diagram import loads  # noqa: E402
from mlsd_diagram.analyses.diff import diff_blueprints  # noqa: E402
from mlsd_diagram.outputs.diff_report import diff_markdown  # noqa: E402


def changed(text: str) -> str:
    """The synthetic design after a large change."""
    text = re.sub(r"\btracker(\d+)\b", r"experiments\1", text)  # renamed everywhere
    text = re.sub(r"(ranker(\d*[048]): \{kind: ranking_service, replicas: 4, latency_p99_ms: )40", r"\g<1>90", text)
    text = re.sub(r"(from: stream(\d*[05]), to: features\2, mode: )stream", r"\1batch", text)
    lines = [line for line in text.splitlines(keepends=True) if not re.search(r"\b[a-z]+0\b", line)]
    return "".join(lines).replace("components:\n", "components:\n  spare_cache: {kind: cache, replicas: 2}\n")


def main() -> None:
    old_text = synthetic(1_000)
    new_text = changed(old_text)
    old, new = loads(old_text, "old.yaml"), loads(new_text, "new.yaml")
    print(
        f"old: {len(old.components)} components, {len(old.flows)} flows; "
        f"new: {len(new.components)} components, {len(new.flows)} flows"
    )

    def run() -> dict:
        # fresh blueprints each time: nothing cached from an earlier run
        return diff_blueprints(loads(old_text, "old.yaml"), loads(new_text, "new.yaml"))

    parse = best_of(lambda: (loads(old_text, "old.yaml"), loads(new_text, "new.yaml")), 3)
    total = best_of(run, 3)
    result = run()
    s = result["summary"]
    print(
        f"diff: {total - parse:.3f} s (best of 3, parsing both sides excluded: {parse:.3f} s; "
        f"with it {total:.3f} s); target under 1 s"
    )
    print(
        f"found: components {s['components']}, flows {s['flows']}, findings {s['findings']}, "
        f"latency changes {len(result['analyses']['latency'])}, knock-out changes {len(result['analyses']['knock_outs'])}"
    )
    markdown = diff_markdown([result])
    print(f"Markdown report: {len(markdown):,} characters (limit 65,536)")


if __name__ == "__main__":
    main()
