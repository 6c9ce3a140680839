"""Autocomplete as a Korean reader types: prefixes over keystrokes, 초성 alone, and the English layout.

Only looks up the sorted arrays of the generation's vocabulary (chaja.index.vocabulary): a
prefix is a range found by binary search, and the range's entries held by most articles win.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from chaja.index.vocabulary import TERM, Vocabulary

from . import jamo

MAX_SIZE = 20
MAX_CHARS = 100
_END = "\U0010ffff"  # sorts after every character a key holds


@dataclass(frozen=True)
class Suggestion:
    """One completion: the text to search, whether it is a title or a word, and how many articles hold it."""

    text: str
    kind: str  # "title" or "term"
    count: int


def _range(vocabulary: Vocabulary, order: np.ndarray, key: Callable[[str], str], prefix: str) -> tuple[int, int]:
    """Return the positions in order of the entries whose key starts with prefix (a binary search)."""
    def key_at(i: int) -> str:
        return key(vocabulary.entry(int(order[i])))

    positions = range(len(order))
    return bisect_left(positions, prefix, key=key_at), bisect_left(positions, prefix + _END, key=key_at)


def _best(vocabulary: Vocabulary, order: np.ndarray, key: Callable[[str], str], prefix: str, size: int) -> list[int]:
    """Return up to size entries whose key starts with prefix, most articles first."""
    lo, hi = _range(vocabulary, order, key, prefix)
    if lo >= hi:
        return []
    entries = order[lo:hi]
    counts = vocabulary.count[entries]
    if len(entries) > size * 4:  # only the leaders need sorting
        leaders = np.argpartition(-counts, size * 4)[: size * 4]
        entries, counts = entries[leaders], counts[leaders]
    ranked = sorted(zip((-counts).tolist(), entries.tolist()), key=lambda ce: (ce[0], int(vocabulary.offsets[ce[1] + 1] - vocabulary.offsets[ce[1]]), ce[1]))
    return [e for _, e in ranked[:size]]


def readings(query: str) -> list[tuple[str, str]]:
    """Return how a typed prefix can be read: ("keys", keystrokes) and/or ("initials", 초성), first the likelier."""
    text = query.strip()
    if not text:
        return []
    squeezed = "".join(text.split())
    out: list[tuple[str, str]] = []
    if len(squeezed) >= 2 and all(jamo.is_consonant(c) for c in squeezed):
        out.append(("initials", squeezed))
    out.append(("keys", jamo.keystrokes(text)))
    if any("a" <= c.lower() <= "z" for c in text):
        for variant in dict.fromkeys((text, text.lower())):
            typed = jamo.from_layout(variant)
            if typed:
                out.append(("keys", typed))
    return list(dict.fromkeys(out))


def suggest(vocabulary: Vocabulary | None, query: str, size: int = 10) -> list[Suggestion]:
    """Return completions of a typed prefix, most articles first within each reading of it."""
    query = query[:MAX_CHARS]
    if vocabulary is None or not len(vocabulary):
        return []
    seen: dict[int, None] = {}
    for how, prefix in readings(query):
        if how == "initials":
            found = _best(vocabulary, vocabulary.initials_order, jamo.initials, prefix, size)
        else:
            found = _best(vocabulary, vocabulary.keys_order, jamo.keystrokes, prefix, size)
        for e in found:
            seen.setdefault(e, None)
    texts = {e: vocabulary.entry(e) for e in seen}
    chosen = sorted(seen, key=lambda e: (-int(vocabulary.count[e]), len(texts[e]), e))[:size]
    return [Suggestion(texts[e], "term" if vocabulary.kind[e] == TERM else "title", int(vocabulary.count[e]))
            for e in chosen]
