"""Query words cut from longer words, or misread: searched as written when Kiwi leaves single syllables of them.

Kiwi reads whatever it is given, and not always plausibly: "년올", typed from 청소년올림픽, is 년
(a bound noun) + 올 ("this year"), so the query was the noun 올 and matched 올여름 and "올 시즌";
in a question "번디는" (Ted Bundy) is 번 + 디, and the query matched every 디. A bound noun
follows a number or a modifier ("3년", "몇 년"); a particle, an ending or a suffix follows its
word. At the start of a typed word with nothing before it to lean on, such a morpheme makes the
reading implausible: the word was cut from a longer one or misread, and what Kiwi leaves of it
was not typed as a word. When that is single syllables only (올 of 년올, 간 of 분간, 디 of 번디),
each would match every word of that syllable, so the word is searched as written, read as one
noun the way the analyzer reads a noun (one term unless it is a compound). A longer remainder
is a word of its own and stays (년올림픽 finds 올림픽). Of korquad1-dev's 5,774 questions 39 read
differently, all names or nouns Kiwi had split this way (번디, 회현, 중천, 대모, 번외, 외판).
The index never sees this: only queries are read so.
"""

from __future__ import annotations

import unicodedata

from chaja.index.analysis import compound_parts

Token = tuple[str, str, int, int]  # Kiwi's form, tag, start, end (chaja.index.analysis.read_with_tokens)

# Morphemes that lean on something before them, so cannot begin a word by themselves: bound
# nouns, particles, endings, suffixes and the copula.
BOUND = ("NNB", "J", "E", "XS", "VCP")
# What a bound noun leans on across a space: a number, a determiner ("몇 년"), a modifier
# ending ("할 수"), the possessive 의 ("나의 것").
HOLDS_BOUND_NOUN = ("SN", "NR", "MM", "ETM", "JKG")


def joins(c: str) -> bool:
    """Tell whether a character belongs to the typed word around it (spaces and most punctuation part words)."""
    return not c.isspace() and (c.isalnum() or c in "-.")


def _word_start(text: str, i: int) -> int:
    """Return where the typed word holding text[i] begins."""
    while i > 0 and joins(text[i - 1]):
        i -= 1
    return i


def cut_start(text: str, tokens: list[Token], start: int) -> int | None:
    """Return where a typed word whose content begins at start begins, if it was cut from a longer word; else None."""
    begin = _word_start(text, start)
    if begin == start:
        return None
    leading = [t for t in tokens if begin <= t[2] < start]
    if not leading or not leading[0][1].startswith(BOUND):
        return None  # a prefix ("제1회", "비정규직") or other text that may begin a word
    before = [t for t in tokens if t[3] <= begin]
    if leading[0][1] == "NNB" and before and before[-1][1].startswith(HOLDS_BOUND_NOUN):
        return None  # "몇 년전": the bound noun leans on the word before it
    return begin


def written(text: str, user_words: tuple = ()) -> list[str]:
    """Return the terms of typed text read as one noun: as the analyzer writes a noun of that form."""
    form = unicodedata.normalize("NFKC", text).lower()
    return compound_parts(form, user_words) or [form]


def as_typed(text: str, tokens: list[Token], words: list[tuple[list[str], int, int]], user_words: tuple = ()
             ) -> list[tuple[list[str], int, int]]:
    """Return words (terms, start, end in text) with each cut word of single-syllable terms read as written."""
    out = []
    for terms, start, end in words:
        begin = cut_start(text, tokens, start) if all(len(t) == 1 for t in terms) else None
        out.append((written(text[begin:end], user_words), begin, end) if begin is not None else (terms, start, end))
    return out
