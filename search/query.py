"""The query language: words (all must match), "phrases", -exclusions, OR, and field filters.

Anything a person can type parses: text the language does not define is searched as words
or ignored, so Whoosh's own syntax never leaks through.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from chaja.index import schema
from chaja.index.analysis import compound_parts, read_with_tokens, source_term
from chaja.index.readings import reading as hanja_reading

from . import cut, limits

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


class Marks(NamedTuple):
    """What to mark in a hit: terms wherever they stand, phrases only where whole, words where their terms stand together."""

    anywhere: frozenset[str] = frozenset()
    phrases: tuple[tuple[str, ...], ...] = ()
    words: tuple[tuple[str, ...], ...] = ()  # where their terms never stand together, each term is marked


@dataclass
class Parsed:
    """A parsed query: required clauses, exclusions, filters and the words to highlight."""

    clauses: list[Clause] = field(default_factory=list)  # all must match
    excluded: list[Clause] = field(default_factory=list)  # an article matching any is left out
    sources: list[str] = field(default_factory=list)
    date_ranges: list[tuple[str | None, str | None]] = field(default_factory=list)
    terms: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    # each searched word as typed, from its first morpheme to its last (no particle or ending: chaja.search.grams)
    texts: list[str] = field(default_factory=list)

    @property
    def has_filters(self) -> bool:
        return bool(self.sources or self.date_ranges)

    @property
    def can_relax(self) -> bool:
        return len(self.clauses) >= 2

    @property
    def marks(self) -> Marks:
        """Return what the query's clauses mark: lone terms anywhere, phrases and words of several terms where they stand."""
        anywhere: set[str] = set()
        phrases: list[tuple[str, ...]] = []
        words: list[tuple[str, ...]] = []

        def add(clause: Clause) -> None:
            for alternative in clause.any_of:
                for c in alternative:
                    add(c)
            if len(clause.terms) == 1:
                anywhere.add(clause.terms[0])
            elif clause.terms:
                (phrases if clause.phrase else words).append(clause.terms)

        for clause in self.clauses:
            add(clause)
        return Marks(frozenset(anywhere), tuple(dict.fromkeys(phrases)), tuple(dict.fromkeys(words)))

    @property
    def carrying(self) -> list[Clause]:
        """Return the clauses that can carry a hit of a relaxed query: not a lone digit or syllable."""
        return [c for c in self.clauses if not _slight(c)]


def _slight(clause: Clause) -> bool:
    """Tell whether a clause is only one-character terms ("1", "가"), in every alternative."""
    if clause.any_of:
        return all(all(_slight(c) for c in alternative) for alternative in clause.any_of)
    return all(len(t) == 1 for t in clause.terms)



def _words(text: str, user_words: tuple, by_word: bool = False) -> list[tuple[list[str], str]]:
    """Return the morphemes of text grouped by the word (eojeol) they were typed in, each with
    the text from its first morpheme to its last.

    "인공지능산업" is one word of three morphemes: one requirement that all three meet, so a
    relaxed query never matches a part of it alone; "인공지능 산업" is two requirements. A word
    cut from a longer one may be searched as written instead (chaja.search.cut).
    """
    words: list[tuple[list[str], list[int]]] = []
    last_end = last_pos = None
    # a Hanja word's reading is an alternative (_read); by_word reads as an index with the analysis cache
    found, tokens = read_with_tokens(text, user_words, hanja=False, by_word=by_word)
    for m in found:
        if m.pos == last_pos:  # a longer reading at the same position ("1" -> "1만 명"): the query means it
            words[-1][0][-1] = m.text
            words[-1][1][1] = last_end = m.end
            continue
        last_pos = m.pos
        gap = text[last_end : m.start] if last_end is not None else " "
        if words and all(cut.joins(c) for c in gap):
            words[-1][0].append(m.text)
            words[-1][1][1] = m.end
        else:
            words.append(([m.text], [m.start, m.end]))
        last_end = m.end
    read = cut.as_typed(text, tokens, [(w, s, e) for w, (s, e) in words], user_words)
    return [(w, text[start:end]) for w, start, end in read]


def _joined(terms: list[str], surface: str, user_words: tuple = ()) -> tuple[str, ...] | None:
    """Return the terms of a Hangul word read as one noun, where Kiwi split it into nouns.

    Kiwi splits an unknown name by context: "강완구가" in a question is "강" + "완구", in the
    article "강완구"; "뉘르부르크링" is "뉘르부르크" + "링" in one, one noun (indexed as
    "뉘르" "부르" "크링") in the other. None when the word has one morpheme, is not Hangul
    nouns exactly as typed, or reads the same either way.
    """
    if len(terms) < 2 or "".join(terms) != surface or not all("\uac00" <= c <= "\ud7a3" for c in surface):
        return None
    alternative = tuple(compound_parts(surface, user_words) or (surface,))
    return alternative if alternative != tuple(terms) else None


def _read(terms: list[str], user_words: tuple = ()) -> tuple[str, ...] | None:
    """Return the terms of a word with each Hanja term replaced by its Hangul reading's parts, or None.

    The index holds a Hanja word's reading beside it, so the reading alone finds both scripts:
    "大韓民國" finds 대한민국 and "經濟" finds 경제.
    """
    out = []
    for t in terms:
        read = hanja_reading(t)
        out.extend(compound_parts(read, user_words) or [read] if read else [t])
    return tuple(out) if out != list(terms) else None


def _word_clauses(words: list[list[str]], surfaces: list[str], phrase: bool, fields: tuple[str, ...],
                  user_words: tuple = ()) -> list[Clause]:
    """Return the clauses of words (each a morpheme, or the parts of one compound noun).

    A word Kiwi may read as one noun or as several matches either reading (korquad1-dev's
    5,774 questions among 60,000 kowiki articles: section nDCG@10 0.845 -> 0.851, Recall@100
    0.970 -> 0.972).
    """
    if phrase:
        terms = tuple(t for w in words for t in w)
        return [Clause(terms, fields, phrase=len(terms) > 1)]
    clauses = []
    for w, surface in zip(words, surfaces):
        clause = Clause(tuple(w), fields)
        alternatives = [a for a in (_joined(w, surface, user_words), _read(w, user_words)) if a]
        if alternatives:
            clause = Clause(any_of=((clause,), *((Clause(a, fields),) for a in alternatives)))
        clauses.append(clause)
    return clauses


def _date_range(value: str) -> tuple[str | None, str | None]:
    start, sep, end = value.partition("..")
    if not sep:
        end = start
    return parse_date(start, "date:"), parse_date(end, "date:")


def _plain(m: re.Match) -> bool:
    """Tell whether a token is plain text: no -, no title:/source:/date:, no "phrase", no operator."""
    body = m.group(3)
    if m.group(1) or (m.group(2) or "").lower() in ("title", "source", "date"):
        return False
    return body not in ("OR", "AND", "NOT") and not _is_phrase(body)


def _is_phrase(body: str) -> bool:
    """Tell whether a token is a quoted phrase (an unbalanced quote makes plain words)."""
    return len(body) > 1 and body.startswith('"') and body.endswith('"')


def _tokens(text: str):
    """Yield (minus, field, body) of every token; a run of plain words comes as one body.

    Kiwi reads a word differently alone and in its sentence ("마리 앙투아네트가" is one name in a
    sentence, "앙투아네트" alone; "아이케 장군이" is "장군" + particle in a sentence, a name
    "장군이" alone), and the index analysed whole sentences. So plain words typed together are
    analysed together (korquad1-dev's 5,774 questions among 60,000 kowiki articles: section
    nDCG@10 0.822 -> 0.845, Recall@100 0.960 -> 0.970).
    """
    run_start = run_end = None
    for m in _TOKEN.finditer(text):
        if _plain(m):
            if run_start is None:
                run_start = m.start()
            run_end = m.end()
            continue
        if run_start is not None:
            yield "", "", text[run_start:run_end]
            run_start = None
        yield m.group(1), (m.group(2) or "").lower(), m.group(3)
    if run_start is not None:
        yield "", "", text[run_start:run_end]


def parse(text: str, user_words: tuple = (), by_word: bool = False) -> Parsed:
    """Parse what a person typed into clauses; never raises for the text itself.

    With by_word each word is analysed alone, as an index built with the analysis cache was
    (chaja.index.wordcache), so a question's words are read as the index read them.
    """
    parsed = Parsed()
    # only what can be searched is looked at (a 1 MB paste cost 0.5 s here before it was cut); decomposed
    # Hangul takes up to three characters a syllable before it is composed
    text = "".join(c if c.isprintable() or c in "\t\n" else " " for c in text[: 3 * MAX_QUERY_CHARS + 1])
    text = unicodedata.normalize("NFC", text)  # decomposed Hangul reads as typed: surfaces compare with terms
    text = limits.bound(text, parsed.notes)  # words and their length, before Kiwi spends time on them
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        if (cut := text.rfind(" ")) > MAX_QUERY_CHARS // 2:
            text = text[:cut]  # do not search half a word
        parsed.notes.append(f"검색어가 너무 길어 앞의 {MAX_QUERY_CHARS}자만 검색했습니다.")
    pending_or: list[tuple[Clause, ...]] | None = None
    for minus, fname, body in _tokens(text):
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
                parsed.sources.append(source_term(body.strip('"')))
            continue
        if fname not in ("title", ""):
            body = f"{fname} {body}"  # an unknown "field:" is just text
            fname = ""
        phrase = _is_phrase(body)
        pairs = _words(body.strip('"'), user_words, by_word)
        if not phrase:
            pairs = list({tuple(p[0]): p for p in pairs}.values())
        pairs = pairs[: max(0, MAX_TERMS - len(parsed.terms))]
        if not pairs:
            continue
        words, surfaces = [w for w, _ in pairs], [s for _, s in pairs]
        terms = [t for w in words for t in w]
        clauses = _word_clauses(words, surfaces, phrase, (schema.TITLE,) if fname == "title" else schema.SEARCHED,
                                user_words)
        terms += [t for c in clauses for alternative in c.any_of for a in alternative for t in a.terms]
        if minus:
            parsed.excluded.extend(clauses)
            continue
        parsed.terms.update(terms)
        parsed.texts.extend(surfaces)
        if pending_or is not None:
            # OR joins the word on either side of it, whichever side holds more words
            pending_or.append((clauses[0],))
            parsed.clauses.append(Clause(any_of=tuple(pending_or)))
            pending_or = None
            clauses = clauses[1:]
        parsed.clauses.extend(clauses)
    if pending_or is not None:
        parsed.clauses.extend(pending_or[0])
    parsed.clauses = _without_implied(parsed.clauses)
    parsed.excluded = list(dict.fromkeys(parsed.excluded))
    return parsed


def _without_implied(clauses: list[Clause]) -> list[Clause]:
    """Drop repeated clauses and word clauses that the others already require, in any order.

    "인공지능산업 산업": every article with the first has 산업, so the second adds nothing but
    would count as a second word in a relaxed query. Which clauses go depends only on the set
    of clauses, never on the order they were typed in ("title:한국 한국" and "한국 title:한국"
    keep the same one). A smaller clause is weighed first, so of two that imply each other the
    larger one stays.
    """
    kept = list(dict.fromkeys(clauses))
    for clause in sorted(kept, key=lambda c: (len(c.terms), c.terms, c.fields, c.phrase, repr(c.any_of))):
        if clause.any_of or clause.phrase:
            continue
        others = [c for c in kept if c is not clause and not c.any_of and set(c.fields) <= set(clause.fields)]
        if all(any(t in c.terms for c in others) for t in clause.terms):
            kept.remove(clause)
    return kept
