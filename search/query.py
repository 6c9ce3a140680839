"""The query language: words (all must match), "phrases", -exclusions, OR, and field filters.

Anything a person can type parses: text the language does not define is searched as words
or ignored, so Whoosh's own syntax never leaks through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from whoosh import query as Q

from chaja.index import schema
from chaja.index.analysis import morphemes

MAX_QUERY_CHARS = 1_000
MAX_TERMS = 32
# BM25F field weights, tuned on korquad1-dev (see tests/benchmarks/quality.py).
WEIGHTS = {schema.TITLE: 2.0, schema.HEADING: 1.5, schema.TEXT: 1.0}

_TOKEN = re.compile(r'(-?)(?:(\w+):)?("[^"]*"?|\S+)')
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class QueryError(ValueError):
    """A search parameter is invalid; the message tells the caller how to fix it."""


def parse_date(value: str | None, name: str) -> str | None:
    """Return an ISO date string, or raise QueryError naming the parameter."""
    if value in (None, ""):
        return None
    if _DATE.match(value):
        try:
            date.fromisoformat(value)
            return value
        except ValueError:
            pass
    raise QueryError(f"{name} must be a date written YYYY-MM-DD, not {value!r}")


@dataclass
class Parsed:
    """A parsed query: required clauses, exclusions, filters and the words to highlight."""

    clauses: list[Q.Query] = field(default_factory=list)  # all must match
    excluded: list[Q.Query] = field(default_factory=list)
    filters: list[Q.Query] = field(default_factory=list)
    terms: set[str] = field(default_factory=set)
    words: list[str] = field(default_factory=list)  # the morphemes of plain words, in order
    notes: list[str] = field(default_factory=list)

    def strict(self) -> Q.Query:
        """Return the query every clause must match (every document if there are only filters)."""
        return _and(self.clauses) if self.clauses else Q.Every()

    @property
    def can_relax(self) -> bool:
        return len(self.clauses) >= 2

    @property
    def minmatch(self) -> int:
        """How many clauses a relaxed query still requires: half of them, rounded up."""
        return (len(self.clauses) + 1) // 2

    def relaxed(self) -> Q.Query:
        """Return the query that ranks documents by how many clauses they match."""
        return Q.Or(self.clauses)

    def filter(self) -> Q.Query | None:
        return _and(self.filters) if self.filters else None

    def mask(self) -> Q.Query | None:
        return Q.Or(self.excluded) if self.excluded else None


def _and(queries: list[Q.Query]) -> Q.Query:
    return queries[0] if len(queries) == 1 else Q.And(queries)


def term_clause(term: str) -> Q.Query:
    """Return the query for one morpheme in any searched field, weighted per field."""
    return Q.Or([Q.Term(f, term, boost=w) for f, w in WEIGHTS.items()])


def phrase_clause(terms: list[str]) -> Q.Query:
    """Return the query for consecutive morphemes in any searched field."""
    if len(terms) == 1:
        return term_clause(terms[0])
    return Q.Or([Q.Phrase(f, terms, slop=1, boost=w) for f, w in WEIGHTS.items()])


def _date_range(value: str) -> Q.Query:
    start, sep, end = value.partition("..")
    if not sep:
        end = start
    return Q.TermRange(schema.DATE, parse_date(start, "date:") or None, parse_date(end, "date:") or None)


def parse(text: str, user_words: tuple = ()) -> Parsed:
    """Parse what a person typed into clauses; never raises for the text itself."""
    parsed = Parsed()
    text = "".join(c if c.isprintable() or c in "\t\n" else " " for c in text)
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        if (cut := text.rfind(" ")) > MAX_QUERY_CHARS // 2:
            text = text[:cut]  # do not search half a word
        parsed.notes.append(f"검색어가 너무 길어 앞의 {MAX_QUERY_CHARS}자만 검색했습니다.")
    pending_or: list[Q.Query] | None = None
    for m in _TOKEN.finditer(text):
        minus, fname, body = m.group(1), (m.group(2) or "").lower(), m.group(3)
        if body == "OR" and not minus and not fname:
            if parsed.clauses and pending_or is None:
                pending_or = [parsed.clauses.pop()]
            continue
        if body in ("AND", "NOT") and not fname:
            continue  # Whoosh's operators mean nothing here; as words they would match nothing
        if fname == "date" and not minus:
            try:
                parsed.filters.append(_date_range(body.strip('"')))
            except QueryError:
                parsed.notes.append(f"날짜 조건 '{body}'을(를) 알 수 없어 무시했습니다. date:2025-01-01..2025-06-30처럼 쓰세요.")
            continue
        if fname == "source" and not minus:
            parsed.filters.append(Q.Term(schema.SOURCE, body.strip('"').lower()))
            continue
        if fname not in ("title", ""):
            body = f"{fname} {body}"  # an unknown "field:" is just text
            fname = ""
        phrase = len(body) > 1 and body.startswith('"') and body.endswith('"')  # unbalanced: plain words
        terms = [t.text for t in morphemes(body.strip('"'), user_words)]
        if not phrase:
            terms = [t for t in dict.fromkeys(terms) if t not in parsed.terms]
        terms = terms[: max(0, MAX_TERMS - len(parsed.terms))]
        if not terms:
            continue
        if fname == "title":
            clause = Q.Phrase(schema.TITLE, terms) if phrase and len(terms) > 1 else _and([Q.Term(schema.TITLE, t) for t in terms])
            clauses = [clause]
        elif phrase:
            clauses = [phrase_clause(terms)]
        else:
            clauses = [term_clause(t) for t in terms]
        if minus:
            parsed.excluded.extend(clauses)
            continue
        parsed.terms.update(terms)
        if not phrase and fname != "title":
            parsed.words.extend(terms)
        if pending_or is not None:
            pending_or.append(_and(clauses))
            parsed.clauses.append(Q.Or(pending_or))
            pending_or = None
        else:
            parsed.clauses.extend(clauses)
    if pending_or is not None:
        parsed.clauses.extend(pending_or)
    return parsed
