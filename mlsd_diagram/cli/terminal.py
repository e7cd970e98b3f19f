"""What reaches the terminal: text from a blueprint never drives it.

A label or an accept reason may hold escape sequences (OSC 52 writes the clipboard, CSI moves the
cursor or hides text) or bidirectional overrides that reorder what a line seems to say. Every
printer of the CLI goes through :func:`echo`, which writes each such character as a visible
escape (``\\x1b``, ``\\u202e``): shown, never obeyed. Inside JSON those escapes read back as the
same characters.
"""

from __future__ import annotations

import re

import click

# C0 controls but tab and newline, DEL, C1 controls (CSI U+009B and OSC U+009D among them), and the
# bidirectional embeddings, overrides and isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str) -> str:
    """``text`` with every control character and bidi override written as a visible escape."""
    return _UNSAFE.sub(_visible, text)


def echo(message: object = "", err: bool = False, nl: bool = True) -> None:
    """``click.echo`` of :func:`terminal_text`: the one way the CLI prints."""
    click.echo(terminal_text(str(message)), err=err, nl=nl)
