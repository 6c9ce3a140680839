"""Typed search results, shaped as the JSON endpoint returns them."""

from __future__ import annotations

from dataclasses import asdict, dataclass

# shown by the page and the terminal when ResultPage.relaxed is true
RELAXED_NOTICE = "모든 검색어를 포함한 결과가 없어 일부 검색어만 일치하는 결과를 보여 드립니다."
# shown by the page and the terminal before the first hit with only some of the words (partial_at)
PARTIAL_NOTICE = "여기부터는 검색어 일부만 포함한 결과입니다."


@dataclass(frozen=True)
class SectionRef:
    """The section of an article that matched best."""

    index: int
    heading: str
    heading_html: str = ""  # escaped HTML whose only tags are <mark>


@dataclass(frozen=True)
class Hit:
    """One article in a result page, with its best section and a highlighted snippet."""

    id: str
    title: str
    title_html: str  # escaped HTML whose only tags are <mark>
    url: str | None
    date: str | None
    source: str | None
    score: float
    section: SectionRef
    snippet_html: str  # escaped HTML whose only tags are <mark>
    duplicates: tuple[str, ...] = ()  # ids of lower hits on this page that are the same story (관련 기사)


@dataclass(frozen=True)
class ResultPage:
    """A page of results with what a caller needs to show and page through them."""

    query: str
    total: int
    page: int
    size: int
    took_ms: float
    relaxed: bool
    suggestion: str | None
    hits: tuple[Hit, ...]
    sort: str = "relevance"
    message: str | None = None  # why nothing could be searched, for an empty or unusable query
    notice: str | None = None  # how the query was read when not as typed (cut short, a condition ignored)
    corrected: bool = False  # the hits are for suggestion, because the query as typed found nothing
    facets: dict | None = None  # {"source": [FacetValue], "year": [FacetValue]}, when a search ran
    # Where the hits with only some of the words begin in the whole list (how many hits with every
    # word precede them; 0 when relaxed); None when every hit has every word or the query is long.
    partial_from: int | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def partial_at(self) -> int | None:
        """Return the index on this page of the first hit with only some of the words (None if it has none).

        None too for a relaxed list (no hit has every word): RELAXED_NOTICE says that once, above it.
        """
        if self.partial_from is None or self.relaxed:
            return None
        at = max(0, self.partial_from - (self.page - 1) * self.size)
        return at if at < len(self.hits) else None

    @property
    def past_end(self) -> str | None:
        """Return what to say when the page asked for lies past the last one (None when it does not)."""
        if not self.total or self.page <= self.pages:
            return None
        return f"검색 결과 {self.total:,}건은 {self.pages}쪽까지 있습니다. {self.page}쪽에는 결과가 없습니다."

    def to_json(self) -> dict:
        """Return the JSON shape of /api/search (message and notice only when there is one)."""
        out = {
            "query": self.query, "total": self.total, "page": self.page, "size": self.size,
            "took_ms": round(self.took_ms, 3), "relaxed": self.relaxed, "suggestion": self.suggestion,
            "corrected": self.corrected, "partial_from": self.partial_from,
            "hits": [{**asdict(h), "duplicates": list(h.duplicates)} for h in self.hits],
        }
        if self.facets is not None:
            out["facets"] = {name: [asdict(v) for v in values] for name, values in self.facets.items()}
        if self.message:
            out["message"] = self.message
        if self.notice:
            out["notice"] = self.notice
        return out


@dataclass(frozen=True)
class SectionView:
    """A whole section of an article, with the query's words marked."""

    index: int
    heading: str
    text: str
    heading_html: str
    text_html: str


@dataclass(frozen=True)
class ArticleView:
    """A whole article as the article page and /api/articles/<id> show it."""

    id: str
    title: str
    title_html: str
    date: str | None
    source: str | None
    url: str | None
    sections: tuple[SectionView, ...]

    def to_json(self) -> dict:
        """Return the JSON shape of /api/articles/<id>."""
        return {
            "id": self.id, "title": self.title, "title_html": self.title_html, "date": self.date,
            "source": self.source, "url": self.url,
            "sections": [{"index": s.index, "heading": s.heading, "text": s.text, "heading_html": s.heading_html,
                          "text_html": s.text_html} for s in self.sections],
        }
