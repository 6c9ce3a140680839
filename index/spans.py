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
    before starts are readings of one position ("1", "1만" and "1만 명").
    """
    names, data = encoded
    if not names or not sequences:
        return [[] for _ in sequences]
    number = {name: i for i, name in enumerate(names.split(SEPARATOR))}
    records = np.frombuffer(data, dtype=np.int32).reshape(-1, 3).tolist()
    positions: list[dict[int, Span]] = []  # per position: term number -> span
    last_start = None
    for term, start, end in records:
        if start != last_start:
            positions.append({})
            last_start = start
        positions[-1].setdefault(term, (start, end))
    found = []
    for sequence in sequences:
        wanted = [number.get(t) for t in sequence]
        spans: list[Span] = []
        if None not in wanted:
            for p in range(len(positions) - len(wanted) + 1):
                if all(w in positions[p + k] for k, w in enumerate(wanted)):
                    spans.extend(positions[p + k][w] for k, w in enumerate(wanted))
        found.append(spans)
    return found
