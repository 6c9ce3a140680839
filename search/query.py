"""The query language: words (all must match), "phrases", -exclusions, OR, and field filters.

Anything a person can type parses: text the language does not define is searched as words
or ignored, so Whoosh's own syntax never leaks through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from chaja.index import schema
from chaja.index.analysis import morphemes

MAX_QUERY_CHARS = 1_000
MAX_TERMS = 32

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

    A word clause has ``terms`` that must all be in one of ``fields`` (several when one typed
    word holds several morphemes), next to each other if ``phrase``; an OR clause has
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



def _words(text: str, user_words: tuple) -> list[list[str]]:
    """Return the morphemes of text grouped by the word (eojeol) they were typed in.

    "인공지능산업" is one word of three morphemes: one requirement that all three meet, so a
    relaxed query never matches a part of it alone; "인공지능 산업" is two requirements.
    """
    return [list(w) for w in _analysed_words(text, user_words)]


@lru_cache(maxsize=50_000)
def _analysed_words(text: str, user_words: tuple) -> tuple[tuple[str, ...], ...]:
    # People type the same words again and again ("무엇인가", "언제"): Kiwi reads each once.
    words: list[list[str]] = []
    last_end = None
    for m in morphemes(text, user_words):
        gap = text[last_end : m.start] if last_end is not None else " "
        if words and not any(c.isspace() or not (c.isalnum() or c in "-.") for c in gap):
            words[-1].append(m.text)
        else:
            words.append([m.text])
        last_end = m.end
    return tuple(tuple(w) for w in words)


def _word_clauses(words: list[list[str]], phrase: bool, fields: tuple[str, ...]) -> list[Clause]:
    """Return the clauses of words (each a morpheme, or the parts of one compound noun)."""
    if phrase:
        terms = tuple(t for w in words for t in w)
        return [Clause(terms, fields, phrase=len(terms) > 1)]
    return [Clause(tuple(w), fields) for w in words]


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
        words = _words(body.strip('"'), user_words)
        if not phrase:
            words = [w for w in {tuple(w): w for w in words}.values() if not set(w) <= parsed.terms]
        words = words[: max(0, MAX_TERMS - len(parsed.terms))]
        if not words:
            continue
        terms = [t for w in words for t in w]
        clauses = _word_clauses(words, phrase, (schema.TITLE,) if fname == "title" else schema.SEARCHED)
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
