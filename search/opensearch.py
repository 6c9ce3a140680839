"""Engine.search over an OpenSearch cluster: the parsed query as query DSL, the same policy and results.

What the embedded engine computes in numpy the cluster computes here: a clause's score is the
sum over its terms of their BM25 in each field times the field's weight (term queries with
boosts under the index's BM25 similarity); an article ranks by its best section (`collapse` on
the article id, a `cardinality` aggregation for the total). A query of more than STRICT_WORDS
words has its scores coordinated by the squared idf-weighted share of clauses matched, as two
nested function_score queries whose functions each add a matched clause's share; keywords list
the sections with every word first, scored as AND scores them, then the partial ones so
coordinated, their scores scaled below (chaja.search.partial). Searches are
dfs_query_then_fetch, so term statistics are the whole index's, as in the embedded index, not
each shard's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple

from chaja.index import opensearch as osx
from chaja.index import opensearch_docs, opensearch_load, schema
from chaja.index.store import IndexUnavailable

from . import backoff, context, facets, grams, opensearch_facets, opensearch_proximity, partial, related, scoring
from .engine import MAX_RELATED, STRICT_WORDS, Engine, article_view, hit_of, prepare
from .opensearch_query import Frequencies, clause_query, coordinated, listed, spelled_clauses, terms_of, with_spelled
from .query import Clause, Parsed, QueryError, parse
from .results import ArticleView, ResultPage
from .suggest import keyboard_suggestion

TRIES = 4  # a search that fails because a node went away is tried again on the others
MAX_EXCLUDED_ARTICLES = 10_000  # articles an exclusion can remove (terms query on their ids)
# A keyword query's partial matches score this times their coordinated score: below any complete
# match's score (a sum of BM25 scores, over 1e-8 unless a term is in nearly all of 10^7 sections).
PARTIAL_SCALE = 2.0 ** -40




class Serving(NamedTuple):
    """The physical index the alias names and how its texts were read: its user words, and word by word or not."""

    name: str
    user_words: tuple
    word_cache: bool


class OpenSearchEngine(Engine):
    """Engine.search, article and stats over an alias on an OpenSearch cluster."""

    def __init__(self, index=None):
        self.loc = osx.location(index)
        self.root = self.loc
        self.es = osx.client(self.loc, timeout=20)
        self._lock = threading.Lock()
        self._serving: Serving | None = None
        self._checked = 0.0
        # what the cluster answered since the alias was last looked up (an update changes it in place):
        self._frequencies = Frequencies(self._search)  # document frequencies
        self._bounds: tuple[str | None, str | None] | None = None  # the oldest and newest date
        # Read queries word by word (True) or in context (False); None: as the index was analysed
        # (its _meta's word_cache), as Engine.query_by_word.
        self.query_by_word: bool | None = None

    # -- the serving index, looked up again every few seconds --------------------------------

    def _current(self) -> Serving:
        """Return the physical index the alias names and how it was analysed; IndexUnavailable if there is none."""
        now = time.monotonic()
        if self._serving is not None and now - self._checked < 2:
            return self._serving
        with self._lock:
            name = self._call(lambda: osx.serving_index(self.es, self.loc))
            if name is None:
                raise IndexUnavailable(f"no index at {self.loc}; build one with `chaja index rebuild --index {self.loc}`")
            if self._serving is None or self._serving[0] != name:
                meta = self._call(lambda: osx.meta(self.es, name))
                self._serving = Serving(name, tuple(tuple(w) for w in meta.get("user_words", [])),
                                        opensearch_load.word_cache_of(meta))
            self._frequencies, self._bounds = Frequencies(self._search), None
            self._checked = now
            return self._serving

    def _call(self, call):
        """Run a cluster call, retrying on lost nodes and 5xx; IndexUnavailable when the cluster stays away."""
        from opensearchpy.exceptions import OpenSearchException

        try:
            return osx.retrying(self.loc, call, tries=TRIES, first_wait=0.2)
        except OpenSearchException as e:
            raise osx.unreachable(self.loc, e) from e

    def _search(self, body: dict, **params) -> dict:
        """Search the alias; a response missing shards (a node just died) is tried again."""
        from opensearchpy.exceptions import TransportError

        def once():
            response = self.es.search(index=self.loc.alias, body=body, allow_partial_search_results=False, **params)
            if response["_shards"].get("failed") or response.get("timed_out"):
                raise TransportError(503, "partial results", response["_shards"])
            return response

        return self._call(once)

    def warm(self, timeout: float | None = None) -> bool:
        """Tell that the index is ready: the cluster keeps its own caches."""
        self._current()
        return True

    @property
    def generation(self) -> str:
        return self._current().name

    def _parse(self, serving: Serving, text: str) -> Parsed:
        """Parse a query as the serving index's texts were read: word by word or in context."""
        by_word = serving.word_cache if self.query_by_word is None else self.query_by_word
        parsed = parse(text, serving.user_words, by_word)
        words = backoff.words(parsed)
        if parsed.clauses:  # what backoff and the ranking will ask (its words, terms and letter pairs), in one request
            self._frequencies.of([(f, t) for t in words + terms_of(parsed.clauses) for f in schema.SEARCHED]
                                 + [(osx.GRAM, t) for t in grams.tokens_of(parsed.texts)])
        return backoff.expand(parsed, self._held(words), serving.user_words)

    def _held(self, words: list[str]) -> Callable[[str], bool]:
        """Return backoff's held() over the cluster: the words, then the pieces of those it lacks, asked at once."""
        if not words or not backoff.KINDS:
            return lambda term: False
        df, _ = self._frequencies(words)
        held = {t for (_, t), d in df.items() if d}
        pieces = [p for w in words if w not in held for p in backoff.pieces(w) if p != w]
        if pieces:
            df, _ = self._frequencies(pieces)
            held |= {t for (_, t), d in df.items() if d}
        return held.__contains__

    # -- search -----------------------------------------------------------------------------

    def search(self, q: str, page: int = 1, size: int = 10, sort: str = "relevance", source: str | None = None,
               date_from: str | None = None, date_to: str | None = None, group: str = "article",
               correct: bool = True) -> ResultPage:
        """Search articles as Engine.search does; raise QueryError for bad parameters, never for the query text.

        Corrections come from the keyboard layout only: the cluster keeps no vocabulary.
        """
        started = time.perf_counter()
        serving = self._current()
        asked = prepare(q, lambda text: self._parse(serving, text), page, size, sort, source, date_from, date_to, group)
        if asked.answer is not None:
            return asked.answer
        q, parsed, page_of = asked.q, asked.parsed, asked.page_of
        page, size, sort, source = asked.checked.page, asked.checked.size, asked.checked.sort, asked.checked.source
        date_from, date_to = asked.checked.date_from, asked.checked.date_to
        filters = self._filters(parsed)
        clauses, n = parsed.clauses, len(parsed.clauses)
        by_date = sort == "date" or not n
        asked = dict(page=page, size=size, by_date=by_date, group=group, clauses=clauses)
        relaxed = False
        tiered = partial.tiered(parsed) and not by_date  # keywords newest first: every word, as embedded
        partial_from = None
        # the letter pairs of the words, as the embedded engine adds them (chaja.search.grams)
        spelled = spelled_clauses(parsed.texts, self._frequencies) if n and not by_date else []
        every_word = {"bool": {"filter": [clause_query(c) for c in clauses]}}

        def facets_of(matching: dict) -> dict:
            """The facets' aggregation, riding on the page's request: they count what the list holds (every
            word, or what may stand for some of them: keywords listing partial matches, a relaxed or a long query)."""
            return {"facets": opensearch_facets.aggregation(matching, filters["must_not"], parsed.sources,
                                                            parsed.date_ranges, self._date_bounds())}

        if not n:
            response = self._page({"bool": {"filter": filters["filter"], "must_not": filters["must_not"]}},
                                  aggs=facets_of(every_word), **asked)
        elif tiered:
            complete = {"filter": every_word}
            if group == "article":
                complete["aggs"] = {"articles": {"cardinality": {"field": schema.ARTICLE, "precision_threshold": 40_000}}}
            response = self._page(self._tiered(parsed, filters, spelled),
                                  aggs={"complete": complete, **facets_of(listed(parsed))}, **asked)
            every_one = response["aggregations"]["complete"]
            whole = every_one["articles"]["value"] if group == "article" else every_one["doc_count"]
            partial_from = partial.boundary(whole, self._total(response, group))
            relaxed = not whole
        elif n <= STRICT_WORDS:
            response = self._page(with_spelled({"bool": {"must": [clause_query(c) for c in clauses], **filters}}, spelled),
                                  aggs=facets_of(every_word), **asked)
            if not self._total(response, group) and parsed.can_relax:
                relaxed = True
                response = self._page(with_spelled(self._coordinated(parsed, filters), spelled),
                                      aggs=facets_of(listed(parsed)), **asked)
        else:
            every = [clause_query(c) for c in clauses] + filters["filter"]
            complete = {"filter": {"bool": {"filter": every, "must_not": filters["must_not"]}}}
            response = self._page(with_spelled(self._coordinated(parsed, filters), spelled),
                                  aggs={"complete": complete, **facets_of(listed(parsed))}, **asked)
            relaxed = parsed.can_relax and not response["aggregations"]["complete"]["doc_count"]
        total = self._total(response, group)
        found = self._found(response)
        if partial_from is not None:  # the partial hits' scores were scaled below every complete one's
            first = (page - 1) * size
            found = [(src, score / PARTIAL_SCALE if first + i >= partial_from else score)
                     for i, (src, score) in enumerate(found)]
        stored = [opensearch_docs.stored_fields(src) for src, _ in found]
        hits = [hit_of(f, score, parsed.marks) for f, (_, score) in zip(stored, found)]
        if group == "article":  # a hit that is the same story as a better one is folded into it, as embedded
            hits = [replace(hits[g[0]], duplicates=tuple(hits[i].id for i in g[1:])) for g in related.same_stories(stored)]
        counted = opensearch_facets.counted(response["aggregations"]["facets"])
        suggestion = keyboard_suggestion(q, lambda text: self._has_hits(serving, text)) if not total else None
        if suggestion and correct:  # it found nothing and the suggestion finds something: show that
            fixed = self.search(suggestion, page, size, sort, source, date_from, date_to, group, correct=False)
            return replace(fixed, query=q, suggestion=suggestion, corrected=True,
                           took_ms=(time.perf_counter() - started) * 1000)
        return replace(page_of(hits, total, relaxed and total > 0, None, suggestion, counted), partial_from=partial_from)

    def _filters(self, parsed: Parsed) -> dict:
        """Return the bool filter and must_not of the query's source and date filters and its exclusions.

        Filters apply to each section; an excluded word removes the whole article, so the
        articles holding it are looked up first.
        """
        filter_ = opensearch_facets.source_filters(parsed.sources) + opensearch_facets.date_filters(parsed.date_ranges)
        must_not = []
        if parsed.excluded:
            query = {"bool": {"should": [clause_query(c) for c in parsed.excluded], "minimum_should_match": 1}}
            body = {"size": 0, "query": query,
                    "aggs": {"articles": {"terms": {"field": schema.ARTICLE, "size": MAX_EXCLUDED_ARTICLES}}}}
            buckets = self._search(body)["aggregations"]["articles"]["buckets"]
            if buckets:
                must_not.append({"terms": {schema.ARTICLE: [b["key"] for b in buckets]}})
        return {"filter": filter_, "must_not": must_not}

    def _coordinated(self, parsed: Parsed, filters: dict) -> dict:
        """Return the query matching any clause, coordinated by the idf-weighted share matched.

        A section matching only lone digits or syllables ("alert(1)"), or missing a title: word, is
        left out unless it matches every clause, as in the embedded engine (chaja.search.partial).
        """
        filter_ = list(filters["filter"])
        if len(parsed.carrying) < len(parsed.clauses) or partial.required(parsed):
            filter_.append(listed(parsed))
        base = {"bool": {"should": [clause_query(c) for c in parsed.clauses], "minimum_should_match": 1,
                         "filter": filter_, "must_not": filters["must_not"]}}
        return coordinated(parsed.clauses, self._weights(parsed.clauses), base)

    def _tiered(self, parsed: Parsed, filters: dict, spelled: list[dict]) -> dict:
        """Return a keyword query's: every clause scored as AND scores it, above the partial matches coordinated.

        The partial matches' scores are scaled by PARTIAL_SCALE, a power of two: exact in floating
        point, so they keep their order among themselves and stay below every complete match's. Each
        tier's score has the bigrams' added (spelled), as the embedded engine adds them before tiering.
        """
        every = [clause_query(c) for c in parsed.clauses]
        some = {"bool": {"must": [self._coordinated(parsed, {"filter": [], "must_not": []})],
                         "must_not": [{"bool": {"filter": every}}], "boost": PARTIAL_SCALE,
                         **({"should": spelled} if spelled else {})}}
        complete = {"bool": {"must": every, **({"should": spelled} if spelled else {})}}
        return {"bool": {"should": [complete, some], "minimum_should_match": 1, **filters}}

    def _weights(self, clauses: list[Clause]) -> list[float]:
        """Return each clause's weight in coordination, from the index's document frequencies (scoring.weight)."""
        df, n = self._frequencies(terms_of(clauses))

        def weight(clause: Clause) -> float:
            if clause.any_of:
                return max(sum(weight(c) for c in alternative) for alternative in clause.any_of)
            return sum(scoring.idf(max(df[(f, t)] for f in clause.fields), n) for t in clause.terms)

        return [weight(c) for c in clauses]

    def _page(self, query: dict, page: int, size: int, by_date: bool, group: str, aggs: dict | None = None,
              clauses: list[Clause] | tuple[Clause, ...] = ()) -> dict:
        """Run the query for one page of articles (best section each) or of sections, with the total.

        Ranked by relevance, the best sections holding the query's words close together come first
        (search/opensearch_proximity.py, as search/proximity.py in the embedded engine).
        """
        sort = ([{schema.DATE: {"order": "desc", "missing": "_last"}}, {schema.ARTICLE: "desc"}] if by_date
                else ["_score", {schema.ARTICLE: "asc"}, {schema.SECTION: "asc"}])
        if not by_date and context.LEAD_BOOST != 1.0:  # an article's lead names a close call (search/context.py)
            lead = {"filter": {"term": {schema.SECTION: 0}}, "weight": context.LEAD_BOOST}
            query = {"function_score": {"query": query, "functions": [lead], "boost_mode": "multiply"}}
        if not by_date and len(clauses) >= 2:
            query = opensearch_proximity.closer(self._search, query, sort, clauses, self._weights(clauses),
                                                self._frequencies(terms_of(clauses)))
        body = {"query": query, "from": (page - 1) * size, "size": size, "sort": sort, "track_total_hits": True,
                "track_scores": True, "aggs": dict(aggs or {})}
        if group == "article":
            body["collapse"] = {"field": schema.ARTICLE}
            if by_date:  # the section shown is the article's best, as when ranking by relevance
                body["collapse"]["inner_hits"] = {"name": "best", "size": 1,
                                                  "sort": ["_score", {schema.SECTION: "asc"}]}
            body["aggs"]["articles"] = {"cardinality": {"field": schema.ARTICLE, "precision_threshold": 40_000}}
        return self._search(body, search_type="dfs_query_then_fetch")

    @staticmethod
    def _total(response: dict, group: str) -> int:
        if group == "article":
            return response["aggregations"]["articles"]["value"]
        return response["hits"]["total"]["value"]

    @staticmethod
    def _found(response: dict) -> list[tuple[dict, float]]:
        """Return (_source, score) of each hit, the best section's where hits were collapsed by date."""
        found = []
        for h in response["hits"]["hits"]:
            if "inner_hits" in h:
                h = h["inner_hits"]["best"]["hits"]["hits"][0]
            found.append((h["_source"], h.get("_score") or 0.0))
        return found

    def _has_hits(self, serving: Serving, text: str) -> bool:
        parsed = self._parse(serving, text)
        if not parsed.clauses:
            return False
        body = {"size": 0, "terminate_after": 1, "query": {"bool": {"filter": [clause_query(c) for c in parsed.clauses]}}}
        return self._search(body)["hits"]["total"]["value"] > 0

    # -- articles and statistics ------------------------------------------------------------

    def article(self, article_id: str, query: str | None = None) -> ArticleView | None:
        """Return a whole article with the query's words marked, or None if the id is unknown."""
        serving = self._current()
        body = {"size": 10_000, "query": {"term": {schema.ARTICLE: article_id}}, "sort": [{schema.SECTION: "asc"}]}
        hits = self._search(body)["hits"]["hits"]
        if not hits:
            return None
        marks = self._parse(serving, query or "").marks
        return article_view(article_id, [opensearch_docs.stored_fields(h["_source"]) for h in hits], marks)

    def vocabulary(self) -> None:
        """Return None: the cluster keeps no vocabulary, so there are no completions or word corrections."""
        return None

    def related(self, article_id: str, size: int = 5) -> list[related.Related] | None:
        """Return the articles closest to one by its distinctive words (never itself); None for an unknown id."""
        if not isinstance(size, int) or not 1 <= size <= MAX_RELATED:
            raise QueryError(f"size must be a whole number from 1 to {MAX_RELATED}")
        self._current()
        body = {"size": 10_000, "query": {"term": {schema.ARTICLE: article_id}}, "sort": [{schema.SECTION: "asc"}]}
        own = self._search(body)["hits"]["hits"]
        if not own:
            return None
        counts = related.term_counts([opensearch_docs.stored_fields(h["_source"]) for h in own])
        df, n = self._frequencies(sorted(counts))
        weighted = []
        for term, tf in counts.items():  # as chaja.search.related.distinctive
            found = max(df[(f, term)] for f in schema.SEARCHED)
            if 1 < found <= max(related.COMMON * n, 10) and (len(term) > 1 or not term.isascii()):
                weighted.append((tf * scoring.idf(found, n), term))
        terms = [t for _, t in sorted(weighted, reverse=True)[:related.WORDS]]
        if not terms:
            return []
        query = {"bool": {"should": [clause_query(Clause((t,))) for t in terms], "minimum_should_match": 1,
                          "must_not": [{"term": {schema.ARTICLE: article_id}}]}}
        response = self._page(query, page=1, size=size, by_date=False, group="article")
        out = []
        for src, score in self._found(response):
            f = opensearch_docs.stored_fields(src)
            out.append(related.Related(f[schema.ARTICLE], f[schema.TITLE], f.get(schema.URL), f.get(schema.DATE),
                                       f.get(schema.SOURCE), round(float(score), 4)))
        return out

    def sources(self) -> list[facets.FacetValue]:
        """Return every source of the serving articles with how many articles it has, most first."""
        self._current()
        return opensearch_facets.sources(self._search)

    def newest_date(self) -> str | None:
        """Return the date of the newest article (None when no article has a date)."""
        self._current()
        return self._date_bounds()[1]

    def _date_bounds(self) -> tuple[str | None, str | None]:
        """Return the oldest and newest article date, asked once until the alias is looked up again."""
        if (bounds := self._bounds) is None:
            bounds = self._bounds = opensearch_facets.date_bounds(self._search)
        return bounds

    def stats(self) -> dict:
        """Return what the serving index holds, how it was built, and the cluster's shards and health."""
        name = self._current().name
        meta = self._call(lambda: osx.meta(self.es, name))
        settings = self._call(lambda: self.es.indices.get_settings(index=name))[name]["settings"]["index"]
        health = self._call(lambda: self.es.cluster.health(index=name))
        store = self._call(lambda: self.es.indices.stats(index=name, metric="store,docs"))["indices"][name]["primaries"]
        counted = self._search({"size": 0, "track_total_hits": True,
                                "aggs": {"articles": {"cardinality": {"field": schema.ARTICLE, "precision_threshold": 40_000}}}})
        return {
            "index": str(self.loc), "generation": name, "articles": counted["aggregations"]["articles"]["value"],
            "sections": counted["hits"]["total"]["value"], "terms": None,
            "size_bytes": store["store"]["size_in_bytes"], "built_at": meta.get("built_at"), "paths": meta.get("paths", []),
            "user_dictionary": meta.get("user_dictionary"), "word_cache": opensearch_load.word_cache_of(meta),
            "build_seconds": meta.get("seconds"),
            "shards": int(settings["number_of_shards"]), "replicas": int(settings["number_of_replicas"]),
            "health": health["status"], "nodes": health["number_of_nodes"],
        }
