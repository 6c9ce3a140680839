"""The analysis cache: Kiwi reads each distinct space-separated word once, not every occurrence in context.

An index setting (``word_cache``), kept in its arrays' manifest so an update analyses as its rebuild
did. The text is NFKC-normalised as a whole (chaja.index.analysis), split on whitespace into words
with their offsets, and every distinct word of the batch not read before in the build is analysed
once by Kiwi's batch API. Its content morphemes are picked once, alone, by the same code as
in-context analysis (numbers, compounds, Hanja, lone particles), and each occurrence gets them
shifted to where it stands, so spans point into the original text exactly as they do there.

Kiwi reads a word alone a little differently from the word in its sentence (measured in the README):
the cache is the default, and ``word_cache=False`` (`chaja index rebuild --in-context`) reads every
word in its sentence. Both backends read an index's texts and its queries the way it was built.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from . import analysis, batches
from .analysis import Morpheme

Token = tuple[str, str, int, int]  # Kiwi's form, tag, start, end
_WORD = re.compile(r"\S+")
# A word's reading alone does not depend on the batch it comes in, so a build remembers the
# readings of the words it has read (most words of the next batch), tokens and picked morphemes: a
# memo, like analysis's compounds, cleared when full. About 250 MB at its size.
READINGS = 300_000
_readings: dict[tuple[tuple, str], Word] = {}  # (user words, word) -> its reading


def words(norm: str) -> list[tuple[int, str]]:
    """Return the space-separated words of normalised text with the offset each starts at."""
    return [(m.start(), m.group()) for m in _WORD.finditer(norm)]


# A searching process remembers the tokens of the query words it has read, as a build remembers its
# words: queries repeat words ("언제", "누구", a name in the news), so most of a question's words
# skip Kiwi. Cleared when full; some 8 MB at its size.
QUERY_WORDS = 20_000
_query_words: dict[tuple, list[Token]] = {}  # (Kiwi, word) -> Kiwi's tokens of the word alone


def word_tokens(kiwi, norm: str) -> list[Token]:
    """Return the tokens of one normalised text (a query) read word by word, as an index with the cache reads it."""
    found = words(norm)
    number = {w: i for i, w in enumerate(dict.fromkeys(w for _, w in found))}
    readings = [_query_words.get((kiwi, w)) for w in number]
    new = [w for w, i in number.items() if readings[i] is None]
    for w, tokens in zip(new, batches.read_each(kiwi, new) if new else ()):
        readings[number[w]] = tokens
        if len(_query_words) >= QUERY_WORDS:
            _query_words.clear()
        _query_words[kiwi, w] = tokens
    return batches.placed_tokens(readings, [(at, number[w]) for at, w in found])


class Word(NamedTuple):
    """A word as a build reads it: Kiwi's tokens, and the content morphemes picked from them alone."""

    tokens: list[Token]
    picked: list[tuple[str, int, int, int]]  # text, position, start, end within the word
    positions: int  # how many positions the word's morphemes take
    length: int
    number_at_end: bool  # a counter in the next word, after one space, joins the number ("1만 명")
    counter_first: bool


def _word(word: str, tokens: list[Token], user_words: tuple, splits: dict[str, list[str]]) -> Word:
    picked = [tuple(m) for m in analysis._content(word, word, None, tokens, user_words, splits=splits)]
    return Word(tokens, picked, picked[-1][1] + 1 if picked else 0, len(word),
                bool(tokens) and tokens[-1][1] in ("SN", "NR") and tokens[-1][3] == len(word),
                bool(tokens) and tokens[0][1] == "NNB" and tokens[0][2] == 0)


def _joined(norm: str, placed: list[tuple[int, int]], found: list[Word]) -> bool:
    """Tell whether a number at a word's end takes the counter that starts the next word (analysis._number)."""
    for (at, n), (after, m) in zip(placed, placed[1:]):
        end = at + found[n].length
        if found[n].number_at_end and found[m].counter_first and after == end + 1 and norm[end] == " ":
            return True
    return False


class ByWord(NamedTuple):
    """What Kiwi read of a batch of texts word by word (read_by_word)."""

    texts: Sequence[str]
    normalised: list[tuple[str, list[int] | None]]
    placed: list[list[tuple[int, int]]]  # per text: (offset, word number) of each occurrence
    found: list[Word]  # each distinct word
    whole: list[bool]  # per text: picked as a whole (its original text differs from the normalised one, or a
    # number and its counter stand in two words), not word by word
    splits: dict[str, list[str]]  # the compound parts those texts need
    user_words: tuple

    def morphemes(self) -> list[list[Morpheme]]:
        """Return the content morphemes of every text: each word's, placed where it stands."""
        out = []
        tokens_of = [word.tokens for word in self.found] if any(self.whole) else []
        for text, (norm, back), placed, whole in zip(self.texts, self.normalised, self.placed, self.whole):
            if whole:
                tokens = batches.placed_tokens(tokens_of, placed)
                out.append(analysis._content(text, norm, back, tokens, self.user_words, splits=self.splits))
                continue
            picked: list[Morpheme] = []
            add = picked.append
            pos = 0
            for at, n in placed:
                word = self.found[n]
                for term, p, start, end in word.picked:
                    add(Morpheme(term, pos + p, start + at, end + at))
                pos += word.positions
            out.append(picked)
        return out


def read_by_word(texts: Sequence[str], user_words: tuple = ()) -> ByWord:
    """Read each distinct word of the texts once, the words of earlier batches from the build's memo.

    The words new to the build are read in one Kiwi batch, their compounds split in another
    (chaja.index.batches.presplit), and their content morphemes picked once, alone: a word reads
    the same wherever it stands, except where the text's normalisation moved offsets or a number
    takes the next word's counter, and those few texts are picked whole.
    """
    kiwi = analysis.kiwi_for(user_words)
    normalised = [analysis._normalize(text) for text in texts]
    number: dict[str, int] = {}
    placed = [[(at, number.setdefault(w, len(number))) for at, w in words(norm)] for norm, _ in normalised]
    found: list[Word | None] = [_readings.get((user_words, w)) for w in number]
    new = [w for w, i in number.items() if found[i] is None]
    tokens = batches.read_each(kiwi, new)
    splits = batches.presplit(batches.candidates(tokens), user_words)
    for w, read in zip(new, tokens):
        found[number[w]] = word = _word(w, read, user_words, splits)
        if len(_readings) >= READINGS:
            _readings.clear()
        _readings[user_words, w] = word
    whole = [back is not None or _joined(norm, p, found) for (norm, back), p in zip(normalised, placed)]
    if any(whole):
        splits = batches.presplit(batches.candidates(found[n].tokens for p, w in zip(placed, whole) if w
                                                     for _, n in p), user_words)
    return ByWord(texts, normalised, placed, found, whole, splits, user_words)


def morphemes_by_word(texts: Sequence[str], user_words: tuple = ()) -> list[list[Morpheme]]:
    """Return the content morphemes of every text as morphemes_of_many does, each distinct word analysed once."""
    return read_by_word(texts, user_words).morphemes()
