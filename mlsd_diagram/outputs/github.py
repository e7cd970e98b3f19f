"""``mlsd lint --format github``: GitHub Actions workflow commands that annotate the pull request's files.

One line per finding, ``::error file=F,line=L,col=C,title=MLSD201 no-fallback::message``, as
GitHub documents them ("Workflow commands for GitHub Actions"). Every string in them may come from a
blueprint or a file name, so each is escaped twice: control characters and line breaks become visible
escapes (:func:`mlsd_diagram.printable.one_line`: no second command can start on a new line), then
GitHub's own percent-encoding (``%``, CR, LF; and ``:`` and ``,`` in the properties) keeps a value
from ending its field. Accepted findings are not annotated; findings in the baseline are notices.
"""

from __future__ import annotations

from collections.abc import Iterable, Set

from ..analyses.findings import Finding
from ..diagnostics import Diagnostic
from ..printable import one_line

COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    """A message: visible escapes for control characters, then ``%``, CR and LF percent-encoded."""
    return one_line(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value (file, title): as :func:`escape_data`, and ``:`` and ``,`` encoded too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, file: str, line: int, column: int, title: str, message: str) -> str:
    where = f"file={escape_property(file)},line={line},col={column}"
    return f"::{kind} {where},title={escape_property(title)}::{escape_data(message)}"


def workflow_commands(
    findings: Iterable[Finding], errors: Iterable[Diagnostic] = (), baselined: Set = frozenset()
) -> str:
    """The workflow commands for ``findings`` (and the located errors of invalid files), one per line."""
    lines = [_command("error", d.file, d.line, d.column, "mlsd: invalid blueprint", d.message) for d in sorted(errors)]
    for f in findings:
        if f.accepted:
            continue
        kind = "notice" if f in baselined else COMMANDS[f.severity]
        suffix = " [in baseline]" if f in baselined else ""
        lines.append(_command(kind, f.file, f.line, f.column, f"{f.rule} {f.name} ({f.severity}){suffix}", f.message))
    return "".join(line + "\n" for line in lines)
