"""The ``mlsd`` console script: Ctrl-C at any moment ends quietly, never with a traceback."""

from __future__ import annotations

import sys


def run() -> None:
    """Import the CLI and run it; an interrupt while importing exits with 130 and one line."""
    try:
        from .cli import main
    except KeyboardInterrupt:
        sys.stderr.write("mlsd: interrupted\n")
        raise SystemExit(130) from None
    main(prog_name="mlsd")
