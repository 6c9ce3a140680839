"""A second way to match a question's names: where Kiwi read them differently in the question and the article.

Kiwi's dictionary holds names of several words as one morpheme ("오다 노부나가", "게티즈버그 전투",
"수원 삼성 블루윙즈"), and whether it reads them so depends on the sentence: the question may hold
the name as one term where the article holds its words, or the other way round, and then the
section that answers lacks a word of the question. A word Kiwi reads with a particle stuck to it
("전현희의", an unknown name) is a term no section holds. Each such word gets an alternative, looked
up in the index's term dictionary only (no Kiwi call but for a name's words):

- a term of several words also matches its words one after another, each read as Kiwi reads it alone;
- a word no section holds also matches the terms that spell it where they stand one after another,
  or, without its last letter (a particle read into it), that term or those terms
  ("진선규" -> 진 선 규, "전현희의" -> 전현 희).

The alternatives are OR'ed into the word's clause (query.Clause.any_of), so the rest of the
ranking (coordination, partial matches, proximity) treats them as it treats a compound's readings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from chaja.index.analysis import morphemes

from .query import Clause, Parsed

MAX_PIECES = 4  # an unknown word is cut into at most this many terms
SYLLABLES = True  # and also into its letters; a benchmark measures it
KINDS = frozenset({"split", "unknown"})  # which alternatives are added; a benchmark measures each


def _alternatives(clause: Clause) -> list[tuple[Clause, ...]]:
    return list(clause.any_of) if clause.any_of else [(clause,)]


def _with(clause: Clause, extra: list[Clause]) -> Clause:
    """Return the clause with one-clause alternatives added (those it has already left out)."""
    have = _alternatives(clause)
    new = [(c,) for c in dict.fromkeys(extra) if (c,) not in have]
    return Clause(any_of=tuple(have + new)) if new else clause


def _written(clause: Clause) -> str | None:
    """Return the word a plain clause stands for (its terms joined), or None for an OR, a phrase or a title: word."""
    if clause.any_of or clause.phrase:
        return None
    return "".join(clause.terms)


def split_names(clause: Clause, user_words: tuple) -> list[Clause]:
    """Return a phrase of the words of every term of several words in the clause ("게티즈버그 전투")."""
    out = []
    for alternative in _alternatives(clause):
        for c in alternative:
            for term in c.terms:
                if " " in term and not c.phrase:
                    parts = tuple(m.text for piece in term.split() for m in morphemes(piece, user_words, hanja=False))
                    if len(parts) > 1:
                        out.append(Clause(parts, c.fields, phrase=True))
    return out


def segments(word: str, held: Callable[[str], bool]) -> tuple[str, ...] | None:
    """Return word cut into the fewest terms of the dictionary (longer first terms first), or None."""
    best: dict[int, tuple[str, ...]] = {0: ()}  # the fewest terms spelling word[:i]
    for end in range(1, len(word) + 1):
        for start in range(end):
            if start in best and held(word[start:end]):
                if end not in best or len(best[start]) + 1 < len(best[end]):
                    best[end] = best[start] + (word[start:end],)
    found = best.get(len(word))
    return found if found and len(found) <= MAX_PIECES else None


def unknown(clause: Clause, held: Callable[[str], bool]) -> list[Clause]:
    """Return a phrase of the terms an unknown word is spelled by, as the article may have read it ("진선규" -> 진 선 규).

    Kiwi reads an unknown name by its context: "진선규는" is 진 + 선 + 규 in the article, one noun in a
    question; "전현희의" keeps its particle. The word, or the word without its last letter, cut into
    the fewest terms the index holds, matches where those terms stand one after another.
    """
    word = _candidate(clause)
    if word is None or held(word):
        return []
    for w in (word, word[:-1]) if len(word) > 2 else (word,):
        if w != word and held(w):
            return [Clause((w,), clause.fields)]
        pieces = segments(w, held)
        if pieces:
            out = [Clause(pieces, clause.fields, phrase=True)]
            letters = tuple(w)  # Kiwi also reads an unknown name letter by letter (진 + 선 + 규)
            if SYLLABLES and letters != pieces and len(letters) <= MAX_PIECES and all(held(c) for c in letters):
                out.append(Clause(letters, clause.fields, phrase=True))
            return out
    return []


def expand(parsed: Parsed, held: Callable[[str], bool], user_words: tuple = ()) -> Parsed:
    """Return the parsed query with the backoff alternatives of its words (held: a term is in the dictionary)."""
    if not KINDS or not parsed.clauses:
        return parsed
    clauses = list(parsed.clauses)
    extra: dict[int, list[Clause]] = {}
    for i, clause in enumerate(clauses):
        if "split" in KINDS:
            extra.setdefault(i, []).extend(split_names(clause, user_words))
        if "unknown" in KINDS:
            extra.setdefault(i, []).extend(unknown(clause, held))
    out = [_with(c, extra.get(i, [])) for i, c in enumerate(clauses)]
    if out == clauses:
        return parsed
    added = {t for c in out for alternative in c.any_of for a in alternative for t in a.terms}
    return replace(parsed, clauses=out, terms=parsed.terms | added)


def words(parsed: Parsed) -> list[str]:
    """Return the words unknown() asks held() about first (a remote index answers them in one request)."""
    return list(dict.fromkeys(w for c in parsed.clauses if (w := _candidate(c)) is not None))


def pieces(word: str) -> list[str]:
    """Return every piece of an unknown word that unknown() may ask held() about."""
    return list(dict.fromkeys(word[a:b] for a in range(len(word)) for b in range(a + 1, len(word) + 1)))


def _candidate(clause: Clause) -> str | None:
    word = _written(clause)
    return word if word is not None and len(clause.terms) == 1 and len(word) >= 2 and word.isalnum() else None
