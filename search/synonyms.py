"""Apply an index's synonym groups to a parsed query: a word of a group also matches the others."""

from __future__ import annotations

from dataclasses import replace

from chaja.index.analysis import compound_parts, morphemes

from .query import Clause, Parsed

Table = dict[tuple[str, ...], tuple[tuple[str, ...], ...]]  # a word's terms -> the terms of its synonyms


def _terms(word: str, user_words: tuple) -> tuple[str, ...]:
    """Return the terms a word is searched by, as the query parser reads a typed word."""
    out: list[str] = []
    for m in morphemes(word, user_words, hanja=False):
        out.append(m.text)
    joined = "".join(out)
    if len(out) > 1 and joined == word and compound_parts(joined, user_words):
        return tuple(compound_parts(joined, user_words))
    return tuple(out)


def table(groups: tuple[tuple[str, ...], ...], user_words: tuple = ()) -> Table:
    """Return the lookup of synonyms by the terms of each word of the groups."""
    out: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for group in groups:
        terms = [t for t in (_terms(w, user_words) for w in group) if t]
        for t in terms:
            out.setdefault(t, [])
            out[t].extend(o for o in terms if o != t and o not in out[t])
    return {k: tuple(v) for k, v in out.items() if v}


def _expand(clause: Clause, synonyms: Table) -> Clause:
    if clause.phrase:
        return clause
    if clause.any_of:
        alternatives = [tuple(_expand(c, synonyms) for c in a) for a in clause.any_of]
        first = clause.any_of[0]
        if len(first) == 1 and not first[0].any_of and first[0].terms in synonyms:
            alternatives += [(Clause(t, first[0].fields),) for t in synonyms[first[0].terms]]
        return Clause(any_of=tuple(alternatives))
    if clause.terms not in synonyms:
        return clause
    return Clause(any_of=((clause,), *((Clause(t, clause.fields),) for t in synonyms[clause.terms])))


def expand(parsed: Parsed, synonyms: Table) -> Parsed:
    """Return the parsed query with every word of a synonym group matching any word of its group."""
    if not synonyms:
        return parsed
    clauses = [_expand(c, synonyms) for c in parsed.clauses]
    added = {t for c in clauses for alternative in c.any_of for a in alternative for t in a.terms}
    return replace(parsed, clauses=clauses, excluded=[_expand(c, synonyms) for c in parsed.excluded],
                   terms=parsed.terms | added)
