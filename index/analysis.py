"""The one Korean analyzer: Kiwi morphemes as Whoosh tokens, for indexing, queries and highlighting.

The analyzer object keeps settings only (so Whoosh can pickle it inside the schema); the
costly ``Kiwi`` instance lives in a per-process cache keyed by those settings. Offsets always
point into the text the caller passed in, even where NFKC normalisation changed its length.
"""

from __future__ import annotations

import re
import threading
import unicodedata
import warnings
from collections.abc import Iterator
from typing import NamedTuple

from whoosh.analysis import Filter, Token, Tokenizer

from .readings import reading as hanja_reading

# Kiwi tags whose morphemes carry content. Verb and adjective stems (VV, VA) come out as
# lemmas ("먹었다" -> "먹"), so endings never decide a match. Tags may carry a suffix such
# as "VV-R"/"VA-I" (regular/irregular), hence the prefix test.
CONTENT_TAGS = ("NNG", "NNP", "SL", "SN", "NR", "SH", "XR", "VV", "VA", "W_URL", "W_EMAIL", "W_HASHTAG", "W_MENTION", "W_SERIAL")
# Hangul nouns this long are split into the nouns Kiwi reads in them, so "은행" finds
# "한국은행" and "통신" finds "통신부" even where Kiwi keeps the compound whole.
COMPOUND_MIN = 3
SPLIT_READINGS = 10  # of Kiwi's readings of a compound, how many are weighed
SPLIT_MARGIN = 9.0  # how much worse than Kiwi's best reading a split may score, per extra word
COMPOUND_CACHE = 200_000
MAX_KIWI_CHARS = 20_000
# A particle or ending typed as a word of its own ("은 는 이 가") is read by Kiwi as some
# rare noun or verb; it carries no content, so it is dropped when it stands alone.
LONE_PARTICLES = frozenset("은 는 이 가 을 를 의 에 도 만 와 과 로 으로 에서 에게 께 한테 부터 까지 이나 나 랑 이랑 요 죠 다".split())  # Kiwi's cost grows with sentence length; long texts go in pieces


# A number followed by one of these is read with it, as a unit ("3.5%").
UNIT_SIGNS = frozenset("%‰℃°")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")


class Morpheme(NamedTuple):
    """A content morpheme: its index form, position and span in the original text."""

    text: str
    pos: int
    start: int
    end: int


_kiwis: dict[tuple, object] = {}
_compound_cache: dict[tuple[str, tuple], list[str]] = {}
_kiwi_lock = threading.Lock()
_workers = -1  # Kiwi worker threads: -1 every core; 0 none (analysis in the calling thread)


def set_workers(n: int) -> None:
    """Use n Kiwi worker threads from now on (0: none, as a process that will fork needs).

    Kiwis loaded with another number are dropped, and their threads stopped, here: a child forked
    later would inherit such a Kiwi without its threads, and hang when its exit waits for them.
    """
    global _workers
    with _kiwi_lock:
        if n != _workers:
            _kiwis.clear()
        _workers = n


def kiwi_for(user_words: tuple[tuple[str, str], ...] = ()):
    """Return this process's Kiwi for these user words, loading and warming it once."""
    key = user_words
    kiwi = _kiwis.get(key)
    if kiwi is None:
        with _kiwi_lock:
            kiwi = _kiwis.get(key)
            if kiwi is None:
                from kiwipiepy import Kiwi

                with warnings.catch_warnings():  # Kiwi warns that 0 meant "every core" before 0.21
                    warnings.simplefilter("ignore", DeprecationWarning)
                    kiwi = Kiwi(num_workers=_workers)
                for word, tag in user_words:
                    kiwi.add_user_word(word, tag)
                kiwi.tokenize("찾아 워밍업")
                _kiwis[key] = kiwi
    return kiwi


def read_user_dictionary(path: str) -> tuple[tuple[str, str], ...]:
    """Read a user dictionary: one word a line, optionally a tab and a Kiwi tag (default NNP)."""
    words = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            word, _, tag = line.partition("\t") if "\t" in line else line.partition(" ")
            word, tag = word.strip(), (tag.strip() or "NNP")
            if not word:
                raise ValueError(f"{path}:{lineno}: empty word; write one word a line, optionally followed by a tag")
            words.append((unicodedata.normalize("NFKC", word), tag))
    return tuple(words)


def _normalize(text: str) -> tuple[str, list[int] | None]:
    """NFKC-normalise text as a whole and map each normalised index back to its original index.

    Decomposed Hangul (what macOS pastes: "협" as three jamo) composes only across
    characters, so the text is normalised in clusters: a starter with the marks and jamo that
    combine with it. Every character of a cluster's output maps to the cluster's start;
    ``original_end`` maps an end offset to the cluster's end.
    """
    if unicodedata.is_normalized("NFKC", text):
        return text, None
    parts: list[str] = []
    back: list[int] = []
    start, cluster = 0, ""
    for i, ch in enumerate(text):
        if cluster and (unicodedata.combining(ch) or _combines(cluster, ch)):
            cluster += ch
            continue
        if cluster:
            n = unicodedata.normalize("NFKC", cluster)
            parts.append(n)
            back.extend([start] * len(n))
        start, cluster = i, ch
    n = unicodedata.normalize("NFKC", cluster)
    parts.append(n)
    back.extend([start] * len(n))
    back.append(len(text))
    return "".join(parts), back


def _combines(cluster: str, ch: str) -> bool:
    """Tell whether a starter changes when normalised after cluster (a vowel jamo after a consonant)."""
    return unicodedata.normalize("NFKC", cluster + ch) != unicodedata.normalize("NFKC", cluster) + unicodedata.normalize("NFKC", ch)


def original_end(back: list[int], end: int) -> int:
    """Return the original offset where the normalised text's text[:end] ends: its cluster's end."""
    last = back[end - 1]
    while back[end] == last:
        end += 1
    return back[end]


def source_term(value: str) -> str:
    """Return the term a source name is indexed and searched as: NFKC-normalised, lowercased."""
    return unicodedata.normalize("NFKC", value).lower()


class SourceFilter(Filter):
    """Turn a source name into its source_term, so a decomposed or full-width name matches."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = source_term(token.text)
            yield token


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """Split very long text at line or space boundaries into pieces Kiwi handles quickly."""
    start = 0
    while len(text) - start > MAX_KIWI_CHARS:
        cut = text.rfind("\n", start, start + MAX_KIWI_CHARS)
        if cut <= start:
            cut = text.rfind(" ", start, start + MAX_KIWI_CHARS)
        if cut <= start:
            cut = start + MAX_KIWI_CHARS
        yield start, text[start:cut]
        start = cut
    yield start, text[start:]


def _kiwi_tokens(kiwi, text: str) -> list[tuple[str, str, int, int]]:
    """Return (form, tag, start, end) of every Kiwi token of normalised text."""
    out = []
    for offset, piece in _chunks(text):
        if piece.strip():
            out.extend((t.form, t.tag, t.start + offset, t.end + offset) for t in kiwi.tokenize(piece))
    return out


def splittable(form: str) -> bool:
    """Tell whether compound_parts may split form: a Hangul word of COMPOUND_MIN syllables or more."""
    return len(form) >= COMPOUND_MIN and all("\uac00" <= c <= "\ud7a3" for c in form)


def compound_parts(form: str, user_words: tuple = (), splits: dict[str, list[str]] | None = None) -> list[str]:
    """Split a long Hangul noun into the nouns Kiwi reads in it; [] when it reads none.

    Kiwi keeps many compounds whole ("한국농수산식품유통공사", "통신부"), so their words would
    not be found alone. Of Kiwi's own readings of the noun, the best one made of known nouns
    only is taken (a one-syllable noun only at the end, as in 통신 + 부), if it scores within
    SPLIT_MARGIN per extra word of Kiwi's best reading; its long parts are split the same way,
    so a word is split alike wherever it stands. "청소년" stays whole: 청소 + 년 ends in a
    bound noun. splits holds parts found before (chaja.index.batches.presplit).
    """
    if splits is not None and (parts := splits.get(form)) is not None:
        return list(parts)
    if not splittable(form):
        return []
    parts = _compound_cache.get((form, user_words))
    if parts is None:
        found = best_split(kiwi_for(user_words).analyze(form, top_n=SPLIT_READINGS), form)
        parts = [q for p in found for q in (compound_parts(p, user_words) or [p])]
        remember_parts(form, user_words, parts)
    return list(parts)


def remember_parts(form: str, user_words: tuple, parts: list[str]) -> None:
    """Keep a form's compound parts in the memo, which starts again when full."""
    if len(_compound_cache) >= COMPOUND_CACHE:
        _compound_cache.clear()
    _compound_cache[form, user_words] = parts


def best_split(readings: list, form: str) -> list[str]:
    """Return the forms of the best of Kiwi's readings (analyze's top_n) of form as two or more known nouns, or []."""
    if not readings:
        return []
    best = readings[0][1]
    for tokens, score in readings:
        forms = [t.form for t in tokens]
        if (len(tokens) >= 2 and "".join(forms) == form and (best - score) / (len(tokens) - 1) <= SPLIT_MARGIN
                and all(t.tag in ("NNG", "NNP") and not t.oov for t in tokens)
                and all(len(f) >= 2 for f in forms[:-1])):
            return forms
    return []


def _lone_particle(text: str, start: int, end: int) -> bool:
    """Tell whether text[start:end] is a whole word that is only a particle or ending."""
    return (
        text[start:end] in LONE_PARTICLES
        and (start == 0 or not text[start - 1].isalnum())
        and (end == len(text) or not text[end].isalnum())
    )


def _digits(form: str) -> str:
    """Return a number as written without thousands separators ("1,419" -> "1419")."""
    return form.replace(",", "") if _GROUPED.fullmatch(form) else form


def _number(tokens: list, i: int, norm: str) -> tuple[list[tuple[str, int]], int]:
    """Return the readings of the number starting at tokens[i] (text, end), and the index after it.

    A number reads as its digits ("1"), with the number words written onto it ("1만",
    "5천억") and with the unit that follows ("1만 명", "5G", "3.5%"); all of them stand at one
    position, so "1" still finds "1만 명" while "1만 명" finds no other "1".
    """
    form, tag, _, end = tokens[i]
    readings = [(_digits(form), end)]
    j = i + 1
    while j < len(tokens) and tokens[j][1] == "NR" and tokens[j][2] == end:
        form, end = readings[-1][0] + tokens[j][0], tokens[j][3]
        readings.append((form, end))
        j += 1
    if j < len(tokens):
        unit, unit_tag, unit_start, unit_end = tokens[j]
        touching = unit_start == end
        spaced = unit_start == end + 1 and norm[end] == " " and unit_tag == "NNB"  # counters are spaced: "1만 명"
        if (touching or spaced) and (unit_tag in ("NR", "NNB", "SL") or unit in UNIT_SIGNS):
            readings.append((readings[-1][0] + unit.lower(), unit_end))
            j += 1
    return readings, j


def morphemes(text: str, user_words: tuple = (), hanja: bool = True) -> list[Morpheme]:
    """Return the content morphemes of text with positions and original-text offsets.

    With hanja, a Hanja word is followed by its Hangul reading at the same place (a query asks
    for either instead: chaja.search.query).
    """
    norm, back = _normalize(text)
    return _content(text, norm, back, _kiwi_tokens(kiwi_for(user_words), norm), user_words, hanja)


def read_with_tokens(text: str, user_words: tuple = (), hanja: bool = True, by_word: bool = False
                     ) -> tuple[list[Morpheme], list[tuple[str, str, int, int]]]:
    """Return morphemes(text) and every Kiwi token they were read from: (form, tag, start, end in text).

    A query also weighs the morphemes that carry no content (chaja.search.cut); indexing never
    calls this, so what is indexed does not depend on it. With by_word each word is read alone, as
    an index built with the analysis cache read its texts (chaja.index.wordcache).
    """
    norm, back = _normalize(text)
    if by_word:
        from .wordcache import word_tokens  # it builds on this module

        tokens = word_tokens(kiwi_for(user_words), norm)
    else:
        tokens = _kiwi_tokens(kiwi_for(user_words), norm)
    found = _content(text, norm, back, tokens, user_words, hanja)
    if back is not None:
        tokens = [(form, tag, back[start], original_end(back, end)) for form, tag, start, end in tokens]
    return found, tokens


def _content(text: str, norm: str, back: list[int] | None, tokens: list[tuple[str, str, int, int]],
             user_words: tuple = (), hanja: bool = True, splits: dict[str, list[str]] | None = None) -> list[Morpheme]:
    """Return the content morphemes among Kiwi's tokens of norm, with offsets into text (morphemes()).

    splits holds the compound parts of the forms a batch was found to hold (chaja.index.batches).
    """
    out: list[Morpheme] = []
    pos = 0
    i = 0
    while i < len(tokens):
        form, tag, start, end = tokens[i]
        if tag in ("SN", "NR"):
            readings, i = _number(tokens, i, norm)
            for reading, end in readings:
                out.append(Morpheme(reading, pos, back[start] if back else start, original_end(back, end) if back else end))
            pos += 1
            continue
        i += 1
        if not tag.startswith(CONTENT_TAGS) or _lone_particle(norm, start, end):
            continue
        form = form.lower()
        if back is not None:
            start, end = back[start], original_end(back, end)
        if tag == "SH" and hanja and (read := hanja_reading(form)):
            # The Hangul reading's parts at consecutive positions, the Hanja at the last one
            # (so a phrase the Hanja begins still matches): "經濟" is found by 경제.
            read_parts = compound_parts(read, user_words, splits) or [read]
            out.append(Morpheme(form, pos + len(read_parts) - 1, start, end))
            out.extend(Morpheme(part, pos + n, start, end) for n, part in enumerate(read_parts))
            pos += len(read_parts)
            continue
        parts = compound_parts(form, user_words, splits) if tag.startswith("NN") and text[start:end] == form else ()
        if not parts:
            out.append(Morpheme(form, pos, start, end))
        # A long compound is indexed and queried as its parts at consecutive positions, so
        # both of Kiwi's readings of a compound ("국회의원" whole, or "국회" + "의원") match
        # each other, in phrases too.
        at = start
        for i_part, part in enumerate(parts):
            out.append(Morpheme(part, pos + i_part, at, at + len(part)))
            at += len(part)
        pos += max(1, len(parts))
    return out


class KoreanTokenizer(Tokenizer):
    """Yield Kiwi content morphemes as Whoosh tokens; keeps settings only, so it pickles."""

    def __init__(self, user_words: tuple[tuple[str, str], ...] = ()):
        self.user_words = tuple(tuple(w) for w in user_words)

    def __eq__(self, other):
        return type(other) is type(self) and other.user_words == self.user_words

    def __hash__(self):
        return hash(self.user_words)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for m in morphemes(value, self.user_words):
            token.text = m.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[m.start : m.end]
            if positions:
                token.pos = start_pos + m.pos
            if chars:
                token.startchar = start_char + m.start
                token.endchar = start_char + m.end
            yield token


def korean_analyzer(user_words: tuple[tuple[str, str], ...] = ()):
    """Return the analyzer that every text field, query and highlight uses."""
    return KoreanTokenizer(user_words)
