"""Correct typos from the index's own vocabulary: distance over keystrokes, and the wrong keyboard layout.

A word is only replaced when the index does not hold it: its text is not one of the index's
words, and its morphemes are not all indexed terms that together make up the whole word.
Predicates (a verb or adjective with its ending) are never corrected: their forms are endless.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from chaja.index.analysis import CONTENT_TAGS, LONE_PARTICLES, compound_parts, kiwi_for
from chaja.index.vocabulary import Vocabulary

from . import jamo
from .autocomplete import _range
from .suggest import layout_hangul

_PLAIN = re.compile(r"^[\w.·-]+$")
_PARTICLES = sorted(LONE_PARTICLES | {"에는", "에서는", "으로는", "이다", "하고", "처럼", "보다", "이라", "라는", "이라는", "의"},
                    key=len, reverse=True)
# Tags that make a word a predicate or give it an ending; such words are left as typed.
_PREDICATE = ("E", "VV", "VA", "VX", "VCP", "VCN", "XSV", "XSA", "NP")
_ATTACHED = ("J", "XSN")  # particles and noun suffixes (들, 님) that a held word may carry
_TITLES = ("씨", "님")  # read as bound nouns after a name (김을동씨가: 김을동 + 씨 + 가), carried like suffixes
MAX_CANDIDATES = 5_000  # a range this large is a prefix too short to say anything
MIN_KEYS = 4  # words shorter than this (in keystrokes) are too short to guess
MAX_KEYS = 40  # longer ones are not words


def _has_word(vocabulary: Vocabulary, text: str) -> bool:
    key = jamo.keystrokes(text)
    lo, hi = _range(vocabulary, vocabulary.keys_order, jamo.keystrokes, key)
    return any(vocabulary.entry(e) == text for e in vocabulary.keys_order[lo:min(hi, lo + 64)].tolist())


def _backward(text: str) -> str:
    return jamo.keystrokes(text)[::-1]


def _stems(word: str) -> list[tuple[str, str]]:
    """Return (stem, particle) readings of a word, the whole word first."""
    out = [(word, "")]
    for p in _PARTICLES:
        if word.endswith(p) and len(word) - len(p) >= 2:
            out.append((word[: -len(p)], p))
    return out


def held(word: str, vocabulary: Vocabulary, has_term: Callable[[str], bool], tokens=None,
         user_words: tuple = ()) -> bool:
    """Tell whether the index holds a typed word, so it must not be corrected (tokens: Kiwi's, if already at hand)."""
    stems = _stems(word)
    if any(_has_word(vocabulary, stem) or has_term(stem.lower()) for stem, _ in stems):
        return True  # a word of the vocabulary, or a term of the index (번디가: Kiwi reads 번디 alone as 번 + 디)
    if tokens is None:
        tokens = kiwi_for(user_words).tokenize(word)
    if any(t.tag.startswith(_PREDICATE) for t in tokens):
        return True
    content = [t for t in tokens if t.tag.startswith(CONTENT_TAGS)]
    if not content:
        return True  # particles or symbols only: nothing to correct
    # Held when it is indexed words with nothing but particles and noun suffixes around them
    # ("변의", "아이들"); "반도채" (반 + 도 + 채) is not, "인공지눙" has a part no article holds.
    rest = [t for t in tokens if not t.tag.startswith(CONTENT_TAGS)]
    touching = all(a.end >= b.start for a, b in zip(content, content[1:]))
    terms = [p for t in content for p in (compound_parts(t.form) if t.tag.startswith("NN") else ()) or [t.form.lower()]]
    return (content[0].start == 0 and touching and all(t.tag.startswith(_ATTACHED) or t.form in _TITLES for t in rest)
            and all(has_term(t) for t in terms))


def _near(vocabulary: Vocabulary, keys: str, limit: int) -> list[tuple[float, int, int]]:
    """Return (distance, -count, entry) of words less than limit edits from these keystrokes."""
    n = len(keys)
    part = max(2, (n - limit + 1) // limit)
    candidates: set[int] = set()
    for order, key, piece in ((vocabulary.keys_order, jamo.keystrokes, keys[:part]),
                              (vocabulary.backward_order, _backward, keys[::-1][:part])):
        lo, hi = _range(vocabulary, order, key, piece)
        if hi - lo <= MAX_CANDIDATES:
            candidates.update(order[lo:hi].tolist())
    entries = np.fromiter(candidates, dtype=np.int64, count=len(candidates))
    entries = entries[vocabulary.kind[entries] == 0]  # titles are not words
    others = [jamo.keystrokes(text) for text in vocabulary.entries(entries)]
    # Plain edit distance with alike vowels made one is never more than jamo.distance: the many words it puts
    # limit or more edits away are left out in C (a typo's ranges hold up to 10,000 words, 47 microseconds each
    # in Python: 125 ms for one question before).
    lower = process.cdist([jamo.fold_alike(keys)], [jamo.fold_alike(o) for o in others], scorer=Levenshtein.distance,
                          score_cutoff=limit - 1, workers=1)[0]
    out = []
    for i in np.flatnonzero(lower < limit).tolist():
        d = jamo.distance(keys, others[i], limit)
        if d < limit:
            out.append((d, -int(vocabulary.count[entries[i]]), int(entries[i])))
    return sorted(out)


def correct_word(word: str, vocabulary: Vocabulary, has_term: Callable[[str], bool], user_words: tuple = (),
                 tokens=None) -> str | None:
    """Return the index's word closest to a typed word it does not hold, or None."""
    if not _PLAIN.match(word):
        return None
    if word.isascii():
        if not word.isalpha() or has_term(word.lower()):
            return None
        for hangul in layout_hangul(word):
            if held(hangul, vocabulary, has_term, user_words=user_words):
                return hangul
        return None
    if not all(jamo.is_syllable(c) for c in word) or held(word, vocabulary, has_term, tokens, user_words):
        return None
    best = None
    for stem, particle in _stems(word):
        keys = jamo.keystrokes(stem)
        if not MIN_KEYS <= len(keys) <= MAX_KEYS:
            continue
        limit = 2 if len(keys) < 10 else 3  # one keystroke off, two in long words
        near = _near(vocabulary, keys, limit)
        if near and (best is None or near[0][:2] < best[0][:2]):
            best = (near[0], particle)
    if best is None:
        return None
    (_, _, entry), particle = best
    return vocabulary.entry(entry) + particle


def correct(query: str, vocabulary: Vocabulary | None, has_term: Callable[[str], bool], user_words: tuple = ()) -> str | None:
    """Return the query with every word the index does not hold replaced by its nearest word, or None if none was."""
    if vocabulary is None or not query.strip():
        return None
    words = query.split()
    # Only the Hangul words the vocabulary lacks are read by Kiwi, one call each: a serving
    # process's Kiwi has no worker threads (loaded before the fork), and batches need them.
    unknown = list(dict.fromkeys(w for w in words if _PLAIN.match(w) and all(jamo.is_syllable(c) for c in w)
                                 and not any(_has_word(vocabulary, stem) for stem, _ in _stems(w))))
    kiwi = kiwi_for(user_words)
    analysed = {w: kiwi.tokenize(w) for w in unknown}
    changed = False
    for i, word in enumerate(words):
        if ":" in word or word.startswith(("-", '"')) or word in ("OR", "AND", "NOT"):
            continue
        if not word.isascii() and word not in analysed:
            continue  # held by the vocabulary, or not a plain Hangul word
        fixed = correct_word(word, vocabulary, has_term, user_words, analysed.get(word))
        if fixed and fixed != word:
            words[i], changed = fixed, True
    return " ".join(words) if changed else None
