"""The library entry point: open an index once, search it, fetch one article."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import numpy as np
from whoosh import query as Q

from chaja.index import opensearch, schema, store
from chaja.index.analysis import source_term

from . import highlight, scoring
from .query import QueryError, parse, parse_date
from .results import ArticleView, Hit, ResultPage, SectionRef, SectionView
from .opened import OpenGeneration
from .suggest import keyboard_suggestion

MAX_SIZE = 100
MAX_PAGE = 1_000
SORTS = ("relevance", "date")
GROUPS = ("article", "section")
# Up to this many words, every one must match (as on Korean portals) unless no article has
# them all. Longer queries are questions or pasted sentences: requiring every word there
# loses the answer (korquad1-dev among 60,000 articles: Recall@100 0.95 against 0.99).
STRICT_WORDS = 3


def checked(page: int, size: int, sort: str, group: str, date_from: str | None,
            date_to: str | None) -> tuple[str | None, str | None]:
    """Check Engine.search's parameters (QueryError saying how to fix one); return the dates as ISO strings."""
    if not isinstance(page, int) or not 1 <= page <= MAX_PAGE:
        raise QueryError(f"page must be a whole number from 1 to {MAX_PAGE}")
    if not isinstance(size, int) or not 1 <= size <= MAX_SIZE:
        raise QueryError(f"size must be a whole number from 1 to {MAX_SIZE}")
    if sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    if group not in GROUPS:
        raise QueryError(f"group must be one of {', '.join(GROUPS)}, not {group!r}")
    date_from, date_to = parse_date(date_from, "from"), parse_date(date_to, "to")
    if date_from and date_to and date_from > date_to:
        raise QueryError(f"from ({date_from}) is later than to ({date_to}); swap them")
    return date_from, date_to


def unusable(parsed, q: str) -> str:
    """Return why a query with no words and no filters cannot be searched."""
    if parsed.excluded:
        return "제외할 낱말만으로는 검색할 수 없습니다. 찾을 낱말을 함께 입력하세요."
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
        section=SectionRef(f[schema.SECTION], f[schema.HEADING]),
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
        """Wait until the serving generation has its common terms loaded; False on timeout (0: just tell)."""
        return self._current().warmed.wait(timeout)

    @property
    def generation(self) -> str:
        return self._current().name

    # -- search -----------------------------------------------------------------------------

    def search(self, q: str, page: int = 1, size: int = 10, sort: str = "relevance", source: str | None = None,
               date_from: str | None = None, date_to: str | None = None, group: str = "article") -> ResultPage:
        """Search articles; raise QueryError for bad parameters, never for the query text.

        With group="section" every matching section is a hit of its own (an article can come
        back several times), which is what section-level evaluation judges.
        """
        started = time.perf_counter()
        date_from, date_to = checked(page, size, sort, group, date_from, date_to)
        rank = scoring.rank_articles if group == "article" else scoring.rank_sections
        q = q or ""
        gen = self._current()
        parsed = parse(q, gen.user_words)
        if source:
            parsed.sources.append(source_term(source))
        if date_from or date_to:
            parsed.date_ranges.append((date_from, date_to))

        def page_of(hits=(), total=0, relaxed=False, message=None, suggestion=None):
            took = (time.perf_counter() - started) * 1000
            return ResultPage(q, total, page, size, took, relaxed, suggestion, tuple(hits), sort, message)

        if not parsed.clauses and not parsed.has_filters:
            return page_of(message=unusable(parsed, q))
        allowed = self._allowed(gen, parsed)
        n = len(parsed.clauses)
        scores, count, share = scoring.matched(gen.postings, parsed.clauses)
        docs = np.flatnonzero(count > 0 if n else allowed)  # no words: what the filters leave (> 0: 12x faster)
        docs = docs[allowed[docs]]
        complete = docs[count[docs] == n]
        relaxed = parsed.can_relax and not len(complete)
        if n <= STRICT_WORDS and not relaxed:
            docs = complete
        else:
            # A question or a pasted sentence, or keywords no article has all of: rank what
            # matches some of the words, the more of them the better.
            scores = scoring.coordinated(scores, share)
            carrying = parsed.carrying
            if len(carrying) < n:  # a lone digit or syllable ("alert(1)") matches too much to carry a hit
                _, carried, _ = scoring.matched(gen.postings, carrying)
                docs = docs[(carried[docs] > 0) | (count[docs] == n)]
        by_date = sort == "date" or not n  # filters alone rank nothing: newest first
        # Ranking by relevance sorts only the leaders that can reach this page.
        best = rank(scores, docs, gen.article_of, None if by_date else page * size)
        if by_date:
            best = scoring.by_date(best, gen.dates, gen.article_of)
        total = scoring.count_articles(docs, gen.article_of) if group == "article" else len(docs)
        relaxed = relaxed and total > 0
        first = (page - 1) * size
        found = [(int(d), float(scores[d])) for d in best[first : first + size]]
        hits = self._hits(gen, found, parsed)
        suggestion = keyboard_suggestion(q, lambda text: self._has_hits(gen, text)) if not total else None
        return page_of(hits, total, relaxed, " ".join(parsed.notes) or None, suggestion)

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
        parsed = parse(text, gen.user_words)
        if not parsed.clauses:
            return False
        _, count, _ = scoring.matched(gen.postings, parsed.clauses)
        return bool((count == len(parsed.clauses)).any())

    @staticmethod
    def _hits(gen: OpenGeneration, found, parsed) -> list[Hit]:
        s = gen.searcher()
        return [hit_of(s.stored_fields(d), score, parsed.marks) for d, score in found]

    # -- articles and statistics ------------------------------------------------------------

    def article(self, article_id: str, query: str | None = None) -> ArticleView | None:
        """Return a whole article with the query's words marked, or None if the id is unknown."""
        gen = self._current()
        s = gen.searcher()
        docs = sorted(s.docs_for_query(Q.Term(schema.ARTICLE, article_id)))
        if not docs:
            return None
        marks = parse(query or "", gen.user_words).marks
        return article_view(article_id, [s.stored_fields(d) for d in docs], marks)

    def stats(self) -> dict:
        """Return what the serving index holds and how it was built."""
        opened = self._current()  # one generation for every figure, even if a rebuild switches meanwhile
        gen, meta = opened.gen, opened.gen.meta()
        s = opened.searcher()
        terms = sum(1 for f in schema.SEARCHED for _ in s.reader().lexicon(f))
        articles = len(np.unique(opened.article_of[opened.postings.live]))
        sections = s.doc_count()
        size = sum(p.stat().st_size for p in Path(gen.path).iterdir() if p.is_file())
        return {
            "index": str(self.root.resolve()), "generation": gen.name, "articles": articles, "sections": sections,
            "terms": terms, "size_bytes": size, "built_at": meta.get("built_at"), "paths": meta.get("paths", []),
            "user_dictionary": meta.get("user_dictionary"), "build_seconds": meta.get("seconds"),
        }

