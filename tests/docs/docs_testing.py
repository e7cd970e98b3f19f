"""Shared by the docs tests: the transcripts of the README and the docs, and how one is run and compared."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from mlsd_testing import MLSD, ROOT

# Where transcripts live: the README and every hand-written page (the generated reference shows `-h` text only).
PAGES = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").rglob("*.md") if "reference" not in p.parts)]
BLOCK = re.compile(r"^```console\n(.*?)^```$", re.S | re.M)
# What a transcript may read: the repository's bundled files, through links in its own scratch folder.
SHARED = ["blueprints", "tests"]


@dataclass(frozen=True)
class Step:
    command: str
    expected: str


@dataclass(frozen=True)
class Transcript:
    page: Path
    line: int
    steps: tuple[Step, ...]

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def transcripts(text: str, page: Path) -> list[Transcript]:
    """Every ```console block of ``text``: its ``$ mlsd ...`` commands and the output shown after each."""
    found = []
    for match in BLOCK.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        steps: list[Step] = []
        command, output = None, []
        for row in match.group(1).splitlines():
            if row.startswith("$ "):
                if command is not None:
                    steps.append(Step(command, "".join(x + "\n" for x in output)))
                command, output = row[2:], []
            else:
                assert command is not None, f"{page}:{line}: output before the first $ command"
                output.append(row)
        if command is not None:
            steps.append(Step(command, "".join(x + "\n" for x in output)))
        found.append(Transcript(page, line, tuple(steps)))
    return found


def all_transcripts() -> list[Transcript]:
    return [t for page in PAGES for t in transcripts(page.read_text(encoding="utf-8"), page)]


def run_transcript(transcript: Transcript, scratch: Path) -> list[tuple[str, str, str]]:
    """Run each step in ``scratch`` (one folder for the whole block: a step sees what the ones before wrote);
    return ``(command, expected, actual)`` for each step whose output differs (standard output and error
    as a terminal shows them, interleaved; the scratch folder's path written as ``.``)."""
    for name in SHARED:
        if not (scratch / name).exists():
            (scratch / name).symlink_to(ROOT / name)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "FORCE_COLOR": "", "COLUMNS": "100"}
    differences = []
    for step in transcript.steps:
        words = shlex.split(step.command)
        assert words[0] == "mlsd", f"{transcript.name}: a transcript runs mlsd only: {step.command}"
        done = subprocess.run(
            [*MLSD, *words[1:]], cwd=scratch, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300
        )
        actual = done.stdout.decode("utf-8").replace(str(scratch.resolve()) + os.sep, "").replace(str(scratch), ".")
        if actual != step.expected:
            differences.append((step.command, step.expected, actual))
    return differences
