"""The ``mlsd`` console script: Ctrl-C at any moment ends quietly, never with a traceback."""

from __future__ import annotations

import os
import sys


def run() -> None:
    """Import the CLI and run it; an interrupt while importing exits with 130 and one line."""
    # pydantic looks for plugins in the entry points of every installed package the first time a
    # model validates (a scan of all dist-info folders, a sizeable part of a `mlsd lint` run);
    # mlsd's models use none. A value the user set is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        from .cli import main
    except KeyboardInterrupt:
        sys.stderr.write("mlsd: interrupted\n")
        raise SystemExit(130) from None
    main(prog_name="mlsd")
