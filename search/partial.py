"""Partial matches: which sections may stand in a list for only some of a query's words, and where.

A keyword query (up to STRICT_WORDS words) lists the sections with every word first, ranked as
an AND query ranks them, then the sections with only some of the words, ranked among themselves
by their coordinated score, so the first page of a query that many articles match in full looks
as an AND query's and the list goes on where AND would stop. A longer query (a question, a pasted
sentence) ranks every section by its coordinated score, complete or not.

A section may stand for some of the words only if it matches a word that can carry a hit (not a
lone digit or syllable, which match too much: "alert(1)") and every word restricted to a field
(title:), which the person asked for explicitly. Exclusions and filters remove sections before
any of this: they are never relaxed.
"""

from __future__ import annotations

import numpy as np

from chaja.index import schema

from . import scoring
from .postings import Postings
from .query import Clause, Parsed

# Up to this many words (clauses), a query is keywords: the sections with every word come first.
STRICT_WORDS = 3


def restricted(clause: Clause) -> bool:
    """Tell whether a clause asks for fields of its own (title:), in every alternative."""
    if clause.any_of:
        return all(all(restricted(c) for c in alternative) for alternative in clause.any_of)
    return set(clause.fields) != set(schema.SEARCHED)


def required(parsed: Parsed) -> list[Clause]:
    """Return the clauses a partial match must still meet: those restricted to some fields."""
    return [c for c in parsed.clauses if restricted(c)]


def tiered(parsed: Parsed) -> bool:
    """Tell whether a query ranks its complete matches first: keywords of two words or more."""
    return parsed.can_relax and len(parsed.clauses) <= STRICT_WORDS


def eligible(postings: Postings, parsed: Parsed, count: np.ndarray,
             documents: dict[Clause, np.ndarray] | None = None) -> np.ndarray:
    """Return which sections match some but not all of the clauses and may still be listed.

    ``count`` and ``documents`` are what scoring.matched gave for the parsed clauses.
    """
    n = len(parsed.clauses)
    out = (count > 0) & (count < n)
    carrying = parsed.carrying
    if not carrying:
        return np.zeros_like(out)
    if len(carrying) < n:
        out &= scoring.matches_any(postings, carrying, documents)
    if need := required(parsed):
        _, met, _ = scoring.matched(postings, need)
        out &= met == len(need)
    return out


def ranking(scores: np.ndarray, coordinated: np.ndarray, complete: np.ndarray, partial_docs: np.ndarray) -> np.ndarray:
    """Return the ranking key of a keyword query: complete sections by score, above every partial one.

    The partial sections' coordinated scores stay below the lowest complete score by an offset (in
    float64, so the complete sections' float32 scores and their order are kept exactly).
    """
    if not len(partial_docs):
        return scores
    key = coordinated.astype(np.float64)
    offset = float(coordinated[partial_docs].max()) + 1.0
    key[complete] = scores[complete].astype(np.float64) + offset
    return key


def boundary(complete_units: int, total: int) -> int | None:
    """Return where the partial matches begin in a list (how many complete hits precede them), or None."""
    return complete_units if total > complete_units else None
