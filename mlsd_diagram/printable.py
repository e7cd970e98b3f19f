"""Text that reaches a terminal or a CI log: what a blueprint or a file name says is shown, never obeyed.

A label or an accept reason may hold escape sequences (OSC 52 writes the clipboard, CSI moves the
cursor or hides text) or bidirectional overrides that reorder what a line seems to say; a file name
may hold a line feed, and on a GitHub Actions runner a line of the log that starts with ``::``
(``::error title=...::``, ``::stop-commands::``) is a command to the runner. :func:`visible` writes
each control character and bidi override as a visible escape (``\\x1b``, ``\\u202e``);
:func:`one_line` writes line breaks that way too, for a string that must stay on its line (a file
name, a value, a message). Inside JSON those escapes read back as the same characters.
"""

from __future__ import annotations

import re
import sys

# C0 controls but tab and newline, DEL, C1 controls (CSI U+009B and OSC U+009D among them), and the
# bidirectional embeddings, overrides and isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# The same and every line break: LF, and the separators str.splitlines and some readers split on.
_UNSAFE_IN_A_LINE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every control character (but tab and newline) and bidi override written as a visible escape."""
    return _UNSAFE.sub(_escape, text)


def one_line(text: str) -> str:
    """``text`` as :func:`visible` writes it, line breaks (``\\n``, ``\\r``, U+2028, ...) escaped too: one line."""
    return _UNSAFE_IN_A_LINE.sub(_escape, text)


NEVER = "\u221e"  # how a time that never comes is written


def figure(value: object) -> str:
    """A figure as text, the serving model's "never" (the largest float, :func:`~.analyses.serving.graph._number`:
    a request that hangs, or a sum past what a float holds) written as ``∞``, not as 309 digits."""
    if isinstance(value, float) and value >= sys.float_info.max:
        return NEVER
    return str(value)
