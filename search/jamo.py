"""Hangul as keystrokes: syllables into jamo, initial consonants (초성), the 2-beolsik layout, distance.

Everything is Unicode arithmetic on the Hangul Syllables block (U+AC00..U+D7A3), written out
here instead of pulling in a library for twenty lines.
"""

from __future__ import annotations

import math

_BASE, _LAST = 0xAC00, 0xD7A3
INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_MEDIALS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_FINALS = ("", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ", "ㅀ", "ㅁ", "ㅂ", "ㅄ",
           "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ")
# A compound vowel or final is two keys on the keyboard; splitting it makes "인공ㅈ", "인공지" and
# "각" (on its way to "가기") prefixes of the words they are typed towards.
_KEYS = {"ㅘ": "ㅗㅏ", "ㅙ": "ㅗㅐ", "ㅚ": "ㅗㅣ", "ㅝ": "ㅜㅓ", "ㅞ": "ㅜㅔ", "ㅟ": "ㅜㅣ", "ㅢ": "ㅡㅣ",
         "ㄳ": "ㄱㅅ", "ㄵ": "ㄴㅈ", "ㄶ": "ㄴㅎ", "ㄺ": "ㄹㄱ", "ㄻ": "ㄹㅁ", "ㄼ": "ㄹㅂ", "ㄽ": "ㄹㅅ", "ㄾ": "ㄹㅌ",
         "ㄿ": "ㄹㅍ", "ㅀ": "ㄹㅎ", "ㅄ": "ㅂㅅ"}
# The 2-beolsik (두벌식) layout: which jamo each Latin key types; shift gives the doubled consonants.
_LAYOUT = dict(zip("qwertyuiopasdfghjklzxcvbnmQWERTOP",
                   "ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔㅁㄴㅇㄹㅎㅗㅓㅏㅣㅋㅌㅊㅍㅠㅜㅡㅃㅉㄸㄲㅆㅒㅖ"))
_CONSONANTS = set(INITIALS) | {f for f in _FINALS if f}


def is_syllable(ch: str) -> bool:
    return _BASE <= ord(ch) <= _LAST


def is_consonant(ch: str) -> bool:
    """Tell whether ch is a bare consonant jamo such as ㄱ or ㅄ."""
    return ch in _CONSONANTS


def _syllable_keys(ch: str) -> str:
    n = ord(ch) - _BASE
    return (INITIALS[n // 588] + _KEYS.get(v := _MEDIALS[n % 588 // 28], v) + _KEYS.get(f := _FINALS[n % 28], f))


# Every syllable and compound jamo to its keys, for str.translate: correction computes the
# keystrokes of thousands of the vocabulary's words a query, 10x faster than a loop per character.
_TRANSLATE = {ord(ch): keys for ch, keys in _KEYS.items()} | {
    n: _syllable_keys(chr(n)) for n in range(_BASE, _LAST + 1)}


def keystrokes(text: str) -> str:
    """Return text with every syllable and compound jamo split into the keys that type it; other characters lowercased."""
    if "\u03a3" in text:  # str.lower() lowercases a final capital sigma by its context, not as one character
        return "".join(_TRANSLATE.get(ord(ch)) or ch.lower() for ch in text)
    return text.translate(_TRANSLATE).lower()  # jamo have no case: lower() changes only the other characters


def initials(text: str) -> str:
    """Return the initial consonant of every syllable (초성), other characters lowercased, spaces dropped."""
    return "".join(INITIALS[(ord(ch) - _BASE) // 588] if is_syllable(ch) else ch.lower() for ch in text if not ch.isspace())


def from_layout(text: str) -> str | None:
    """Return the keystrokes that Latin letters type on the 2-beolsik layout, or None if one is not a key.

    A capital letter without a shifted jamo (R is ㄲ, but L is ㅣ) types the same as its lower case.
    """
    out = []
    for ch in text:
        if ch.isspace():
            out.append(" ")
            continue
        jamo = _LAYOUT.get(ch) or _LAYOUT.get(ch.lower())
        if jamo is None:
            return None
        out.append(jamo)
    return "".join(out)


# Vowels that sound alike in today's Korean and are confused in writing (베개/배게, 예/얘) cost half an edit.
_FAR = float("inf")  # a cell too far off the diagonal to matter
_ALIKE = {("ㅐ", "ㅔ"), ("ㅔ", "ㅐ"), ("ㅒ", "ㅖ"), ("ㅖ", "ㅒ")}
_ONE_OF_ALIKE = str.maketrans("ㅔㅖ", "ㅐㅒ")


def fold_alike(keys: str) -> str:
    """Return keystrokes with each pair of alike vowels made one: their plain edit distance never exceeds distance()."""
    return keys.translate(_ONE_OF_ALIKE)


def distance(a: str, b: str, limit: float = 3) -> float:
    """Return the edit distance of two keystroke strings (alike vowels cost 0.5), or limit when it is at least limit.

    Only the cells less than limit off the diagonal are computed: a cell further off needs that many
    insertions or deletions, so it is at least limit and no path under limit passes through it.
    """
    if abs(len(a) - len(b)) >= limit:
        return limit
    width = math.ceil(limit) - 1  # |i - j| <= width is |i - j| < limit
    m = len(b)
    previous = [j if j <= width else _FAR for j in range(m + 1)]
    for i, ca in enumerate(a, 1):
        current = [_FAR] * (m + 1)
        if i <= width:
            current[0] = i
        for j in range(max(1, i - width), min(m, i + width) + 1):
            cb = b[j - 1]
            cost = 0 if ca == cb else 0.5 if (ca, cb) in _ALIKE else 1
            best = previous[j] + 1  # min() of the three, written out: this is the inner loop of correction
            if (other := current[j - 1] + 1) < best:
                best = other
            if (other := previous[j - 1] + cost) < best:
                best = other
            current[j] = best
        if min(current) >= limit:
            return limit
        previous = current
    return min(previous[-1], limit)
