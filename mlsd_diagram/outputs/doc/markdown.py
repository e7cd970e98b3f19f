"""Markdown escaping and the Jinja2 environment of the design doc.

Every ``{{ value }}`` a template prints goes through :func:`escape_inline`
unless it is a :class:`Md` (Markdown the generator built itself). Blueprint
text can therefore change what a reader sees, never the document's structure:
no heading, list, table cell, HTML or link can come out of a label or a note.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from ...printable import figure

# Characters that start inline structure anywhere in a line.
_ALWAYS = {
    "\\": "\\\\",
    "`": "\\`",
    "*": "\\*",
    "[": "\\[",
    "]": "\\]",
    "|": "\\|",
    "~": "\\~",
    "<": "&lt;",
    ">": "&gt;",
    "&": "&amp;",
}
_TABLE = str.maketrans(_ALWAYS)
# A '_' unless it sits between two letters or digits (where CommonMark never reads it as emphasis).
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
# Text starting like this could open a block (heading, list, thematic break, setext underline)
# if a template put it at the start of a line.
_LEADING = re.compile(r"^(?:[#+=-](?![A-Za-z0-9])|\d{1,9}(?=[.)](?:\s|$)|$))")
_CODE_SAFE = re.compile(r"^[^`|\\]+$")


class Md(Markup):
    """A fragment of Markdown built by the generator: printed as is, never escaped.

    A :class:`markupsafe.Markup` so that Jinja's own machinery (macros, ``{% set %}``
    blocks) treats it, and everything a template writes itself, as already safe.
    Build it with f-strings, not ``+`` or ``%`` (those would HTML-escape the other side).
    """

    __slots__ = ()


def escape_inline(text: Any) -> str:
    """``text`` as one line of literal Markdown text, safe in a paragraph, a list item or a table cell.

    Whitespace runs (newlines included) collapse to one space; ``\\ ` * [ ] | ~`` get a
    backslash, ``< > &`` become entities; ``_`` gets a backslash unless it sits inside a word
    (where CommonMark never reads it as emphasis); a leading ``#``, ``-``, ``+``, ``=`` or
    ``1.`` is escaped so that the text cannot open a heading, list or thematic break (a text
    of digits only gets its first digit as an entity, as the template may follow it with ``.``).
    """
    flat = " ".join(str(text).split())
    # The replacements start and end with a non-alphanumeric character, as the replaced ones are, so
    # whether a '_' sits inside a word reads the same before and after them.
    escaped = _UNDERSCORE.sub(r"\\_", flat.translate(_TABLE))
    lead = _LEADING.match(escaped)
    if lead:
        token = lead.group(0)
        if token == escaped:  # all digits: a template's "." after it would make "1." a list item
            escaped = f"&#{ord(token[0])};{token[1:]}"
        elif token[0].isdigit():  # "1." or "1)": escape the delimiter, not the digits
            escaped = token + "\\" + escaped[len(token) :]
        else:
            escaped = "\\" + escaped
    return escaped


def code(text: Any) -> Md:
    """``text`` as an inline code span when it can be one safely (ids, kinds, rule ids), else escaped text."""
    flat = " ".join(str(text).split())
    if flat and _CODE_SAFE.match(flat):
        return Md(f"`{flat}`")
    return Md(escape_inline(flat))


def heading(text: Any) -> Md:
    """``text`` as the content of an ATX heading (``#### ...``): a code span as :func:`code` makes it, else
    escaped text with every ``#`` escaped too (a trailing `` #`` would be read as the heading's closing
    sequence and dropped)."""
    made = code(text)
    return made if made.startswith("`") else Md(made.replace("#", "\\#"))


def format_number(value: float | int) -> str:
    """``300000000`` -> ``300,000,000``; ``99.950`` -> ``99.95``; integral floats print as integers."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value >= sys.float_info.max:
            return figure(value)  # the serving model's "never": a request that hangs
        if math.isfinite(value) and value.is_integer():
            return f"{int(value):,}"
        return f"{value:,.6g}" if abs(value) >= 1000 else f"{value:.6g}"
    return f"{value:,}"


def fence(content: str, info: str = "") -> Md:
    """A fenced code block around ``content``, with a fence longer than any backtick run inside."""
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    marks = "`" * max(3, longest + 1)
    body = content if content.endswith("\n") else content + "\n"
    return Md(f"{marks}{info}\n{body}{marks}")


def _finalize(value: Any) -> Markup:
    if value is None:
        return Md("")
    if isinstance(value, Markup):  # Md, a macro's output, a {% set %} block: written by the template
        return value
    if isinstance(value, (bool, int, float)):
        return Md(format_number(value))
    return Md(escape_inline(value))


def _join(values: Iterable[Any], separator: str = ", ") -> Md:
    """Like Jinja's ``join``, but escapes each plain item and keeps :class:`Md` items.

    The separator is template text, not escaped."""
    return Md(str(separator).join(_finalize(v) for v in values))


def _numbers(value: Any) -> Md:
    return Md(format_number(value)) if isinstance(value, (int, float)) else Md(_finalize(value))


def environment(template_dirs: Iterable[str | Path] = ()) -> jinja2.Environment:
    """The Jinja2 environment: Markdown escaping of every printed value, strict about undefined names.

    Jinja's autoescaping is on so that macro output counts as safe; ``finalize`` does the
    Markdown escaping (HTML escaping then leaves the result alone).

    Filters: ``code`` (inline code span), ``md`` (trust a string as Markdown: use only on
    text you wrote in the template), ``join`` (escaping join), ``number``. Sandboxed
    (``jinja2.sandbox.ImmutableSandboxedEnvironment``): an unsafe access raises
    ``jinja2.exceptions.SecurityError``.
    """
    loaders: list[jinja2.BaseLoader] = (
        [jinja2.FileSystemLoader([str(d) for d in template_dirs])] if template_dirs else []
    )
    loaders.append(jinja2.PackageLoader("mlsd_diagram.outputs", "templates"))
    # Sandboxed and immutable: a template (``doc --template`` may come with a pull request) reads the
    # context's values and calls their harmless methods, never an attribute starting with ``_``
    # (``''.__class__.__mro__`` ...), a function's internals or a method that changes a value.
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        autoescape=True,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(code=code, md=Md, join=_join, number=_numbers)
    return env


def tidy(markdown: str) -> str:
    """Strip trailing spaces, keep at most one blank line between blocks, end with one newline."""
    lines = [line.rstrip() for line in markdown.replace("\r\n", "\n").split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return text.strip("\n") + "\n"


__all__ = ["Md", "code", "environment", "escape_inline", "fence", "format_number", "tidy"]
