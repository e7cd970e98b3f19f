"""Located diagnostics: what every stage returns instead of printing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .printable import one_line


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One located problem in a blueprint file (line and column are 1-based)."""

    file: str
    line: int
    column: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        """``FILE:LINE:COL: SEVERITY: MESSAGE`` on one line, whatever the file name or message hold."""
        return one_line(f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}")


class BlueprintError(Exception):
    """Raised by the loader when a blueprint is invalid; carries every diagnostic."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = sorted(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return "; did you mean 'x'?" for the closest candidate, or an empty string.

    For many lookups in one set of names, build a :class:`Suggestions` once instead.
    """
    return Suggestions(candidates).hint(word)


class Suggestions:
    """ "Did you mean" over a fixed set of names, at a cost that does not grow with errors x names.

    Up to ``EXHAUSTIVE`` names every name is compared (difflib's ratio, cutoff 0.6). Above it the
    names within one edit (a letter added, dropped, changed, or two swapped) are found through an
    index of each name with one letter deleted, built once, and the closest of those is offered;
    a farther misspelling among that many names gets no hint rather than a scan of them all.
    """

    EXHAUSTIVE = 300
    # Names compared in all, over every look-up: 100,000 misspelled rule names among a few hundred
    # would otherwise cost minutes. Past it, further misspellings get no hint (the same ones each run).
    BUDGET = 2_000_000

    def __init__(self, candidates: Iterable[str]) -> None:
        self._names = sorted({c for c in candidates if isinstance(c, str)})
        self._spent = 0
        self._found: dict[str, str | None] = {}
        self._deletions: dict[str, list[str]] | None = None
        if len(self._names) > self.EXHAUSTIVE:
            self._deletions = {}
            for name in self._names:  # sorted, so every list is sorted
                for variant in dict.fromkeys(_one_deleted(name)):
                    self._deletions.setdefault(variant, []).append(name)

    def closest(self, word: str) -> str | None:
        """The closest name to ``word``, or ``None`` when none is close."""
        if not isinstance(word, str):
            return None
        if word in self._found:
            return self._found[word]
        import difflib

        names = self._names
        if self._deletions is not None:
            near: set[str] = set()
            for variant in _one_deleted(word):
                near.update(self._deletions.get(variant, ()))
            names = sorted(near)
        self._spent += len(names)
        if self._spent > self.BUDGET:
            return None
        close = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
        self._found[word] = close[0] if close else None
        return self._found[word]

    def hint(self, word: str) -> str:
        """``; did you mean 'x'?`` or an empty string."""
        found = self.closest(word)
        return f"; did you mean '{found}'?" if found is not None else ""


def _one_deleted(word: str) -> list[str]:
    """``word`` itself and ``word`` with each one letter deleted (two words are within one edit,
    or a swap, when these lists share an entry)."""
    return [word, *(word[:i] + word[i + 1 :] for i in range(len(word)))]
