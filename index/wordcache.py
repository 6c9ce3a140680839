"""The analysis cache: Kiwi reads each distinct space-separated word once, not every occurrence in context.

An index setting (``word_cache``), kept in its arrays' manifest so an update analyses as its rebuild
did. The text is NFKC-normalised as a whole (chaja.index.analysis), split on whitespace into words
with their offsets, every distinct word of the batch not read before in the build is analysed once
by Kiwi's batch API, and each occurrence gets its word's tokens shifted to where it stands. From there the content morphemes are
picked by the same code as in-context analysis (numbers, compounds, Hanja, lone particles), so
spans point into the original text exactly as they do there.

Kiwi reads a word alone a little differently from the word in its sentence (measured in the README):
the cache is the default, and ``word_cache=False`` (`chaja index rebuild --in-context`) reads every
word in its sentence. Both backends read an index's texts and its queries the way it was built.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from . import analysis
from .analysis import MAX_KIWI_CHARS, Morpheme

Token = tuple[str, str, int, int]  # Kiwi's form, tag, start, end
_WORD = re.compile(r"\S+")
# A word's reading alone does not depend on the batch it comes in, so a build remembers the
# readings of the words it has read (most words of the next batch): a memo, like analysis's
# compounds, cleared when full. About 150 MB at its size.
READINGS = 300_000
_readings: dict[tuple[tuple, str], list[Token]] = {}  # (user words, word) -> its tokens


def words(norm: str) -> list[tuple[int, str]]:
    """Return the space-separated words of normalised text with the offset each starts at."""
    return [(m.start(), m.group()) for m in _WORD.finditer(norm)]


def _placed(norm: str, readings: Sequence[list[Token] | None], ids: list[tuple[int, int]]) -> list[Token]:
    """Return the tokens of a text from its words' readings, each shifted to where its occurrence stands."""
    return [(form, tag, start + at, end + at) for at, word in ids for form, tag, start, end in readings[word]]


def word_tokens(kiwi, norm: str) -> list[Token]:
    """Return the tokens of one normalised text (a query) read word by word, as an index with the cache reads it."""
    found = words(norm)
    distinct = list(dict.fromkeys(w for _, w in found))
    number = {w: i for i, w in enumerate(distinct)}
    readings = _read(kiwi, distinct)
    return _placed(norm, readings, [(at, number[w]) for at, w in found])


def _read(kiwi, distinct: list[str]) -> list[list[Token]]:
    """Return Kiwi's tokens of each word read alone (over-long words in pieces, as in-context analysis does)."""
    readings: list[list[Token]] = [[] for _ in distinct]
    for i, found in _stream(kiwi, distinct):
        readings[i] = found
    return readings


def _stream(kiwi, distinct: list[str], user_words: tuple | None = None) -> Iterator[tuple[int, list[Token]]]:
    """Yield (number, tokens) of each distinct word: the over-long and remembered ones first, then Kiwi's batch.

    Given the user words Kiwi was loaded with, the words read are kept in the memo (indexing; a
    query's are not, so serving workers stay small).
    """
    batch = []
    for i, word in enumerate(distinct):
        if len(word) > MAX_KIWI_CHARS:
            yield i, analysis._kiwi_tokens(kiwi, word)
        elif user_words is not None and (known := _readings.get((user_words, word))) is not None:
            yield i, known
        else:
            batch.append(i)
    if batch:
        for i, found in zip(batch, _tokenize(kiwi, [distinct[i] for i in batch])):
            tokens = [(t.form, t.tag, t.start, t.end) for t in found]
            if user_words is not None:
                if len(_readings) >= READINGS:
                    _readings.clear()
                _readings[user_words, distinct[i]] = tokens
            yield i, tokens


def _tokenize(kiwi, texts: list[str]):
    """Return Kiwi's tokens of each text: one batch call on its worker threads, or one call a text without them."""
    if analysis._workers == 0:  # a Kiwi loaded without threads (chaja serve, before forking) refuses a batch
        return (kiwi.tokenize(text) for text in texts)
    return kiwi.tokenize(texts)


def morphemes_by_word(texts: Sequence[str], user_words: tuple = ()) -> list[list[Morpheme]]:
    """Return the content morphemes of every text as morphemes_of_many does, each distinct word analysed once.

    Kiwi's results come as its worker threads finish them; a text's morphemes are picked as soon as
    every word it holds is read, so that work overlaps Kiwi's analysis of the words after it.
    """
    kiwi = analysis.kiwi_for(user_words)
    normalised = [analysis._normalize(text) for text in texts]
    number: dict[str, int] = {}
    placed: list[list[tuple[int, int]]] = []  # per text, (offset, word number) of each occurrence
    needs: list[int] = []  # per text, how many distinct words (by number) must be read before it
    for norm, _ in normalised:
        placed.append([(at, number.setdefault(w, len(number))) for at, w in words(norm)])
        needs.append(len(number))
    readings: list[list[Token] | None] = [None] * len(number)
    out: list[list[Morpheme]] = [[] for _ in texts]
    ready = 0  # words 0..ready-1 are all read
    next_text = 0
    for i, found in _stream(kiwi, list(number), user_words):
        readings[i] = found
        while ready < len(readings) and readings[ready] is not None:
            ready += 1
        while next_text < len(texts) and needs[next_text] <= ready:
            norm, back = normalised[next_text]
            tokens = _placed(norm, readings, placed[next_text])
            out[next_text] = analysis._content(texts[next_text], norm, back, tokens, user_words)
            next_text += 1
    for i in range(next_text, len(texts)):  # texts without words (empty or only spaces)
        norm, back = normalised[i]
        out[i] = analysis._content(texts[i], norm, back, _placed(norm, readings, placed[i]), user_words)
    return out
