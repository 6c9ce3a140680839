"""Bounds on the work one query may cost, applied to its text before Kiwi analyses it.

Kiwi's time grows with the text and faster than linearly with one unbroken word (1,000 x "가"
took 250 ms to analyse, against under 1 ms for a normal query), and every word becomes a clause
to score. So a query keeps its first MAX_WORDS words and each word its first MAX_WORD_CHARS
characters; the result's notice says when either was cut.
"""

from __future__ import annotations

import re

MAX_WORDS = 32  # words (runs between spaces) of one query; korquad1-dev's 5,774 questions have at most 26
MAX_WORD_CHARS = 24  # characters of one word; the longest in those questions has 22
_SYNTAX = re.compile(r'-?(?:(?:title|source|date):)?"?', re.I)  # what comes before a word's text


def _limit(word: str) -> int:
    """Return how many characters of word to keep: MAX_WORD_CHARS of text after -, title: or a quote."""
    return MAX_WORD_CHARS + len(_SYNTAX.match(word).group())


def bound(text: str, notes: list[str]) -> str:
    """Return text with at most MAX_WORDS words of at most MAX_WORD_CHARS characters; note any cut."""
    words = text.split()
    if len(words) <= MAX_WORDS and all(len(w) <= _limit(w) for w in words):
        return text
    if len(words) > MAX_WORDS:
        notes.append(f"검색어의 낱말이 너무 많아 앞의 {MAX_WORDS}개만 검색했습니다.")
        words = words[:MAX_WORDS]
    if any(len(w) > _limit(w) for w in words):
        notes.append(f"{MAX_WORD_CHARS}자보다 긴 낱말은 앞의 {MAX_WORD_CHARS}자만 검색했습니다.")
        words = [w[:_limit(w)] for w in words]
    return " ".join(words)
