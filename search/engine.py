"""The library entry point: open an index once, search it, fetch one article."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

import numpy as np
from chaja.index import opensearch, schema, store, synonyms as synonym_file, vocabulary
from chaja.index.analysis import source_term

from . import autocomplete, backoff, context, facets, highlight, partial, proximity, related, request, scoring, synonyms
from .correct import correct as corrected_query
from .query import QueryError, parse
from .results import ArticleView, Hit, ResultPage, SectionRef, SectionView
from .opened import OpenGeneration
from .suggest import keyboard_suggestion

MAX_SIZE, MAX_PAGE = request.MAX_SIZE, request.MAX_PAGE  # the request rules live in search/request.py
SORTS = tuple(request.SORTS)
MAX_RELATED = 20
GROUPS = ("article", "section")
# Up to this many words, the hits with every word come first (as on Korean portals), then those
# with some of them (search/partial.py). Longer queries are questions or pasted sentences: requiring
# every word there loses the answer (korquad1-dev among 60,000 articles: Recall@100 0.95 against 0.99).
STRICT_WORDS = partial.STRICT_WORDS
# Queries up to this many words get a correction even when they find something ("이것을
# 찾으셨나요?"); longer ones (questions, pasted sentences) only when they find nothing. Reading
# every word of a question with Kiwi doubled its time (korquad1-dev among 200 kowiki articles,
# loaded machine: query p95 34 -> 63 ms), for 0.2 points of top-10 recall on questions with a typo.
CORRECT_WORDS = 4



class Asked(NamedTuple):
    """A search request checked and its query parsed, as both backends start a search."""

    checked: request.SearchRequest
    q: str
    parsed: object  # query.Parsed, with the request's source and date filters added
    page_of: Callable[..., ResultPage]  # makes the result page: hits, total, relaxed, message, suggestion, counted
    answer: ResultPage | None  # the whole answer already, for a query that cannot be searched


def prepare(q: str | None, parse_query: Callable[[str], object], page, size, sort, source, date_from, date_to,
            group: str) -> Asked:
    """Check a search request and parse its query; raise QueryError for a bad parameter."""
    started = time.perf_counter()
    checked = request.check(page, size, sort, source, date_from, date_to)
    if group not in GROUPS:
        raise QueryError(f"group must be one of {', '.join(GROUPS)}, not {group!r}")
    q = q or ""
    parsed = parse_query(q)
    if checked.source:
        parsed.sources.append(source_term(checked.source))
    if checked.date_from or checked.date_to:
        parsed.date_ranges.append((checked.date_from, checked.date_to))
    notice = " ".join(parsed.notes) or None

    def page_of(hits=(), total=0, relaxed=False, message=None, suggestion=None, counted=None) -> ResultPage:
        took = (time.perf_counter() - started) * 1000
        return ResultPage(q, total, checked.page, checked.size, took, relaxed, suggestion, tuple(hits), checked.sort,
                          message, None if message == notice else notice, facets=counted)

    answer = None
    for start, end in parsed.date_ranges:  # from/to, and date: in the query text alike
        if reversed_range := request.reversed_range(start, end):
            answer = page_of(message=reversed_range)
            break
    if answer is None and not parsed.clauses and not parsed.has_filters:
        answer = page_of(message=unusable(parsed, q, notice))
    return Asked(checked, q, parsed, page_of, answer)

def unusable(parsed, q: str, notice: str | None) -> str:
    """Return why a query with no words and no filters cannot be searched."""
    if parsed.excluded:
        return "제외할 낱말만으로는 검색할 수 없습니다. 찾을 낱말을 함께 입력하세요."
    if notice:  # all it had was a condition it could not read (date:2025-13-01): say that, not "particles"
        return notice
    if q.strip():
        return "검색할 수 있는 낱말이 없습니다. 조사나 기호만으로는 검색할 수 없습니다."
    return "검색어를 입력하세요."


def hit_of(f: dict, score: float, marks) -> Hit:
    """Return the hit of a section from its stored fields, with what matched (a query.Marks) marked."""
    return Hit(
        id=f[schema.ARTICLE], title=f[schema.TITLE],
        title_html=highlight.mark(f[schema.TITLE], highlight.spans_of(f, schema.TITLE, marks)),
        url=f.get(schema.URL), date=f.get(schema.DATE), source=f.get(schema.SOURCE),
        score=round(float(score), 4),
        section=SectionRef(f[schema.SECTION], f[schema.HEADING],
                           highlight.mark(f[schema.HEADING], highlight.spans_of(f, schema.HEADING, marks))),
        snippet_html=highlight.snippet(f[schema.TEXT], highlight.spans_of(f, schema.TEXT, marks)),
    )


def article_view(article_id: str, stored: list[dict], marks) -> ArticleView:
    """Return a whole article from its sections' stored fields, with what matched (a query.Marks) marked."""
    fields = sorted(stored, key=lambda f: f[schema.SECTION])
    first = fields[0]
    sections = tuple(
        SectionView(
            index=f[schema.SECTION], heading=f[schema.HEADING], text=f[schema.TEXT],
            heading_html=highlight.mark(f[schema.HEADING], highlight.spans_of(f, schema.HEADING, marks)),
            text_html=highlight.mark(f[schema.TEXT], highlight.spans_of(f, schema.TEXT, marks)),
        )
        for f in fields
    )
    return ArticleView(
        id=article_id, title=first[schema.TITLE],
        title_html=highlight.mark(first[schema.TITLE], highlight.spans_of(first, schema.TITLE, marks)),
        date=first.get(schema.DATE), source=first.get(schema.SOURCE), url=first.get(schema.URL),
        sections=sections,
    )


class Engine:
    """A search engine over one index folder; follows rebuilds to the newest generation.

    An index location opensearch://HOST:PORT/NAME gives the OpenSearch engine instead
    (chaja.search.opensearch), with the same calls and results.
    """

    def __new__(cls, index: str | os.PathLike | None = None):
        if cls is Engine and opensearch.location(index) is not None:
            from .opensearch import OpenSearchEngine

            return super().__new__(OpenSearchEngine)
        return super().__new__(cls)

    def __init__(self, index: str | os.PathLike | None = None):
        self.root = store.index_dir(index)
        self._lock = threading.Lock()
        self._open: OpenGeneration | None = None
        self._checked = 0.0
        self._derived: tuple[str, vocabulary.Vocabulary | None, synonyms.Table] | None = None
        # Read queries word by word (True) or in context (False); None: as the index was analysed
        # (its word_cache). Set only to measure one against the other (tests/benchmarks/quality.py).
        self.query_by_word: bool | None = None

    # -- the index, reopened when CURRENT names a new generation --------------------------

    def _current(self) -> OpenGeneration:
        now = time.monotonic()
        if self._open is not None and now - self._checked < 0.2:
            return self._open
        gen = store.require(self.root)
        with self._lock:
            if self._open is None or gen.name != self._open.name:
                self._open = OpenGeneration(gen)
            self._checked = now
            return self._open

    def warm(self, timeout: float | None = None) -> bool:
        """Open the serving generation; True (its arrays are mapped, there is nothing to load)."""
        return self._current().warmed.wait(timeout)

    @property
    def generation(self) -> str:
        return self._current().name

    # -- search -----------------------------------------------------------------------------

    def search(self, q: str, page: int = 1, size: int = 10, sort: str = "relevance", source: str | None = None,
               date_from: str | None = None, date_to: str | None = None, group: str = "article",
               correct: bool = True) -> ResultPage:
        """Search articles; raise QueryError for bad parameters, never for the query text.

        With group="section" every matching section is a hit of its own (an article can come
        back several times), which is what section-level evaluation judges. A query with a word
        the index does not hold gets a ``suggestion``; when the query finds nothing and the
        suggestion does, its hits are returned with ``corrected`` (unless ``correct=False``).
        """
        started = time.perf_counter()
        gen = self._current()
        asked = prepare(q, lambda text: self._parse(gen, text), page, size, sort, source, date_from, date_to, group)
        if asked.answer is not None:
            return asked.answer
        q, parsed, page_of = asked.q, asked.parsed, asked.page_of
        page, size, sort, source = asked.checked.page, asked.checked.size, asked.checked.sort, asked.checked.source
        date_from, date_to = asked.checked.date_from, asked.checked.date_to
        units = (lambda d: scoring.count_articles(d, gen.article_of)) if group == "article" else len
        rank = scoring.rank_articles if group == "article" else scoring.rank_sections
        allowed = self._allowed(gen, parsed)
        n = len(parsed.clauses)
        documents: dict = {}  # each clause's documents, read once for scoring and for partial matches
        scores, count, share = scoring.matched(gen.postings, parsed.clauses, documents)
        by_date = sort == "date" or not n  # filters alone rank nothing: newest first
        complete = count == n
        relaxed = parsed.can_relax and not (complete & allowed).any()
        # keywords newest first list the hits with every word, as before (unless no article has them all)
        tiered = partial.tiered(parsed) and not (by_date and not relaxed)
        listed = (complete | partial.eligible(gen.postings, parsed, count, documents) if n > STRICT_WORDS or tiered
                  else complete)
        docs = np.flatnonzero(listed & allowed if n else allowed)  # no words: what the filters leave
        shown = scores  # the score a hit shows
        some = docs[~complete[docs]] if tiered else None  # keywords: the listed sections with only some of the words
        if n > STRICT_WORDS:
            # A question or a pasted sentence: rank what matches some of the words, the more the better.
            shown = scores = scoring.coordinated(scores, share, docs)  # only the listed sections' scores count
        elif tiered:
            # Keywords: the hits with every word first, ranked as AND ranks them, then those with some.
            shown = scoring.coordinated(scores.copy(), share, some)
        # scores and shown are this query's own arrays: what follows changes the listed sections' entries in place
        if not by_date and (spelled := gen.postings.grams.scores_of(parsed.texts, docs)) is not None:
            scores[docs] += spelled  # the listed sections that spell the words, too
            if shown is not scores:
                shown[docs] += spelled
        context.lead_first(gen.leads, docs, scores, shown)  # the lead names a close call
        ahead = None  # proximity's candidates, when every other section ranks below them all
        if not by_date:  # the best sections holding the words close together first
            scores, shown, ahead = proximity.closer_first(gen.postings, parsed.clauses, docs, scores, shown,
                                                          complete if tiered else None)
        if tiered:
            scores = partial.ranking(scores, shown, complete, some)
        # Ranking by relevance sorts only the leaders that can reach this page: among the candidates if they fill it.
        limit = None if by_date else page * size
        best = rank(scores, ahead if ahead is not None and units(ahead) >= limit else docs, gen.article_of, limit)
        if by_date:
            best = scoring.by_date(best, gen.dates, gen.article_of)
        articles = facets.articles_of(gen, docs)  # the articles the list holds: its total and its facets
        total = int(np.count_nonzero(articles)) if group == "article" else len(docs)
        relaxed = relaxed and total > 0
        partial_from = partial.boundary(units(docs[complete[docs]]), total) if tiered else None
        first = (page - 1) * size
        found = [(int(d), float(shown[d])) for d in best[first : first + size]]
        hits = self._hits(gen, found, parsed, group == "article")
        # With no source or date filter to leave out, the facets count the listed articles (docs' own).
        matching = np.flatnonzero(listed if n else gen.postings.live) if parsed.has_filters else docs
        counted = facets.count(gen, parsed, matching, lambda p: self._allowed(gen, p), articles)
        suggestion = self._suggestion(gen, q, total)
        if suggestion and not total and correct:
            fixed = self.search(suggestion, page, size, sort, source, date_from, date_to, group, correct=False)
            return replace(fixed, query=q, suggestion=suggestion, corrected=True,
                           took_ms=(time.perf_counter() - started) * 1000)
        return replace(page_of(hits, total, relaxed, None, suggestion, counted), partial_from=partial_from)

    def _suggestion(self, gen: OpenGeneration, q: str, total: int) -> str | None:
        """Return the query corrected from the index's vocabulary or keyboard layout, or None."""
        if total and len(q.split()) > CORRECT_WORDS:
            return None
        def has_term(term: str) -> bool:
            return any(gen.postings.df(f, term) for f in schema.SEARCHED)

        fixed = corrected_query(q, self.vocabulary(), has_term, gen.user_words)
        if fixed and self._has_hits(gen, fixed):
            return fixed
        return keyboard_suggestion(q, lambda text: self._has_hits(gen, text)) if not total else None

    def _derived_of(self, gen: OpenGeneration) -> tuple[str, vocabulary.Vocabulary | None, synonyms.Table]:
        """Return what the generation keeps beside its index: the vocabulary and the synonyms."""
        derived = self._derived
        if derived is None or derived[0] != gen.name:
            table = synonyms.table(synonym_file.load(gen.gen.path), gen.user_words)
            derived = self._derived = (gen.name, vocabulary.read(gen.gen.path), table)
        return derived

    def _parse(self, gen: OpenGeneration, text: str):
        """Parse a query and let each word of a synonym group match the others."""
        by_word = gen.word_cache if self.query_by_word is None else self.query_by_word
        parsed = synonyms.expand(parse(text, gen.user_words, by_word), self._derived_of(gen)[2])
        return backoff.expand(parsed, gen.postings.held, gen.user_words)

    def vocabulary(self) -> vocabulary.Vocabulary | None:
        """Return the serving generation's vocabulary (None if it was built without one)."""
        return self._derived_of(self._current())[1]

    def suggest(self, prefix: str, size: int = 10) -> list[autocomplete.Suggestion]:
        """Return completions of what a person is typing: titles and words, most articles first."""
        if not isinstance(size, int) or not 1 <= size <= autocomplete.MAX_SIZE:
            raise QueryError(f"size must be a whole number from 1 to {autocomplete.MAX_SIZE}")
        return autocomplete.suggest(self.vocabulary(), prefix or "", size)

    @staticmethod
    def _allowed(gen: OpenGeneration, parsed) -> np.ndarray:
        """Return which documents the filters and exclusions leave in.

        Filters apply to each section; an excluded word removes the whole article.
        """
        allowed = gen.postings.live.copy()
        for source in parsed.sources:
            ids, _ = gen.postings.get(schema.SOURCE, source)
            keep = np.zeros_like(allowed)
            keep[ids] = True
            allowed &= keep
        for start, end in parsed.date_ranges:
            dates = gen.dates
            allowed &= dates != ""
            if start:
                allowed &= dates >= start
            if end:
                allowed &= dates <= end
        if parsed.excluded:
            _, count, _ = scoring.matched(gen.postings, parsed.excluded)
            allowed &= ~np.isin(gen.article_of, np.unique(gen.article_of[count > 0]))
        return allowed

    def _has_hits(self, gen: OpenGeneration, text: str) -> bool:
        parsed = self._parse(gen, text)
        if not parsed.clauses:
            return False
        _, count, _ = scoring.matched(gen.postings, parsed.clauses)
        return bool((count == len(parsed.clauses)).any())

    @staticmethod
    def _hits(gen: OpenGeneration, found, parsed, fold: bool = False) -> list[Hit]:
        """Return the hits of found documents; with fold, a hit the same story as a better one is folded into it."""
        stored = [gen.stored_fields(d) for d, _ in found]
        marks = parsed.marks  # a property that walks the clauses: once a page, not once a hit
        hits = [hit_of(f, score, marks) for (_, score), f in zip(found, stored)]
        if fold:
            hits = [replace(hits[g[0]], duplicates=tuple(hits[i].id for i in g[1:])) for g in related.same_stories(stored)]
        return hits

    # -- articles and statistics ------------------------------------------------------------

    def article(self, article_id: str, query: str | None = None) -> ArticleView | None:
        """Return a whole article with the query's words marked, or None if the id is unknown."""
        gen = self._current()
        docs = gen.sections_of(article_id)
        if not docs:
            return None
        marks = self._parse(gen, query or "").marks
        return article_view(article_id, [gen.stored_fields(d) for d in docs], marks)

    def related(self, article_id: str, size: int = 5) -> list[related.Related] | None:
        """Return the articles closest to one by its distinctive words (never itself); None for an unknown id."""
        if not isinstance(size, int) or not 1 <= size <= MAX_RELATED:
            raise QueryError(f"size must be a whole number from 1 to {MAX_RELATED}")
        return related.related(self._current(), article_id, size)

    def sources(self) -> list[facets.FacetValue]:
        """Return every source of the serving articles with how many articles it has, most first."""
        return facets.sources(self._current())

    def newest_date(self) -> str | None:
        """Return the date of the newest article (None when no article has a date)."""
        return facets.newest_date(self._current())

    def stats(self) -> dict:
        """Return what the serving index holds and how it was built (a copy the caller may change)."""
        opened = self._current()  # one generation for every figure, even if a rebuild switches meanwhile
        with self._lock:
            if opened.stats is None:  # a generation never changes: walk its lexicon once, not per request
                opened.stats = self._stats_of(opened)
        return {**opened.stats, "paths": list(opened.stats["paths"])}

    def _stats_of(self, opened: OpenGeneration) -> dict:
        gen, meta = opened.gen, opened.gen.meta()
        terms = sum(opened.postings.term_count(f) for f in schema.SEARCHED)
        articles = len(opened.article_ids)
        sections = opened.postings.doc_count
        size = sum(p.stat().st_size for p in Path(gen.path).rglob("*") if p.is_file())
        return {
            "index": str(self.root.resolve()), "generation": gen.name, "articles": articles, "sections": sections,
            "terms": terms, "size_bytes": size, "built_at": meta.get("built_at"), "paths": meta.get("paths", []),
            "user_dictionary": meta.get("user_dictionary"), "word_cache": opened.word_cache,
            "build_seconds": meta.get("seconds"),
        }

