"""Facets: how many matching articles each source and each year holds, and the archive's sources.

Each facet counts the articles the query matches under every filter except its own kind, so a
reader who picked one source still sees the others to switch to. Counting is a few vector
operations over per-article columns built once per generation.
"""

from __future__ import annotations

import calendar
import threading
import weakref
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np

from chaja.index import schema

_columns: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet and how many articles have it."""

    value: str
    count: int


@dataclass(frozen=True)
class Columns:
    """Per-article codes of a generation's sources and years (-1: none), with the names the codes stand for."""

    source: np.ndarray
    sources: tuple[str, ...]
    year: np.ndarray
    years: tuple[str, ...]
    live: np.ndarray  # articles with at least one live section
    newest: str | None  # the newest live article's date


def columns(gen) -> Columns:
    """Return the generation's article columns, built on first use from its postings and dates."""
    found = _columns.get(gen)
    if found is not None:
        return found
    with _lock:
        if (found := _columns.get(gen)) is not None:
            return found
        articles = len(gen.article_ids)
        doc_source = np.full(len(gen.article_of), -1, dtype=np.int32)
        names = []
        searcher = gen.searcher()
        for term in searcher.reader().lexicon(schema.SOURCE):
            ids, _ = gen.postings.get(schema.SOURCE, term.decode("utf-8"))
            if len(ids):
                doc_source[ids] = len(names)
                names.append(gen.stored_fields(int(ids[0]))[schema.SOURCE])  # as written, not lower-cased
        dates = gen.dates if len(gen.dates) == len(gen.article_of) else np.full(len(gen.article_of), "", "U10")  # no date column
        years, doc_year = np.unique(dates.astype("U4"), return_inverse=True)
        if len(years) and years[0] == "":
            doc_year = doc_year - 1  # "" sorts first: no date
            years = years[1:]
        source = np.full(articles, -1, dtype=np.int32)
        year = np.full(articles, -1, dtype=np.int32)
        live = np.zeros(articles, dtype=bool)
        docs = np.flatnonzero(gen.postings.live)
        source[gen.article_of[docs]] = doc_source[docs]
        year[gen.article_of[docs]] = doc_year[docs]
        live[gen.article_of[docs]] = True
        dated = np.unique(dates[docs])
        newest = str(dated[-1]) if len(dated) and dated[-1] else None
        found = _columns[gen] = Columns(source, tuple(names), year, tuple(str(y) for y in years), live, newest)
        return found


def _counts(codes: np.ndarray, names: tuple[str, ...], articles: np.ndarray) -> list[FacetValue]:
    """Count the articles (a mask or their numbers) by their code in codes: names[code], most first."""
    if not names:  # an archive without dates has no years to count
        return []
    counts = np.bincount(codes[articles] + 1, minlength=len(names) + 1)[1:]  # code -1 (none) counts at 0, left out
    out = [FacetValue(names[i], int(c)) for i, c in enumerate(counts.tolist()) if c]
    return sorted(out, key=lambda v: (-v.count, v.value))


def articles_of(gen, docs: np.ndarray) -> np.ndarray:
    """Return which articles the documents belong to, as a mask over the generation's articles."""
    hit = np.zeros(len(gen.article_ids), dtype=bool)
    hit[gen.article_of[docs]] = True
    return hit


def count(gen, parsed, matching: np.ndarray, allowed, listed: np.ndarray | None = None) -> dict[str, list[FacetValue]]:
    """Return the source and year facets of the documents matching a query (before any filter).

    ``allowed(parsed)`` returns the documents a parsed query's filters leave in; each facet
    leaves out the filters of its own kind. A query without source or date filters counts the
    articles its list holds: ``listed`` (articles_of the matching documents allowed(parsed)
    leaves in), when the caller has it, saves reading them again.
    """
    cols = columns(gen)
    if listed is not None and not parsed.sources and not parsed.date_ranges:
        at = np.flatnonzero(listed)  # once for both facets
        return {"source": _counts(cols.source, cols.sources, at), "year": _counts(cols.year, cols.years, at)}
    without_source = allowed(replace(parsed, sources=[])) if parsed.sources else None
    without_dates = allowed(replace(parsed, date_ranges=[])) if parsed.date_ranges else None
    everything = allowed(parsed) if without_source is None or without_dates is None else None
    by_source = without_source if without_source is not None else everything
    by_year = without_dates if without_dates is not None else everything
    source_articles = articles_of(gen, matching[by_source[matching]])
    # without source or date filters (most queries) both facets count the same articles
    year_articles = source_articles if by_year is by_source else articles_of(gen, matching[by_year[matching]])
    return {
        "source": _counts(cols.source, cols.sources, source_articles),
        "year": _counts(cols.year, cols.years, year_articles),
    }


def sources(gen) -> list[FacetValue]:
    """Return every source of the serving articles with how many articles it has, most first."""
    cols = columns(gen)
    return _counts(cols.source, cols.sources, cols.live)


def newest_date(gen) -> str | None:
    """Return the date of the newest article, or None when no article has a date."""
    return columns(gen).newest


PRESETS = (("1일", 1, 0), ("1주", 7, 0), ("1개월", 0, 1), ("1년", 0, 12))  # label, days back, months back


def periods(newest: str | None, today: date | None = None) -> list[tuple[str, str, str]]:
    """Return (label, from, to) of the period presets, ending today or on the newest article's day if older."""
    today = today or date.today()
    end = min(today, date.fromisoformat(newest)) if newest else today
    return [(label, (_months_back(end, months) - timedelta(days=days)).isoformat(), end.isoformat())
            for label, days, months in PRESETS]


def _months_back(day: date, months: int) -> date:
    """Return the same day so many months earlier (the month's last day when it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
