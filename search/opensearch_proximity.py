"""Term proximity over OpenSearch: search/proximity.py's window cover, from the candidates' indexed text.

The cluster's text field holds a section's morphemes at their positions (chaja.index.opensearch:
positions separated by spaces, the readings of one position by READINGS), so the best sections'
occurrences of the query's words are read from their _source. Their factors then multiply their
scores in the page query, as function_score weights on their ids: the ranking Engine.search's
closer_first gives, at the cost of one more request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from chaja.index import opensearch as osx
from chaja.index import opensearch_docs, schema

from . import proximity
from .query import Clause


def occurrences(texts: Sequence[str], clauses: Sequence[Clause], df: Callable[[str], int],
                max_df: int) -> proximity.Occurrences:
    """Return where each clause's terms (proximity.terms_of) stand in these indexed texts (a candidate each)."""
    by_token: dict[str, list[int]] = {}
    for c, clause in enumerate(clauses[: proximity.MAX_CLAUSES]):
        for term in proximity.terms_of(clause, df):
            if df(term) <= max_df:
                by_token.setdefault(opensearch_docs.token(term), []).append(c)
    doc, pos, clause_of = [], [], []
    for d, text in enumerate(texts):
        for p, readings in enumerate(text.split(" ") if text else ()):
            for reading in readings.split(osx.READINGS):
                for c in by_token.get(reading, ()):
                    doc.append(d)
                    pos.append(p)
                    clause_of.append(c)
    return proximity.ordered(np.array(doc, dtype=np.int32), np.array(pos, dtype=np.int32),
                             np.array(clause_of, dtype=np.int32))


def closer(search: Callable[..., dict], query: dict, sort: list, clauses: Sequence[Clause], weights: Sequence[float],
           frequencies: tuple[dict[tuple[str, str], int], int]) -> dict:
    """Return the query with its best proximity.CANDIDATES sections' scores multiplied by their factors.

    weights: each clause's weight in coordination; frequencies: the clauses' terms' (field, term)
    document frequencies and the number of sections. Ties at the candidates' cut come too unless
    more than four times CANDIDATES tie, as in closer_first.
    """
    if len(clauses) < 2 or proximity.WEIGHT == 0:
        return query
    limit = 4 * proximity.CANDIDATES
    hits = search({"query": query, "size": limit + 1, "sort": sort, "track_scores": True,
                   "_source": [schema.TEXT]}, search_type="dfs_query_then_fetch")["hits"]["hits"]
    if not hits:
        return query
    cut = hits[min(len(hits), proximity.CANDIDATES) - 1]["_score"]
    top = [h for h in hits if h["_score"] >= cut]
    if len(top) > limit:
        top = hits[: proximity.CANDIDATES]
    df, sections = frequencies
    occ = occurrences([h["_source"].get(schema.TEXT, "") for h in top], clauses,
                      lambda t: df.get((schema.TEXT, t), 0), proximity.max_df(sections))
    w = np.asarray(weights, dtype=np.float64)
    shares = w / w.sum() if w.sum() > 0 else w
    factors = proximity.cover_factors(occ, shares, len(top))
    functions = [{"filter": {"ids": {"values": [h["_id"]]}}, "weight": float(f)}
                 for h, f in zip(top, factors.tolist()) if f != 1.0]
    if not functions:
        return query
    return {"function_score": {"query": query, "functions": functions, "score_mode": "first",
                               "boost_mode": "multiply"}}

