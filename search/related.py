"""Related articles (more like this) and near-duplicates among the hits of a result page.

An article's distinctive words are its terms weighted by how often it uses them and how rare
they are in the index (tf-idf), read from the stored term spans of its sections; the articles
sharing most of those words, by BM25F, are its related articles.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass

import numpy as np

from chaja.index import schema
from chaja.index.spans import SEPARATOR

from . import scoring
from .query import Clause

WORDS = 25  # distinctive words asked for
COMMON = 0.2  # a word in more than this share of the sections (and more than ten) says nothing about a story
# Two hits are the same story when the words of their matching sections (and titles) overlap
# this much (Jaccard): the same text under two ids is 1.0, one agency story rewritten by two
# outlets measured 0.5-0.8 on the sample corpus's pairs.
SAME_STORY = 0.6
# Without a date on both sides a story cannot be told from a series (a year's article and the
# next year's read alike, numbers left out; short encyclopedia sections share most words), so
# only the same text under two ids folds: folding undated kowiki hits by overlap, even at 0.9,
# hid distinct articles (article R@100 0.998 -> 0.978 / 0.983 on 400 questions, 60,000 articles).
_DIGIT_LED = re.compile(f"(?:^|{re.escape(SEPARATOR)})[\\d.,]")  # a term that may be a number (_words), in a field's terms


@dataclass(frozen=True)
class Related:
    """An article related to another one, with how close it is."""

    id: str
    title: str
    url: str | None
    date: str | None
    source: str | None
    score: float


def term_counts(fields: list[dict]) -> Counter:
    """Return how often each term occurs in these sections' title (once), headings and texts."""
    counts: Counter = Counter()
    for i, f in enumerate(fields):
        for n, (names, data) in enumerate(f[schema.SPANS]):
            if not names or (n == 0 and i > 0):  # every section repeats the title
                continue
            records = np.frombuffer(data, dtype=np.int32).reshape(-1, 3)
            names = names.split(SEPARATOR)
            for term, c in zip(*np.unique(records[:, 0], return_counts=True)):
                counts[names[term]] += int(c)
    return counts


def distinctive(gen, fields: list[dict], words: int = WORDS) -> list[str]:
    """Return the article's most distinctive terms: tf-idf over the index's sections, common words left out."""
    n = gen.postings.doc_count
    weighted = []
    for term, tf in term_counts(fields).items():
        df = max(gen.postings.df(f, term) for f in schema.SEARCHED)
        if 1 < df <= max(COMMON * n, 10) and (len(term) > 1 or not term.isascii()):
            weighted.append((tf * scoring.idf(df, n), term))
    return [t for _, t in sorted(weighted, reverse=True)[:words]]


def related(gen, article_id: str, size: int = 5) -> list[Related] | None:
    """Return the articles closest to one by its distinctive words, never itself; None if the id is unknown."""
    ordinal = bisect_left(gen.article_ids, article_id)
    if ordinal >= len(gen.article_ids) or gen.article_ids[ordinal] != article_id:
        return None
    own = np.flatnonzero(gen.article_of == ordinal)
    fields = [gen.stored_fields(int(d)) for d in own]
    terms = distinctive(gen, fields)
    if not terms:
        return []
    scores, count, _ = scoring.matched(gen.postings, [Clause((t,)) for t in terms])
    docs = np.flatnonzero(count > 0)
    docs = docs[gen.article_of[docs] != ordinal]
    best = scoring.rank_articles(scores, docs, gen.article_of, size)
    out = []
    for d in best[:size]:
        f = gen.stored_fields(int(d))
        out.append(Related(f[schema.ARTICLE], f[schema.TITLE], f.get(schema.URL), f.get(schema.DATE),
                           f.get(schema.SOURCE), round(float(scores[d]), 4)))
    return out


def _words(stored: dict) -> set[str]:
    """Return the words of a hit's title and section, numbers left out (a daily series differs only by them)."""
    return {t for names, _ in stored[schema.SPANS] if names for t in names.split(SEPARATOR)
            if not t.replace(".", "").replace(",", "").isdigit()}


def _threshold(a: dict, b: dict) -> float | None:
    """Return the word overlap two hits need to be one story; None when they cannot be.

    A daily series (the weather of each day) reads alike but is not one story, so two dates must
    be the same day; an undated hit is another's copy only as the same text (overlap 1.0 and
    the same title, heading and text).
    """
    day_a, day_b = a.get(schema.DATE), b.get(schema.DATE)
    if day_a and day_b:
        return SAME_STORY if day_a == day_b else None
    same = all(a.get(f) == b.get(f) for f in (schema.TITLE, schema.HEADING, schema.TEXT))
    return 1.0 if same else None


def _size_bounds(stored: dict) -> tuple[int, int]:
    """Return a lower and an upper bound of len(_words(stored)) without building the set.

    Each field stores its distinct terms, so there are at most all fields' terms together and
    at least the most of one field's, less its terms that may be numbers (_words leaves them out).
    """
    low = high = 0
    for names, _ in stored[schema.SPANS]:
        if names:
            n = names.count(SEPARATOR) + 1
            low, high = max(low, n - len(_DIGIT_LED.findall(names))), high + n
    return low, high


def same_stories(stored: list[dict]) -> list[list[int]]:
    """Group hits (their stored fields, best first) whose words overlap enough for their dates (_threshold)."""
    bounds: dict[int, tuple[int, int]] = {}
    words: dict[int, set[str]] = {}

    def bounds_of(i: int) -> tuple[int, int]:  # only pairs that may be one story need them (undated ones rarely)
        if i not in bounds:
            bounds[i] = _size_bounds(stored[i])
        return bounds[i]

    def words_of(i: int) -> set[str]:
        if i not in words:
            words[i] = _words(stored[i])
        return words[i]

    groups: list[list[int]] = []
    for i in range(len(stored)):
        for g in groups:
            # the overlap is at most the smaller set over the larger: skip pairs whose sizes alone rule it out
            need = _threshold(stored[i], stored[g[0]])
            if (need is not None and bounds_of(i)[1]
                    and min(bounds_of(i)[1], bounds_of(g[0])[1]) >= need * max(bounds_of(i)[0], bounds_of(g[0])[0])
                    and (w := words_of(i))
                    and len(w & words_of(g[0])) / len(w | words_of(g[0])) >= need):
                g.append(i)
                break
        else:
            groups.append([i])
    return groups
