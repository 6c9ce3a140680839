"""Where each indexed term lies in a section's title, heading and text, stored beside the section.

Marks need the character spans of the query's terms in the ten sections of a result page.
Read from the postings, each span costs decoding a whole block of 128 postings (zlib and
pickle, ~70 µs): about half of a query's time on a large index. Stored with the section, one
record per morpheme (term number, start, end) is read with the section's other stored fields.
"""

from __future__ import annotations

from array import array
from collections.abc import Collection, Sequence

import numpy as np

from . import schema
from .analysis import Morpheme

SEPARATOR = "\x1f"  # between a section's distinct terms; the analyzer never yields it inside a term

Span = tuple[int, int]
Encoded = tuple[str, bytes]


def encode(morphemes: Sequence[Morpheme]) -> Encoded:
    """Return a field's morphemes as its distinct terms and one int32 record (term, start, end) per morpheme."""
    number: dict[str, int] = {}
    # a flat array("i") of native int32, as np.int32's bytes: 3x faster than numpy from a list of tuples
    records = array("i", [x for m in morphemes for x in (number.setdefault(m.text, len(number)), m.start, m.end)])
    return SEPARATOR.join(number), records.tobytes()


def decode(encoded: Encoded, terms: Collection[str]) -> list[Span]:
    """Return the spans of these terms in the field, in text order."""
    names, data = encoded
    if not names:
        return []
    return _Field(names, data).spans(terms)


def of(stored: dict, field: str, terms: Collection[str]) -> list[Span]:
    """Return the spans of terms in one of schema.SEARCHED, from a section's stored fields."""
    return decode(stored[schema.SPANS][schema.SEARCHED.index(field)], terms)


def runs(encoded: Encoded, sequences: Sequence[Sequence[str]]) -> list[list[Span]]:
    """Return, for each sequence of terms, the spans of its terms where they stand one right after another.

    A field's records follow its morphemes in order; records that start where the one
    before starts are readings of one position ("1", "1만" and "1만 명"). Only the records of
    the asked terms are read into Python: a query marks ten sections' fields on every page.
    """
    names, data = encoded
    if not names or not sequences:
        return [[] for _ in sequences]
    return _Field(names, data).runs(sequences)


def marked(encoded: Encoded, anywhere: Collection[str], phrases: Sequence[Sequence[str]],
           words: Sequence[Sequence[str]]) -> list[Span]:
    """Return the spans a query marks in a field: its lone terms anywhere, its phrases where whole, its words
    where their terms stand together (else each term where it stands), in that order.

    The same as decode(anywhere), then runs(phrases), then runs(words) or decode of each word, with
    the field's records read once (a result page marks three fields of ten sections).
    """
    names, data = encoded
    if not names:
        return []
    field = _Field(names, data)
    found = field.spans(anywhere)
    for together in field.runs(phrases):
        found += together
    for word, together in zip(words, field.runs(words)):
        found += together or field.spans(word)  # matched apart: each where it stands
    return found


class _Field:
    """One field's stored terms and records, read once for several questions about them."""

    def __init__(self, names: str, data: bytes):
        self.joined = SEPARATOR + names + SEPARATOR
        self.records = np.frombuffer(data, dtype=np.int32).reshape(-1, 3)
        self.terms = self.records[:, 0]
        self._numbers: dict[str, int | None] = {}
        self._position: np.ndarray | None = None
        self._where: dict[int, dict[int, Span]] = {}

    def number(self, term: str) -> int | None:
        """Return the term's number in the field (how many terms come before it), None if it is not there."""
        if term not in self._numbers:
            # counting separators before it is 3x faster than splitting all the field's terms
            at = self.joined.find(SEPARATOR + term + SEPARATOR)
            self._numbers[term] = self.joined.count(SEPARATOR, 0, at) if at >= 0 else None
        return self._numbers[term]

    def spans(self, terms: Collection[str]) -> list[Span]:
        """Return the spans of these terms, in text order."""
        wanted = [n for n in map(self.number, terms) if n is not None]
        if not wanted:
            return []
        chosen = self.terms == wanted[0]  # a few comparisons beat np.isin's sorting for a few terms
        for n in wanted[1:]:
            chosen |= self.terms == n
        rows = self.records[chosen]
        return list(zip(rows[:, 1].tolist(), rows[:, 2].tolist()))

    def where(self, term: int) -> dict[int, Span]:
        """Return the term's first span at each position it stands at, positions ascending."""
        if term not in self._where:
            if self._position is None:
                starts = self.records[:, 1]
                self._position = np.cumsum(np.concatenate(([True], starts[1:] != starts[:-1]))) - 1
            rows = np.flatnonzero(self.terms == term)
            at = self._position[rows]
            # positions never go down along the records, so a position's first record is where it changes
            first = rows[np.concatenate(([True], at[1:] != at[:-1]))] if len(rows) > 1 else rows
            self._where[term] = dict(zip(self._position[first].tolist(),
                                         zip(self.records[first, 1].tolist(), self.records[first, 2].tolist())))
        return self._where[term]

    def runs(self, sequences: Sequence[Sequence[str]]) -> list[list[Span]]:
        """Return runs() of these sequences of terms."""
        found = []
        for sequence in sequences:
            numbers = [self.number(t) for t in sequence]
            spans: list[Span] = []
            if None not in numbers:
                where = [self.where(n) for n in numbers]
                for p in sorted(where[0]):
                    if all(p + k in at for k, at in enumerate(where)):
                        spans.extend(at[p + k] for k, at in enumerate(where))
            found.append(spans)
        return found
