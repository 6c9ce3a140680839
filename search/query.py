"""The query language: words (all must match), "phrases", -exclusions, OR, and field filters.

Anything a person can type parses: text the language does not define is searched as words
or ignored, so Whoosh's own syntax never leaks through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

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


@dataclass(frozen=True)
class Clause:
    """One requirement of a query: a word, consecutive words, or alternatives (OR).

    A word or phrase clause has ``terms`` searched in ``fields``; an OR clause has
    ``any_of``, each alternative being clauses that must all match.
    """

    terms: tuple[str, ...] = ()
    fields: tuple[str, ...] = schema.SEARCHED
    phrase: bool = False
    any_of: tuple[tuple[Clause, ...], ...] = ()


@dataclass
class Parsed:
    """A parsed query: required clauses, exclusions, filters and the words to highlight."""

    clauses: list[Clause] = field(default_factory=list)  # all must match
    excluded: list[Clause] = field(default_factory=list)  # an article matching any is left out
    sources: list[str] = field(default_factory=list)
    date_ranges: list[tuple[str | None, str | None]] = field(default_factory=list)
    terms: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    @property
    def has_filters(self) -> bool:
        return bool(self.sources or self.date_ranges)

    @property
    def can_relax(self) -> bool:
        return len(self.clauses) >= 2

    @property
    def minmatch(self) -> int:
        """How many clauses a relaxed query still requires: half of them, rounded up."""
        return (len(self.clauses) + 1) // 2


def _word_clauses(terms: list[str], phrase: bool, fields: tuple[str, ...]) -> list[Clause]:
    if phrase and len(terms) > 1:
        return [Clause(tuple(terms), fields, phrase=True)]
    return [Clause((t,), fields) for t in terms]


def _date_range(value: str) -> tuple[str | None, str | None]:
    start, sep, end = value.partition("..")
    if not sep:
        end = start
    return parse_date(start, "date:"), parse_date(end, "date:")


def parse(text: str, user_words: tuple = ()) -> Parsed:
    """Parse what a person typed into clauses; never raises for the text itself."""
    parsed = Parsed()
    text = "".join(c if c.isprintable() or c in "\t\n" else " " for c in text)
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        if (cut := text.rfind(" ")) > MAX_QUERY_CHARS // 2:
            text = text[:cut]  # do not search half a word
        parsed.notes.append(f"검색어가 너무 길어 앞의 {MAX_QUERY_CHARS}자만 검색했습니다.")
    pending_or: list[tuple[Clause, ...]] | None = None
    for m in _TOKEN.finditer(text):
        minus, fname, body = m.group(1), (m.group(2) or "").lower(), m.group(3)
        if body == "OR" and not minus and not fname:
            if parsed.clauses and pending_or is None:
                pending_or = [(parsed.clauses.pop(),)]
            continue
        if body in ("AND", "NOT") and not fname:
            continue  # Whoosh's operators mean nothing here; as words they would match nothing
        if fname == "date" and not minus:
            try:
                parsed.date_ranges.append(_date_range(body.strip('"')))
            except QueryError:
                parsed.notes.append(f"날짜 조건 '{body}'을(를) 알 수 없어 무시했습니다. date:2025-01-01..2025-06-30처럼 쓰세요.")
            continue
        if fname == "source" and not minus:
            if body.strip('"'):
                parsed.sources.append(body.strip('"').lower())
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
        clauses = _word_clauses(terms, phrase, (schema.TITLE,) if fname == "title" else schema.SEARCHED)
        if minus:
            parsed.excluded.extend(clauses)
            continue
        parsed.terms.update(terms)
        if pending_or is not None:
            pending_or.append(tuple(clauses))
            parsed.clauses.append(Clause(any_of=tuple(pending_or)))
            pending_or = None
        else:
            parsed.clauses.extend(clauses)
    if pending_or is not None:
        parsed.clauses.extend(pending_or[0])
    return parsed
