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
    names = SEPARATOR + names + SEPARATOR
    wanted = []
    for term in terms:  # a term's number is how many terms come before it (3x faster than splitting them all)
        at = names.find(SEPARATOR + term + SEPARATOR)
        if at >= 0:
            wanted.append(names.count(SEPARATOR, 0, at))
    if not wanted:
        return []
    records = np.frombuffer(data, dtype=np.int32).reshape(-1, 3)
    chosen = records[np.isin(records[:, 0], wanted)]
    return list(zip(chosen[:, 1].tolist(), chosen[:, 2].tolist()))


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
    joined = SEPARATOR + names + SEPARATOR

    def number(term: str) -> int | None:
        at = joined.find(SEPARATOR + term + SEPARATOR)
        return joined.count(SEPARATOR, 0, at) if at >= 0 else None

    wanted = [[number(t) for t in sequence] for sequence in sequences]
    if all(None in w for w in wanted):
        return [[] for _ in sequences]
    records = np.frombuffer(data, dtype=np.int32).reshape(-1, 3)
    starts = records[:, 1]
    position = (np.cumsum(np.concatenate(([True], starts[1:] != starts[:-1]))) - 1).tolist()
    where: dict[int, dict[int, Span]] = {}  # term number -> position -> its first span there
    for term in {t for w in wanted if None not in w for t in w}:
        at = where[term] = {}
        for r in np.flatnonzero(records[:, 0] == term).tolist():
            at.setdefault(position[r], (int(records[r, 1]), int(records[r, 2])))
    found = []
    for w in wanted:
        spans: list[Span] = []
        if None not in w:
            for p in sorted(where[w[0]]):
                if all(p + k in where[t] for k, t in enumerate(w)):
                    spans.extend(where[t][p + k] for k, t in enumerate(w))
        found.append(spans)
    return found
