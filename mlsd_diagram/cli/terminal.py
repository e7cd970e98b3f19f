"""What reaches the terminal: text from a blueprint never drives it (see :mod:`mlsd_diagram.printable`).

Every printer of the CLI goes through :func:`echo`, which writes each control character and
bidirectional override as a visible escape (``\\x1b``, ``\\u202e``): shown, never obeyed.
"""

from __future__ import annotations

import click

from ..printable import visible as terminal_text

__all__ = ["echo", "terminal_text"]


def echo(message: object = "", err: bool = False, nl: bool = True) -> None:
    """``click.echo`` of :func:`terminal_text`: the one way the CLI prints."""
    click.echo(terminal_text(str(message)), err=err, nl=nl)
