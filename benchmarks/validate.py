"""Load + validate time for synthetic blueprints of 100, 1,000 and 5,000 components.

Target: 5,000 components in under 1 s, growth close to linear. Prints the best
of several runs and the time ratios between sizes (10x and 5x more components).
Run: .venv/bin/python benchmarks/validate.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_blueprint  # noqa: E402
from timing import best_of  # noqa: E402

import mlsd_diagram  # noqa: E402


def main() -> None:
    sizes = (100, 1_000, 5_000)
    results = {}
    print(f"{'components':>10} {'flows':>6} {'bytes':>9} {'load+validate':>14} {'+graph':>9} {'per comp':>9}")
    for n in sizes:
        text = synthetic_blueprint(n).encode()
        bp = mlsd_diagram.loads(text, name=f"synthetic-{n}.yaml")
        t_load = best_of(lambda: mlsd_diagram.loads(text, name="s.yaml"), 5 if n < 5000 else 3)
        t_graph = best_of(lambda: mlsd_diagram.loads(text, name="s.yaml").graph, 3)
        results[n] = t_load
        print(
            f"{n:>10} {len(bp.flows):>6} {len(text):>9} {t_load * 1000:>11.1f} ms {t_graph * 1000:>6.1f} ms "
            f"{t_load / n * 1e6:>6.1f} us"
        )
    print(f"ratio 1,000/100: {results[1000] / results[100]:.2f} (10x components)")
    print(f"ratio 5,000/1,000: {results[5000] / results[1000]:.2f} (5x components)")
    verdict = "meets" if results[5000] < 1.0 else "MISSES"
    print(f"5,000 components: {results[5000]:.3f} s ({verdict} the 1 s target)")


if __name__ == "__main__":
    main()
