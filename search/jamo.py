"""Hangul as keystrokes: syllables into jamo, initial consonants (초성), the 2-beolsik layout, distance.

Everything is Unicode arithmetic on the Hangul Syllables block (U+AC00..U+D7A3), written out
here instead of pulling in a library for twenty lines.
"""

from __future__ import annotations

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


def keystrokes(text: str) -> str:
    """Return text with every syllable and compound jamo split into the keys that type it; other characters lowercased."""
    out = []
    for ch in text:
        if is_syllable(ch):
            n = ord(ch) - _BASE
            out.append(INITIALS[n // 588])
            out.append(_KEYS.get(v := _MEDIALS[n % 588 // 28], v))
            out.append(_KEYS.get(f := _FINALS[n % 28], f))
        else:
            out.append(_KEYS.get(ch, ch.lower()))
    return "".join(out)


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
_ALIKE = {("ㅐ", "ㅔ"), ("ㅔ", "ㅐ"), ("ㅒ", "ㅖ"), ("ㅖ", "ㅒ")}


def distance(a: str, b: str, limit: float = 3) -> float:
    """Return the edit distance of two keystroke strings (alike vowels cost 0.5), or limit when it is at least limit."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 0.5 if (ca, cb) in _ALIKE else 1
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost))
        if min(current) >= limit:
            return limit
        previous = current
    return min(previous[-1], limit)
