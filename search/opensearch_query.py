"""The query DSL of chaja's parsed clauses: each clause scores on the cluster as chaja.search.scoring scores it."""

from __future__ import annotations

from chaja.index import opensearch as osx
from chaja.index import opensearch_docs, schema

from . import grams, partial, scoring
from .query import Clause, Parsed

_token = opensearch_docs.token
DF_PAIRS = 3_000  # (field, term) document frequencies asked in one request


def terms_of(clauses: list[Clause] | tuple[Clause, ...]) -> list[str]:
    """Return every term the clauses ask for, in any alternative, sorted."""
    def terms(clause: Clause) -> list[str]:
        if clause.any_of:
            return [t for alternative in clause.any_of for c in alternative for t in terms(c)]
        return list(clause.terms)

    return sorted({t for c in clauses for t in terms(c)})


def term_query(term: str, fields: tuple[str, ...]) -> dict:
    """Match a term in any of fields, scoring the sum of its weighted BM25 in each."""
    should = [{"term": {f: {"value": _token(term), "boost": scoring.WEIGHTS[f]}}} for f in fields]
    return should[0] if len(should) == 1 else {"bool": {"should": should, "minimum_should_match": 1}}


def clause_query(clause: Clause) -> dict:
    """Return the query DSL of one clause (scoring as chaja.search.scoring.clause_scores)."""
    if clause.any_of:  # the sum over the alternatives whose clauses all match
        alternatives = [{"bool": {"must": [clause_query(c) for c in alt]}} for alt in clause.any_of]
        return {"bool": {"should": alternatives, "minimum_should_match": 1}}
    must = [term_query(t, clause.fields) for t in clause.terms]
    if not clause.phrase:
        return must[0] if len(must) == 1 else {"bool": {"must": must}}
    phrase = " ".join(_token(t) for t in clause.terms)
    adjacent = [{"match_phrase": {f: {"query": phrase, "slop": 0}}} for f in clause.fields]
    return {"bool": {"must": must, "filter": [{"bool": {"should": adjacent, "minimum_should_match": 1}}]}}


def coordinated(clauses: list[Clause], weights: list[float], base: dict) -> dict:
    """Scale base's scores by the squared idf-weighted share of clauses matched (scoring.coordinated)."""
    total = sum(weights) or 1.0
    functions = [{"filter": clause_query(c), "weight": w / total} for c, w in zip(clauses, weights)]
    query = base
    for _ in range(2):  # share * share: one multiplication per nesting
        query = {"function_score": {"query": query, "functions": functions, "score_mode": "sum", "boost_mode": "multiply"}}
    return query


def listed(parsed: Parsed) -> dict:
    """Return the filter of the sections a partial list holds: every clause, or partial.eligible's."""
    every = {"bool": {"filter": [clause_query(c) for c in parsed.clauses]}}
    if not parsed.carrying:
        return every
    some = {"bool": {"should": [clause_query(c) for c in parsed.carrying], "minimum_should_match": 1}}
    eligible = {"bool": {"filter": [some] + [clause_query(c) for c in partial.required(parsed)]}}
    return {"bool": {"should": [every, eligible], "minimum_should_match": 1}}


def with_spelled(query: dict, spelled: list[dict]) -> dict:
    """Return query with the bigram clauses (spelled_clauses) added to its score, matching what it matches."""
    if not spelled:
        return query
    if "bool" in query and "must" in query["bool"] and "should" not in query["bool"]:
        return {"bool": {**query["bool"], "should": spelled}}
    return {"bool": {"must": [query], "should": spelled}}


def spelled_clauses(texts: list[str], frequencies) -> list[dict]:
    """Return a should-clause a bigram of the query's words, each scoring grams.WEIGHT x its BM25, without the
    bigrams the embedded engine leaves out as too common (chaja.search.grams); frequencies: a Frequencies."""
    tokens = grams.tokens_of(texts)
    if not tokens or not grams.WEIGHT:
        return []
    df, n = frequencies(tokens, (osx.GRAM,))
    return [{"term": {osx.GRAM: {"value": t, "boost": grams.WEIGHT}}} for t in tokens
            if not grams.too_common(df[(osx.GRAM, t)], n)]


class Frequencies:
    """The document frequencies asked of the cluster, each (field, term) asked once while this object serves.

    A question needs them three times (the bigrams kept, coordination's weights, proximity's shares), a
    backoff twice more, and the next questions mostly the same words again. Called with (terms, fields),
    or of() with (field, term) pairs: ({(field, term): sections holding it}, sections). An update changes
    the frequencies in place, so the engine replaces this object whenever it looks the alias up again
    (every few seconds). Bounded: forgets everything past MAX pairs.
    """

    MAX = 200_000  # pairs remembered (some 40 MB)

    def __init__(self, search):
        self.search = search  # a request's body -> its response
        self.known: dict[tuple[str, str], int] = {}
        self.sections: int | None = None  # how many sections the index holds, from the last request
        self.requests = 0  # requests made: what the memo saves is measurable (tests, benchmarks)

    def __call__(self, terms: list[str], fields: tuple[str, ...] = schema.SEARCHED
                 ) -> tuple[dict[tuple[str, str], int], int]:
        return self.of([(f, t) for t in terms for f in fields])

    def of(self, pairs: list[tuple[str, str]]) -> tuple[dict[tuple[str, str], int], int]:
        """Return the frequencies of (field, term) pairs and the number of sections, asking only the new pairs."""
        known, sections = self.known, self.sections  # a full memo is replaced, never cleared under another thread
        missing = [p for p in dict.fromkeys(pairs) if p not in known]
        if not missing and sections is not None:
            return {p: known[p] for p in pairs}, sections
        got: dict[tuple[str, str], int] = {}
        for start in range(0, max(len(missing), 1), DF_PAIRS):  # bounded requests for a long article
            chunk = missing[start : start + DF_PAIRS]
            body: dict = {"size": 0, "track_total_hits": True}
            if chunk:
                body["aggs"] = {"df": {"filters": {"filters": {str(i): {"term": {f: _token(t)}}
                                                               for i, (f, t) in enumerate(chunk)}}}}
            response = self.search(body)
            self.requests += 1
            if chunk:
                buckets = response["aggregations"]["df"]["buckets"]
                got.update((pair, buckets[str(i)]["doc_count"]) for i, pair in enumerate(chunk))
            sections = self.sections = response["hits"]["total"]["value"]
        if len(known) + len(got) > self.MAX:
            self.known = dict(got)
        else:
            known.update(got)
        return {p: got[p] if p in got else known[p] for p in pairs}, sections
