"""What reaches the terminal: text from a blueprint never drives it (see :mod:`mlsd_diagram.printable`).

Every printer of the CLI goes through :func:`echo`, which writes each control character and
bidirectional override as a visible escape (``\\x1b``, ``\\u202e``): shown, never obeyed. Colour is
added after that escaping, by :func:`paint`, and only where :func:`colour_enabled` says so.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

import click

from ..printable import visible as terminal_text

__all__ = ["colour_enabled", "echo", "paint", "terminal_text"]

SEVERITY_STYLE: dict[str, dict[str, Any]] = {
    "error": {"fg": "red", "bold": True},
    "warning": {"fg": "yellow"},
    "note": {"fg": "cyan"},
}


def colour_enabled(err: bool = False) -> bool:
    """Colour on a terminal; ``FORCE_COLOR`` (any value but empty) turns it on anywhere, ``NO_COLOR`` off.

    As https://no-color.org and https://force-color.org describe: ``NO_COLOR`` wins over a terminal,
    ``FORCE_COLOR`` over a pipe; when both are set, ``NO_COLOR`` wins.
    """
    if os.environ.get("NO_COLOR", ""):
        return False
    if os.environ.get("FORCE_COLOR", ""):
        return True
    stream = sys.stderr if err else sys.stdout
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def echo(message: object = "", err: bool = False, nl: bool = True, colour: bool = False) -> None:
    """``click.echo`` of :func:`terminal_text`: the one way the CLI prints.

    ``colour=True``: the message was escaped already and holds only the styles :func:`paint` added.
    """
    text = str(message) if colour else terminal_text(str(message))
    click.echo(text, err=err, nl=nl, color=colour_enabled(err) if colour else None)


def paint(text: str, **style: object) -> str:
    """``text`` in ``style`` (click.style's arguments); the caller prints it with ``echo(..., colour=True)``."""
    return click.style(text, **style)  # type: ignore[arg-type]


_FINDING = re.compile(r"^(?P<where>.*?:\d+:\d+: )(?P<rule>MLSD\d+ [\w-]+) \((?P<severity>error|warning|note)\)")


def paint_finding(line: str) -> str:
    """A finding's line, escaped, with its rule id and severity in colour."""
    line = terminal_text(line)
    match = _FINDING.match(line)
    if match is None:
        return line
    severity = match["severity"]
    return (
        match["where"]
        + paint(match["rule"], bold=True)
        + " "
        + paint(f"({severity})", **SEVERITY_STYLE[severity])
        + line[match.end() :]
    )
