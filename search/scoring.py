"""BM25F scoring and article ranking as small vector functions over all section documents.

A term or a clause yields sparse (documents, scores) arrays; a query adds them up into dense
arrays indexed by document number: per document a score, the number of clauses matched and
their idf-weighted share of the query.
"""

from __future__ import annotations

import numpy as np

from chaja.index import arrays_write
from chaja.index.arrays import FIELDS

from .postings import Postings
from .query import Clause

# The BM25F settings the index's impacts were computed with (tuned there); a benchmark may change
# this copy of the weights to score other weights at query time (slower: computed per query).
K1, B = arrays_write.K1, arrays_write.B
FIELD_B = dict(arrays_write.FIELD_B)  # b per field where it is not B
WEIGHTS = dict(arrays_write.WEIGHTS)

Sparse = tuple[np.ndarray, np.ndarray]  # (ascending document numbers, a value for each)
_NOTHING: Sparse = (np.zeros(0, np.int32), np.zeros(0, np.float32))


def idf(df: int, n: int) -> float:
    """Return BM25's inverse document frequency of a term in df of n documents."""
    return float(np.log(1.0 + (n - df + 0.5) / (df + 0.5)))


def bm25(tf: np.ndarray, length: np.ndarray, average: float, df: int, n: int, k1: float = K1, b: float = B) -> np.ndarray:
    """Return BM25 term scores for term frequencies in documents of the given lengths."""
    return idf(df, n) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average))


def term_impacts(postings: Postings, term: str, fields: tuple[str, ...]) -> Sparse:
    """Return the documents holding term in any of fields, with its weighted BM25F score in each.

    Over all searched fields with these settings the scores were computed when the generation
    was written (chaja.index.arrays), so a query only gathers and adds them up.
    """
    if tuple(fields) == FIELDS and _as_indexed(postings):
        return postings.impacts(term)
    return computed_impacts(postings, term, fields)


def _as_indexed(postings: Postings) -> bool:
    """Tell whether the index's impacts are scored as asked: with these settings, or with the defaults over an
    index written before b per field (it ranks by its own b until it is rebuilt, as quickly as before)."""
    k1, b, field_b, weights = postings.impact_settings()
    if field_b is None and (K1, B, FIELD_B, WEIGHTS) == (arrays_write.K1, arrays_write.B, arrays_write.FIELD_B,
                                                         arrays_write.WEIGHTS):
        return (k1, b, weights) == (K1, B, WEIGHTS)
    return (k1, b, field_b, weights) == (K1, B, FIELD_B, WEIGHTS)


def computed_impacts(postings: Postings, term: str, fields: tuple[str, ...]) -> Sparse:
    """Return term_impacts computed now from the postings and field lengths, with this module's settings."""
    parts = []
    for f in fields:
        ids, tfs = postings.get(f, term)
        if len(ids):
            lengths = postings.lengths(f)[ids]
            scores = WEIGHTS[f] * bm25(tfs.astype(np.float32), lengths, postings.average_length(f), len(ids),
                                       postings.doc_count, K1, FIELD_B.get(f, B))
            parts.append((ids, scores.astype(np.float32)))
    if not parts:
        return _NOTHING
    if len(parts) == 1:
        return parts[0]
    ids, where = np.unique(np.concatenate([i for i, _ in parts]), return_inverse=True)
    scores = np.bincount(where, weights=np.concatenate([w for _, w in parts]), minlength=len(ids))
    return ids.astype(np.int32), scores.astype(np.float32)


def clause_scores(postings: Postings, clause: Clause) -> Sparse:
    """Return the documents a clause matches, with its score in each."""
    if clause.any_of:  # the sum over the alternatives whose clauses all match
        parts = [_every(postings, alternative) for alternative in clause.any_of]
        ids, where = np.unique(np.concatenate([i for i, _ in parts]), return_inverse=True)
        scores = np.bincount(where, weights=np.concatenate([s for _, s in parts]), minlength=len(ids))
        return ids.astype(np.int32), scores.astype(np.float32)
    ids, scores = term_impacts(postings, clause.terms[0], clause.fields)
    for term in clause.terms[1:]:  # every morpheme of the word must match
        other_ids, other_scores = term_impacts(postings, term, clause.fields)
        ids, mine, theirs = np.intersect1d(ids, other_ids, assume_unique=True, return_indices=True)
        scores = scores[mine] + other_scores[theirs]
    if clause.phrase and len(ids):
        adjacent = np.concatenate([phrase_docs(postings, f, clause.terms, ids) for f in clause.fields])
        keep = np.isin(ids, adjacent)
        ids, scores = ids[keep], scores[keep]
    return ids, scores


def _every(postings: Postings, clauses: tuple[Clause, ...]) -> Sparse:
    """Return the documents that match every one of clauses, with their summed scores."""
    ids, scores = clause_scores(postings, clauses[0])
    for clause in clauses[1:]:
        other_ids, other_scores = clause_scores(postings, clause)
        ids, mine, theirs = np.intersect1d(ids, other_ids, assume_unique=True, return_indices=True)
        scores = scores[mine] + other_scores[theirs]
    return ids, scores


def phrase_docs(postings: Postings, field: str, terms: tuple[str, ...], candidates: np.ndarray) -> np.ndarray:
    """Return the candidates in whose field the terms stand one right after another."""
    docs = candidates
    for term in set(terms):
        docs = np.intersect1d(docs, postings.get(field, term)[0], assume_unique=True)
    if not len(docs):
        return docs
    positions = {term: postings.positions(field, term, docs) for term in set(terms)}
    return np.array([d for d in docs.tolist() if _in_a_row([positions[t][d] for t in terms])], dtype=np.int64)


def _in_a_row(positions: list[list[int]]) -> bool:
    """Tell whether some position p of the first term has the k-th term at p + k, for every k."""
    starts = set(positions[0])
    for k, later in enumerate(positions[1:], 1):
        starts &= {p - k for p in later}
        if not starts:
            return False
    return True


def weight(postings: Postings, clause: Clause) -> float:
    """Return what a clause counts for in coordination: the idf of its terms (of its best alternative)."""
    if clause.any_of:
        return max(sum(weight(postings, c) for c in alternative) for alternative in clause.any_of)
    n = postings.doc_count
    return sum(idf(max(postings.df(f, t) for f in clause.fields), n) for t in clause.terms)


def matched(postings: Postings, clauses: tuple[Clause, ...] | list[Clause],
            documents: dict[Clause, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (summed score, number of clauses matched, idf-weighted share of clauses matched) in every document.

    ``documents``, if given, receives each clause's documents, for matches_any to use instead of reading them again.
    """
    scores = np.zeros(postings.doc_count, dtype=np.float32)
    count = np.zeros(postings.doc_count, dtype=np.int16)
    share = np.zeros(postings.doc_count, dtype=np.float32)
    weights = [weight(postings, c) for c in clauses]
    total = sum(weights) or 1.0
    parts = [clause_scores(postings, c) for c in clauses]
    if documents is not None:
        documents.update((c, ids) for c, (ids, _) in zip(clauses, parts))
    if parts:
        # One unbuffered add over all clauses' postings at once: each document's float32 sums still
        # run in clause order, so they equal adding clause by clause (scores[ids] += s), in half the time.
        ids = np.concatenate([i for i, _ in parts])
        np.add.at(scores, ids, np.concatenate([s for _, s in parts]))
        np.add.at(count, ids, np.int16(1))  # a Python 1 takes numpy's slow path: 30x slower
        np.add.at(share, ids, np.repeat(np.array([w / total for w in weights], dtype=np.float32),
                                        [len(i) for i, _ in parts]))
    # Postings include the documents deleted by an update: they match nothing.
    for a in (scores, count, share):
        a[postings.deleted] = 0
    return scores, count, share


def matches_any(postings: Postings, clauses: list[Clause],
                documents: dict[Clause, np.ndarray] | None = None) -> np.ndarray:
    """Return which documents match at least one of clauses (matched()'s count > 0, without scoring them).

    ``documents``: the clauses' documents matched() already read for this query, if any.
    """
    hit = np.zeros(postings.doc_count, dtype=bool)
    known = documents or {}
    for clause in clauses:
        ids = known.get(clause)
        hit[clause_scores(postings, clause)[0] if ids is None else ids] = True
    hit[postings.deleted] = False
    return hit


def coordinated(scores: np.ndarray, share: np.ndarray, at: np.ndarray | None = None) -> np.ndarray:
    """Scale scores by the square of the idf-weighted share of clauses matched (with ``at``, those documents' only, in place).

    Measured on korquad1-dev's 5,774 questions among 60,000 kowiki articles (tests/benchmarks/
    quality.py's chaja rows), against the square root of the share of clauses matched: section
    nDCG@10 0.851 -> 0.878, Recall@100 0.972 -> 0.976; article 0.885 -> 0.906, 0.979 -> 0.982.
    Exponents 1, 1.5 and 3 did worse (section nDCG@10 -0.010, -0.003, -0.001), and so did the plain
    share of clauses, not weighted by idf (-0.006 at exponent 1). Weighting by idf counts a rare word
    of the question ("뉘르부르크링") for more than a common one ("길이"), so the section with the
    distinctive words comes before one with many common ones.
    """
    if at is None:
        return scores * share * share
    part = share[at]
    scores[at] = scores[at] * part * part
    return scores


def _leaders(scores: np.ndarray, docs: np.ndarray, limit: int, group: np.ndarray | None = None) -> np.ndarray:
    """Return the docs scoring at least some threshold, such that they hold `limit` docs (or groups).

    Every doc scoring at least the threshold is kept, so ties at the cut stay together and
    the ranking of the leaders is the ranking of all docs, cut at `limit`.
    """
    want = limit
    while want < len(docs):
        s = scores[docs]
        threshold = np.partition(s, len(s) - want)[len(s) - want]
        leaders = docs[s >= threshold]
        if group is None or len(np.unique(group[leaders])) >= limit:
            return leaders
        want *= 4
    return docs


def count_articles(docs: np.ndarray, article_of: np.ndarray) -> int:
    """Return how many articles the documents belong to."""
    seen = np.zeros(int(article_of.max(initial=-1)) + 1, dtype=bool)
    seen[article_of[docs]] = True
    return int(np.count_nonzero(seen))


def rank_articles(scores: np.ndarray, docs: np.ndarray, article_of: np.ndarray, limit: int | None = None) -> np.ndarray:
    """Return the best of the matching documents of each article, best article first.

    Ties are broken by article id (article_of holds ordinals in id order), so equal scores
    always come out in the same order. With a limit, only the first `limit` articles.
    """
    if limit is not None:
        docs = _leaders(scores, docs, limit, article_of)
    if not len(docs):
        return docs
    order = np.lexsort((docs, article_of[docs], -scores[docs]))
    ranked = docs[order]
    _, first = np.unique(article_of[ranked], return_index=True)
    return ranked[np.sort(first)][:limit]


def rank_sections(scores: np.ndarray, docs: np.ndarray, article_of: np.ndarray, limit: int | None = None) -> np.ndarray:
    """Return the matching documents (or the first `limit`), best first; ties by article id, then document number."""
    if limit is not None:
        docs = _leaders(scores, docs, limit)
    return docs[np.lexsort((docs, article_of[docs], -scores[docs]))][:limit]


def by_date(best: np.ndarray, dates: np.ndarray, article_of: np.ndarray) -> np.ndarray:
    """Reorder best documents newest first (undated, "", last), ties by article id descending."""
    return best[np.lexsort((article_of[best], dates[best]))[::-1]]
