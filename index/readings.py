"""The Hangul reading of a Hanja word (大韓民國 -> 대한민국, 李 -> 이), indexed beside it so either finds both.

Readings come from the `hanja` library's table, which applies the initial-sound rule (두음법칙).
"""

from __future__ import annotations

from functools import lru_cache


def has_hanja(text: str) -> bool:
    """Tell whether text holds a CJK ideograph."""
    return any("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or "\uf900" <= c <= "\ufaff" for c in text)


@lru_cache(maxsize=65_536)
def reading(form: str) -> str | None:
    """Return the Hangul reading of a Hanja word, or None when it has no Hanja or a character has no reading."""
    if not has_hanja(form):
        return None
    import hanja

    read = hanja.translate(form, "substitution")
    return read if read != form and not has_hanja(read) else None
