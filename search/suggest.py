"""Suggest what a person meant when a query finds nothing: Hangul typed on an English layout."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

_LATIN_WORDS = re.compile(r"^[A-Za-z\s]+$")


@lru_cache(maxsize=1)
def _inko():
    from inko import Inko

    return Inko()


def keyboard_suggestion(query: str, has_hits: Callable[[str], bool]) -> str | None:
    """Return the query retyped in Hangul (2-beolsik layout) if that finds something, else None."""
    text = query.strip()
    if not text or not _LATIN_WORDS.match(text):
        return None
    hangul = _inko().en2ko(text)
    if hangul == text or re.search("[ㄱ-ㅣ]", hangul) or not re.search("[가-힣]", hangul):
        return None  # unchanged, or not whole syllables: not Hangul typed on the wrong layout
    return hangul if has_hits(hangul) else None
