"""The library entry point: open an index once, search it, fetch one article."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from whoosh import query as Q

from chaja.index import schema, store
from chaja.index.analysis import kiwi_for

from . import highlight
from .query import QueryError, parse, parse_date
from .results import ArticleView, Hit, ResultPage, SectionRef, SectionView
from .suggest import keyboard_suggestion

MAX_SIZE = 100
MAX_PAGE = 1_000
SORTS = ("relevance", "date")


class Engine:
    """A search engine over one index folder; follows rebuilds to the newest generation."""

    def __init__(self, index: str | os.PathLike | None = None):
        self.root = store.index_dir(index)
        self._lock = threading.Lock()
        self._ix = None
        self._generation: str | None = None
        self._checked = 0.0

    # -- the index, reopened when CURRENT names a new generation --------------------------

    def _current_index(self):
        now = time.monotonic()
        if self._ix is not None and now - self._checked < 0.2:
            return self._ix
        gen = store.require(self.root)
        with self._lock:
            if gen.name != self._generation:
                self._ix = gen.open()
                self._generation = gen.name
                self._user_words = self._ix.schema[schema.TEXT].analyzer.user_words
                kiwi_for(self._user_words)  # load Kiwi now, not inside the first search
            self._checked = now
            return self._ix

    @property
    def generation(self) -> str:
        self._current_index()
        return self._generation or ""

    @contextmanager
    def searcher(self):
        """Yield a searcher over the serving generation, closed afterwards."""
        s = self._current_index().searcher()
        try:
            yield s
        finally:
            s.close()

    # -- search -----------------------------------------------------------------------------

    def search(self, q: str, page: int = 1, size: int = 10, sort: str = "relevance", source: str | None = None,
               date_from: str | None = None, date_to: str | None = None) -> ResultPage:
        """Search articles; raise QueryError for bad parameters, never for the query text."""
        started = time.perf_counter()
        if not isinstance(page, int) or not 1 <= page <= MAX_PAGE:
            raise QueryError(f"page must be a whole number from 1 to {MAX_PAGE}")
        if not isinstance(size, int) or not 1 <= size <= MAX_SIZE:
            raise QueryError(f"size must be a whole number from 1 to {MAX_SIZE}")
        if sort not in SORTS:
            raise QueryError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
        date_from, date_to = parse_date(date_from, "from"), parse_date(date_to, "to")
        q = q or ""
        with self.searcher() as s:
            parsed = parse(q, self._user_words)
            if source:
                parsed.filters.append(Q.Term(schema.SOURCE, source.lower()))
            if date_from or date_to:
                parsed.filters.append(Q.TermRange(schema.DATE, date_from, date_to))

            def page_of(hits=(), total=0, relaxed=False, message=None, suggestion=None):
                took = (time.perf_counter() - started) * 1000
                return ResultPage(q, total, page, size, took, relaxed, suggestion, tuple(hits), sort, message)

            if not parsed.clauses and not parsed.filters:
                if parsed.excluded:
                    return page_of(message="제외할 낱말만으로는 검색할 수 없습니다. 찾을 낱말을 함께 입력하세요.")
                if q.strip():
                    return page_of(message="검색할 수 있는 낱말이 없습니다. 조사나 기호만으로는 검색할 수 없습니다.")
                return page_of(message="검색어를 입력하세요.")
            query, relaxed = parsed.strict(), False
            order = sort if parsed.clauses else "date"  # filters alone rank nothing: newest first
            total, found = self._run(s, query, self._matching(s, parsed, relaxed), page, size, order)
            if total == 0 and parsed.can_relax:
                query, relaxed = parsed.relaxed(), True
                total, found = self._run(s, query, self._matching(s, parsed, relaxed), page, size, order)
                relaxed = total > 0
            hits = self._hits(s, found, parsed)
            suggestion = keyboard_suggestion(q, lambda text: self._has_hits(s, text)) if total == 0 else None
            message = " ".join(parsed.notes) or None
            return page_of(hits, total, relaxed, message, suggestion)

    @staticmethod
    def _matching(s, parsed, relaxed: bool) -> set[int]:
        """Return the section documents that match: all clauses, or when relaxed at least half.

        Filters apply to each section; an excluded word removes the whole article.
        """
        if relaxed:
            counts = Counter()
            for clause in parsed.clauses:
                counts.update(s.docs_for_query(clause))
            docs = {d for d, n in counts.items() if n >= parsed.minmatch}
        else:
            docs = set(s.docs_for_query(parsed.strict()))
        if docs and (f := parsed.filter()) is not None:
            docs.intersection_update(s.docs_for_query(f))
        if docs and (m := parsed.mask()) is not None:
            articles = s.reader().column_reader(schema.ARTICLE)
            banned = {articles[d] for d in s.docs_for_query(m)}
            docs = {d for d in docs if articles[d] not in banned}
        return docs

    def _run(self, s, query, docs: set[int], page, size, sort):
        """Return (articles matching, [(docnum, score)] of this page's best sections)."""
        articles = s.reader().column_reader(schema.ARTICLE)
        by_article: dict[str, list[int]] = {}
        for d in docs:
            by_article.setdefault(articles[d], []).append(d)
        total = len(by_article)
        if total == 0:
            return 0, []
        first, wanted = (page - 1) * size, min(page * size, total)
        if sort == "relevance":
            # An article ranks by its best section: collect sections until enough articles.
            limit = wanted * 2
            while True:
                results = s.search(query, limit=limit, filter=docs)
                best: dict[str, tuple[int, float]] = {}
                for hit in results:
                    best.setdefault(articles[hit.docnum], (hit.docnum, hit.score or 0.0))
                if len(best) >= wanted or results.scored_length() < limit:
                    break
                limit *= 4
            ranked = sorted(best.items(), key=lambda item: (-item[1][1], item[0]))
            return total, [found for _, found in ranked[first : first + size]]
        dates = s.reader().column_reader(schema.DATE)
        order = sorted(by_article, key=lambda a: (dates[by_article[a][0]] or "", a), reverse=True)
        found = []
        for article in order[first : first + size]:  # the best section of each article on this page
            best = s.search(query, limit=1, filter=set(by_article[article]))
            found.append((best[0].docnum, best[0].score or 0.0))
        return total, found

    def _has_hits(self, s, text: str) -> bool:
        parsed = parse(text, self._user_words)
        return bool(parsed.clauses) and bool(s.docs_for_query(parsed.strict()))

    def _hits(self, s, found, parsed) -> list[Hit]:
        docnums = [d for d, _ in found]
        terms = sorted(parsed.terms)
        text_spans = highlight.spans_in_docs(s, schema.TEXT, terms, docnums)
        title_spans = highlight.spans_in_docs(s, schema.TITLE, terms, docnums)
        hits = []
        for d, score in found:
            f = s.stored_fields(d)
            hits.append(Hit(
                id=f[schema.ARTICLE], title=f[schema.TITLE],
                title_html=highlight.mark(f[schema.TITLE], title_spans[d]),
                url=f.get(schema.URL), date=f.get(schema.DATE), source=f.get(schema.SOURCE),
                score=round(float(score), 4),
                section=SectionRef(f[schema.SECTION], f[schema.HEADING]),
                snippet_html=highlight.snippet(f[schema.TEXT], text_spans[d]),
            ))
        return hits

    # -- articles and statistics ------------------------------------------------------------

    def article(self, article_id: str, query: str | None = None) -> ArticleView | None:
        """Return a whole article with the query's words marked, or None if the id is unknown."""
        with self.searcher() as s:
            docs = sorted(s.docs_for_query(Q.Term(schema.ARTICLE, article_id)))
            if not docs:
                return None
            terms = sorted(parse(query or "", self._user_words).terms)
            spans = {f: highlight.spans_in_docs(s, f, terms, docs) for f in schema.SEARCHED}
            fields = [s.stored_fields(d) for d in docs]
            order = sorted(range(len(docs)), key=lambda i: fields[i][schema.SECTION])
            first = fields[order[0]]
            sections = tuple(
                SectionView(
                    index=fields[i][schema.SECTION], heading=fields[i][schema.HEADING], text=fields[i][schema.TEXT],
                    heading_html=highlight.mark(fields[i][schema.HEADING], spans[schema.HEADING][docs[i]]),
                    text_html=highlight.mark(fields[i][schema.TEXT], spans[schema.TEXT][docs[i]]),
                )
                for i in order
            )
            return ArticleView(
                id=article_id, title=first[schema.TITLE],
                title_html=highlight.mark(first[schema.TITLE], spans[schema.TITLE][docs[order[0]]]),
                date=first.get(schema.DATE), source=first.get(schema.SOURCE), url=first.get(schema.URL),
                sections=sections,
            )

    def stats(self) -> dict:
        """Return what the serving index holds and how it was built."""
        gen = store.require(self.root)
        meta = gen.meta()
        with self.searcher() as s:
            r = s.reader()
            terms = sum(1 for f in schema.SEARCHED for _ in r.lexicon(f))
            articles = len(set(r.column_reader(schema.ARTICLE)))
            sections = s.doc_count()
        size = sum(p.stat().st_size for p in Path(gen.path).iterdir() if p.is_file())
        return {
            "index": str(self.root.resolve()), "generation": gen.name, "articles": articles, "sections": sections,
            "terms": terms, "size_bytes": size, "built_at": meta.get("built_at"), "paths": meta.get("paths", []),
            "user_dictionary": meta.get("user_dictionary"), "build_seconds": meta.get("seconds"),
        }

