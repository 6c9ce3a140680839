"""The error a reader raises for a file it cannot turn into an article."""

from __future__ import annotations


class ReadError(ValueError):
    """A file (or line) holds no readable article; the message says why and what to do."""
