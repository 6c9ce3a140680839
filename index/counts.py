"""Counts a person reads in messages: "1 article", "2 articles", and what was skipped, files and lines apart."""

from __future__ import annotations

from collections.abc import Iterable

from .article import Skipped


def plural(n: int, word: str, many: str | None = None) -> str:
    """Return "1 file", "2 files" (``many`` for an irregular plural)."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def skipped_summary(skipped: Iterable[Skipped]) -> str:
    """Return what was skipped: "2 files", or "1 file and 13 lines" when lines of JSON Lines files were."""
    skipped = list(skipped)
    lines = sum(1 for s in skipped if s.line is not None)
    files = len({s.path for s in skipped if s.line is None})
    return plural(files, "file") + (f" and {plural(lines, 'line')}" if lines else "")
