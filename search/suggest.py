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


def layout_hangul(text: str) -> list[str]:
    """Return the Hangul that Latin letters type on the 2-beolsik layout, as typed and in lower case.

    Caps Lock ("RLAWKD") or a capital first letter ("Rlawkd") types doubled consonants that
    were not meant, so the lower-case reading is offered too. Only readings of whole syllables count.
    """
    out = []
    for variant in dict.fromkeys((text, text.lower())):
        hangul = _inko().en2ko(variant)
        if hangul != variant and not re.search("[ㄱ-ㅣ]", hangul) and re.search("[가-힣]", hangul):
            out.append(hangul)
    return out


def keyboard_suggestion(query: str, has_hits: Callable[[str], bool]) -> str | None:
    """Return the query retyped in Hangul (2-beolsik layout, any letter case) if that finds something, else None."""
    text = query.strip()
    if not text or not _LATIN_WORDS.match(text):
        return None
    return next((hangul for hangul in layout_hangul(text) if has_hits(hangul)), None)
