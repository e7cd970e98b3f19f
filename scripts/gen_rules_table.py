#!/usr/bin/env python3
"""Regenerate the README's rule table (between <!-- BEGIN rules --> and <!-- END rules -->) from the code.

python scripts/gen_rules_table.py          # rewrite README.md in place
python scripts/gen_rules_table.py --check  # exit 1 when the table is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlsd_diagram.analyses.rules import rules_markdown  # noqa: E402
from mlsd_diagram.outputs.files import write_atomic  # noqa: E402

BEGIN, END = "<!-- BEGIN rules -->\n", "<!-- END rules -->"


def main(argv: list[str]) -> int:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        print(f"{readme}: markers {BEGIN.strip()} / {END} not found", file=sys.stderr)
        return 2
    start = text.index(BEGIN) + len(BEGIN)
    end = text.index(END)
    fresh = text[:start] + rules_markdown() + text[end:]
    if "--check" in argv:
        if fresh != text:
            print("README rule table is stale: run python scripts/gen_rules_table.py", file=sys.stderr)
            return 1
        return 0
    if fresh != text:
        write_atomic(readme, fresh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
