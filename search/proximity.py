"""Term proximity: how close together a section's text holds the query's words, from the positions the arrays keep.

A question paraphrases one paragraph: the section that answers it holds several of its words close
together, a distractor holds them scattered. Two measures of that, both over the text field's word
positions of the best-ranked candidate sections only (positions cost a read per term and candidate):

- pair proximity (BM25TP-like): over every two neighbouring occurrences of different clauses, the
  product of the clauses' idf-weighted shares of the query over their distance squared, summed;
- window cover: the largest idf-weighted share of the query's clauses that one window of `width`
  consecutive word positions holds.

Engine.search uses the window cover (closer_first); pair proximity measured worse (README "Ranking variants").
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from . import partial, scoring
from .postings import Postings
from .query import Clause

FIELD = "text"  # titles are short (their words are always close) and headings are mostly empty
MAX_CLAUSES = 64  # a clause is a bit of a uint64; query.MAX_TERMS keeps queries far below this
# The best CANDIDATES sections have their score multiplied by 1 + WEIGHT x the share of the query's
# idf weight that WIDTH consecutive words of their text hold. Tuned on half of korquad1-dev's questions
# among 60,000 kowiki articles (tests/benchmarks/section_tuning.py, README "Ranking variants"): a window
# of 12 words at weight 2 did best of widths 4-32 and weights 0.2-3 (section nDCG@10 +0.006); 30, 50
# and 100 candidates ranked the first ten alike; BM25TP-style pair proximity lowered every view.
WIDTH = 12
WEIGHT = 2.0
CANDIDATES = 30
# Terms in more than this share of the sections, and in more than LONG sections, are left out of the
# window: their postings cost the most to read, and they count for little (leaving out those in over 21%
# of the sections: section nDCG@10 -0.0001). A small index reads every term: its postings are short.
COMMON = 0.2
LONG = 10_000


class Occurrences(NamedTuple):
    """Every occurrence of the query's clauses in the candidates' text, ordered by candidate, then position."""

    doc: np.ndarray  # index into the candidates
    pos: np.ndarray  # word position in the field
    clause: np.ndarray  # index into the clauses


def terms_of(clause: Clause, df, field: str = FIELD) -> tuple[str, ...]:
    """Return the terms that place a clause in field: a word's rarest morpheme (by df(term)), in each alternative.

    A word read as several morphemes matches where all of them are, anywhere in a section, so it
    stands where its most distinctive part does: 부산항 (부산 + 항) where 부산 is, never at every 항.
    A word asked for in other fields only (title:) stands nowhere in this one.
    """
    if not clause.any_of:
        if field not in clause.fields:
            return ()
        return (min(clause.terms, key=df),) if len(clause.terms) > 1 else clause.terms
    return tuple(dict.fromkeys(t for alternative in clause.any_of for c in alternative for t in terms_of(c, df, field)))


def shares(postings: Postings, clauses: list[Clause] | tuple[Clause, ...]) -> np.ndarray:
    """Return each clause's idf-weighted share of the query, as coordination weighs it (summing to 1)."""
    weights = np.array([scoring.weight(postings, c) for c in clauses], dtype=np.float64)
    total = weights.sum()
    return weights / total if total > 0 else weights


def occurrences(postings: Postings, clauses: list[Clause] | tuple[Clause, ...], candidates: np.ndarray,
                field: str = FIELD, max_df: int | None = None) -> Occurrences:
    """Return where each clause's terms stand in field of the candidates (ascending section numbers).

    A clause stands where terms_of() places it. With max_df, terms in more sections than that are
    left out (their postings cost the most to read).
    """
    terms, clause_of = [], []
    df = functools.partial(postings.df, field)
    for c, clause in enumerate(clauses[:MAX_CLAUSES]):
        for term in terms_of(clause, df, field):
            terms.append(term)
            clause_of.append(c)
    term, doc, pos = postings.occurrences(field, terms, candidates, max_df)
    clause = np.array(clause_of, dtype=np.int32)[term] if len(term) else term
    return ordered(doc, pos, clause)


def pair_proximity(occ: Occurrences, weights: np.ndarray, count: int) -> np.ndarray:
    """Return per candidate the sum over neighbouring occurrences of different clauses of w_a * w_b / distance**2.

    Occurrences at one position (a number's readings, a Hanja word and its reading) count as distance 1.
    """
    out = np.zeros(count, dtype=np.float64)
    if len(occ.doc) < 2:
        return out
    pairs = (occ.doc[1:] == occ.doc[:-1]) & (occ.clause[1:] != occ.clause[:-1])
    first = np.flatnonzero(pairs)
    distance = np.maximum(occ.pos[first + 1] - occ.pos[first], 1).astype(np.float64)
    value = weights[occ.clause[first]] * weights[occ.clause[first + 1]] / distance**2
    np.add.at(out, occ.doc[first], value)
    return out


def window_cover(occ: Occurrences, weights: np.ndarray, count: int, width: int) -> np.ndarray:
    """Return per candidate the largest share of the clauses' weight within `width` consecutive word positions."""
    out = np.zeros(count, dtype=np.float64)
    n = len(occ.doc)
    if not n:
        return out
    # The clauses in the window starting at each occurrence, as bits: the OR over a range of occurrences
    # from a table of ORs over spans of 1, 2, 4, ... (two look-ups a range, whatever its length).
    key = (occ.doc.astype(np.int64) << 32) | occ.pos
    end = np.searchsorted(key, key + width)  # the first occurrence past the window (or in the next section)
    span = end - np.arange(n)
    levels = [np.left_shift(np.uint64(1), occ.clause.astype(np.uint64))]
    while 2 ** len(levels) <= span.max():
        half, previous = 2 ** (len(levels) - 1), levels[-1]
        levels.append(previous.copy())
        levels[-1][:-half] |= previous[half:]
    level = np.log2(span).astype(np.int64)  # exact for the powers of two: span < 2**52
    table = np.stack(levels)
    held = table[level, np.arange(n)] | table[level, end - (1 << level)]
    cover = _weight_of(held, weights)
    starts = np.flatnonzero(np.concatenate(([True], occ.doc[1:] != occ.doc[:-1])))  # each candidate's first
    out[occ.doc[starts]] = np.maximum.reduceat(cover, starts)
    return out


def _weight_of(held: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Return the summed weights of the clauses whose bits are set, a byte of bits (a table look-up) at a time."""
    cover = np.zeros(len(held), dtype=np.float64)
    values = np.arange(256)
    for byte in range(0, len(weights), 8):
        w = weights[byte : byte + 8]
        table = ((values[:, None] >> np.arange(len(w))) & 1) @ w  # each byte value's clauses' weight
        cover += table[((held >> np.uint64(byte)) & np.uint64(255)).astype(np.intp)]
    return cover


def factors(postings: Postings, clauses: list[Clause] | tuple[Clause, ...], candidates: np.ndarray,
            weight: float | None = None, width: int | None = None) -> np.ndarray:
    """Return what each candidate's score is multiplied by: 1 + weight x its window cover (candidates ascending)."""
    occ = occurrences(postings, clauses, candidates, max_df=max_df(postings.doc_count))
    return cover_factors(occ, shares(postings, clauses), len(candidates), weight, width)


def max_df(sections: int) -> int:
    """Return the most sections a term may be in and still place a clause (COMMON, LONG)."""
    return max(int(COMMON * sections), LONG)


def cover_factors(occ: Occurrences, weights: np.ndarray, count: int, weight: float | None = None,
                  width: int | None = None) -> np.ndarray:
    """Return 1 + weight x each candidate's window cover, as float32 (the scores' type)."""
    weight = WEIGHT if weight is None else weight  # read now: a benchmark may change WEIGHT or WIDTH
    width = WIDTH if width is None else width
    return (1.0 + weight * window_cover(occ, weights, count, width)).astype(np.float32)


def ordered(doc: np.ndarray, pos: np.ndarray, clause: np.ndarray) -> Occurrences:
    """Return occurrences sorted by candidate, then position, then clause."""
    # One int64 key (candidate, position, clause) sorts several times quicker than a lexsort of three.
    order = np.argsort((doc.astype(np.int64) << 38) | (pos.astype(np.int64) << 6) | clause, kind="stable")
    return Occurrences(doc[order], pos[order], clause[order])


def closer_first(postings: Postings, clauses: list[Clause] | tuple[Clause, ...], docs: np.ndarray,
                 scores: np.ndarray, shown: np.ndarray, complete: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Multiply the best CANDIDATES of docs by their factors() in scores and shown (shown may be scores), in place.

    ``complete``, for keywords: which sections have every word, ranked first (search/partial.py), so the
    candidates are the best of those. The rest keep their scores: they stay below every candidate.
    Returns (scores, shown, ahead): the arrays given (Engine.search's own per query, not worth a copy
    each) and the candidates if every other doc of docs ranks strictly below all of them, else None
    (no candidates, or so many tied at the cut that it was made between equal scores).
    """
    if len(clauses) < 2 or WEIGHT == 0 or not len(docs):
        return scores, shown, None
    # the leaders by a partition of the values (twice as quick as argpartition); ties at the cut come too,
    # unless so many tie that the cut must be exact
    if complete is None:
        top = scoring._leaders(scores, docs, CANDIDATES)
        key = scores[docs] if len(top) > 4 * CANDIDATES else None
    else:  # keywords: the complete sections above the partial ones, as Engine.search ranks them
        key = partial.ranking(scores[docs], shown[docs], complete[docs], np.flatnonzero(~complete[docs]))
        top = docs[scoring._leaders(key, np.arange(len(docs)), CANDIDATES)]
    ahead = top
    if len(top) > 4 * CANDIDATES:
        top = np.sort(docs[np.argpartition(-key, CANDIDATES - 1)[:CANDIDATES]])
        ahead = None
    factor = factors(postings, clauses, top)
    scores[top] *= factor
    if shown is not scores:
        shown[top] *= factor
    return scores, shown, ahead
