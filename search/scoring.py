"""BM25F scoring and article ranking as small vector functions over all section documents.

Every function works on dense arrays indexed by document number: a clause yields a score
per document (0 where it does not match) and a boolean match per document.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .postings import Postings
from .query import Clause

# Tuned on the first 1,000 korquad1-dev questions among 60,000 kowiki articles (article
# nDCG@10): k1 1.2 -> 1.6 gave +0.009; a title weight of 2.0 -> 1.0 gave +0.05, since with
# many articles a title word boosted every section of unrelated articles; b 0.4-0.9 moved
# less than 0.01.
K1 = 1.6
B = 0.75
WEIGHTS = {"title": 1.0, "heading": 0.7, "text": 1.0}

PhraseDocs = Callable[[str, tuple[str, ...]], np.ndarray]  # (field, terms) -> matching docnums


def idf(df: int, n: int) -> float:
    """Return BM25's inverse document frequency of a term in df of n documents."""
    return float(np.log(1.0 + (n - df + 0.5) / (df + 0.5)))


def bm25(tf: np.ndarray, length: np.ndarray, average: float, df: int, n: int, k1: float = K1, b: float = B) -> np.ndarray:
    """Return BM25 term scores for term frequencies in documents of the given lengths."""
    return idf(df, n) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average))


def term_scores(postings: Postings, term: str, fields: tuple[str, ...]) -> np.ndarray:
    """Return the weighted BM25F score of one term in every document (0 where absent)."""
    scores = np.zeros(postings.doc_count, dtype=np.float32)
    for f in fields:
        ids, tfs = postings.get(f, term)
        if len(ids):
            lengths = postings.lengths(f)[ids]
            scores[ids] += WEIGHTS[f] * bm25(tfs, lengths, postings.average_length(f), len(ids), postings.doc_count)
    return scores


def clause_scores(postings: Postings, clause: Clause, phrase_docs: PhraseDocs) -> tuple[np.ndarray, np.ndarray]:
    """Return (score, match) of a clause in every document."""
    if clause.any_of:
        scores = np.zeros(postings.doc_count, dtype=np.float32)
        match = np.zeros(postings.doc_count, dtype=bool)
        for alternative in clause.any_of:
            s, count = all_of(postings, alternative, phrase_docs)
            m = count == len(alternative)
            scores += np.where(m, s, 0)
            match |= m
        return scores, match
    per_term = [term_scores(postings, t, clause.fields) for t in clause.terms]
    scores = sum(per_term)
    match = np.logical_and.reduce([s > 0 for s in per_term])
    if clause.phrase and match.any():
        adjacent = np.zeros(postings.doc_count, dtype=bool)
        for f in clause.fields:
            adjacent[phrase_docs(f, clause.terms)] = True
        match &= adjacent
    return np.where(match, scores, 0).astype(np.float32), match


def weight(postings: Postings, clause: Clause) -> float:
    """Return what a clause counts for in coordination: the idf of its terms (of its best alternative)."""
    if clause.any_of:
        return max(sum(weight(postings, c) for c in alternative) for alternative in clause.any_of)
    n = postings.doc_count
    return sum(idf(max(len(postings.get(f, t)[0]) for f in clause.fields), n) for t in clause.terms)


def matched(postings: Postings, clauses: tuple[Clause, ...] | list[Clause],
            phrase_docs: PhraseDocs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (summed score, number of clauses matched, idf-weighted share of clauses matched)."""
    scores = np.zeros(postings.doc_count, dtype=np.float32)
    count = np.zeros(postings.doc_count, dtype=np.int16)
    share = np.zeros(postings.doc_count, dtype=np.float32)
    weights = [weight(postings, c) for c in clauses]
    total = sum(weights) or 1.0
    for clause, w in zip(clauses, weights):
        s, m = clause_scores(postings, clause, phrase_docs)
        scores += s
        count += m
        share[m] += w / total
    return scores, count, share


def all_of(postings: Postings, clauses: tuple[Clause, ...] | list[Clause],
           phrase_docs: PhraseDocs) -> tuple[np.ndarray, np.ndarray]:
    """Return (summed score, number of clauses matched) in every document."""
    scores, count, _ = matched(postings, clauses, phrase_docs)
    return scores, count


def coordinated(scores: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Scale scores by the square of the idf-weighted share of clauses matched.

    Measured on korquad1-dev's 5,774 questions among 60,000 kowiki articles (tests/benchmarks/
    quality.py's chaja rows), against the square root of the share of clauses matched: section
    nDCG@10 0.851 -> 0.878, Recall@100 0.972 -> 0.976; article 0.885 -> 0.906, 0.979 -> 0.982.
    Exponents 1, 1.5 and 3 did worse (section nDCG@10 -0.010, -0.003, -0.001), and so did the plain
    share of clauses, not weighted by idf (-0.006 at exponent 1). Weighting by idf counts a rare word of the question
    ("뉘르부르크링") for more than a common one ("길이"), so the section with the distinctive words
    comes before one with many common ones.
    """
    return scores * share * share


def rank_articles(scores: np.ndarray, match: np.ndarray, article_of: np.ndarray) -> np.ndarray:
    """Return the best-matching document of each matching article, best article first.

    Ties are broken by article id (article_of holds ordinals in id order), so equal scores
    always come out in the same order.
    """
    docs = np.flatnonzero(match)
    if not len(docs):
        return docs
    order = np.lexsort((docs, article_of[docs], -scores[docs]))
    ranked = docs[order]
    _, first = np.unique(article_of[ranked], return_index=True)
    return ranked[np.sort(first)]


def rank_sections(scores: np.ndarray, match: np.ndarray, article_of: np.ndarray) -> np.ndarray:
    """Return every matching document, best first; ties by article id, then document number."""
    docs = np.flatnonzero(match)
    return docs[np.lexsort((docs, article_of[docs], -scores[docs]))]


def by_date(best: np.ndarray, dates: np.ndarray, article_of: np.ndarray) -> np.ndarray:
    """Reorder best documents newest first (undated, "", last), ties by article id descending."""
    return best[np.lexsort((article_of[best], dates[best]))[::-1]]
