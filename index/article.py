"""The article value that every reader yields and the index stores."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    """A heading and the text under it; the lead before the first heading has heading ``""``."""

    heading: str
    text: str


@dataclass(frozen=True)
class Article:
    """One article: its stable id, title, metadata and sections."""

    id: str
    title: str
    sections: tuple[Section, ...]
    date: str | None = None  # ISO date, YYYY-MM-DD
    source: str | None = None
    url: str | None = None
    path: str | None = field(default=None, compare=False)  # file it came from
    notes: tuple[str, ...] = field(default=(), compare=False)  # what was read, but not as written

    @property
    def text(self) -> str:
        """Return all headings and texts joined, for hashing and statistics."""
        return "\n".join(f"{s.heading}\n{s.text}" for s in self.sections)


@dataclass(frozen=True)
class Skipped:
    """A file (or line) that could not be read, with the reason a person can act on."""

    path: str  # "file", or "file:line" for a line of a JSON Lines file
    reason: str
    line: int | None = None  # the line, for a line of a JSON Lines file
