"""The one Korean analyzer: Kiwi morphemes as Whoosh tokens, for indexing, queries and highlighting.

The analyzer object keeps settings only (so Whoosh can pickle it inside the schema); the
costly ``Kiwi`` instance lives in a per-process cache keyed by those settings. Offsets always
point into the text the caller passed in, even where NFKC normalisation changed its length.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from whoosh.analysis import Token, Tokenizer

from .readings import reading as hanja_reading

# Kiwi tags whose morphemes carry content. Verb and adjective stems (VV, VA) come out as
# lemmas ("먹었다" -> "먹"), so endings never decide a match. Tags may carry a suffix such
# as "VV-R"/"VA-I" (regular/irregular), hence the prefix test.
CONTENT_TAGS = ("NNG", "NNP", "SL", "SN", "SH", "XR", "VV", "VA", "W_URL", "W_EMAIL", "W_HASHTAG", "W_MENTION", "W_SERIAL")
# Hangul nouns this long are split into two-syllable parts, so "은행" finds "한국은행"
# and "의원" finds "국회의원" even where Kiwi keeps the compound whole.
COMPOUND_MIN = 4
MAX_KIWI_CHARS = 20_000
# A particle or ending typed as a word of its own ("은 는 이 가") is read by Kiwi as some
# rare noun or verb; it carries no content, so it is dropped when it stands alone.
LONE_PARTICLES = frozenset("은 는 이 가 을 를 의 에 도 만 와 과 로 으로 에서 에게 께 한테 부터 까지 이나 나 랑 이랑 요 죠 다".split())  # Kiwi's cost grows with sentence length; long texts go in pieces


class Morpheme(NamedTuple):
    """A content morpheme: its index form, position and span in the original text."""

    text: str
    pos: int
    start: int
    end: int


_kiwis: dict[tuple, object] = {}
_kiwi_lock = threading.Lock()
# Texts analysed ahead of time by ``prefetch`` (Kiwi's multi-threaded batch API); the
# tokenizer takes them from here instead of analysing one text at a time.
_prefetched: dict[str, list] = {}
_workers = 0  # Kiwi worker threads; 0 lets Kiwi use every core
# Morphemes the builder computed for a document's stored spans; the tokenizer takes them from
# here when Whoosh indexes the same text, instead of walking Kiwi's tokens a second time.
_handed: dict[tuple[str, tuple], list] = {}


def set_workers(n: int) -> None:
    """Use n Kiwi worker threads in Kiwis loaded from now on."""
    global _workers
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

                kiwi = Kiwi(num_workers=_workers or None)
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
    """NFKC-normalise text and map each normalised index back to its original index."""
    if unicodedata.is_normalized("NFKC", text):
        return text, None
    parts: list[str] = []
    back: list[int] = []
    for i, ch in enumerate(text):
        n = unicodedata.normalize("NFKC", ch)
        parts.append(n)
        back.extend([i] * len(n))
    back.append(len(text))
    return "".join(parts), back


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
    cached = _prefetched.get(text)
    if cached is not None:
        return cached
    out = []
    for offset, piece in _chunks(text):
        if piece.strip():
            out.extend((t.form, t.tag, t.start + offset, t.end + offset) for t in kiwi.tokenize(piece))
    return out


def compound_parts(form: str) -> list[str]:
    """Split a long Hangul noun into two-syllable parts (an odd last syllable joins the last)."""
    if len(form) < COMPOUND_MIN or not all("\uac00" <= c <= "\ud7a3" for c in form):
        return []
    parts = [form[i : i + 2] for i in range(0, len(form) - len(form) % 2, 2)]
    if len(form) % 2:
        parts[-1] += form[-1]
    return parts


def _lone_particle(text: str, start: int, end: int) -> bool:
    """Tell whether text[start:end] is a whole word that is only a particle or ending."""
    return (
        text[start:end] in LONE_PARTICLES
        and (start == 0 or not text[start - 1].isalnum())
        and (end == len(text) or not text[end].isalnum())
    )


def morphemes(text: str, user_words: tuple = (), readings: bool = True) -> list[Morpheme]:
    """Return the content morphemes of text with positions and original-text offsets.

    With readings, a Hanja word is followed by its Hangul reading at the same place (a query
    asks for either instead: chaja.search.query).
    """
    norm, back = _normalize(text)
    out: list[Morpheme] = []
    pos = 0
    for form, tag, start, end in _kiwi_tokens(kiwi_for(user_words), norm):
        if not tag.startswith(CONTENT_TAGS) or _lone_particle(norm, start, end):
            continue
        form = form.lower()
        if back is not None:
            start, end = back[start], back[end - 1] + 1
        if tag == "SH" and readings and (read := hanja_reading(form)):
            # The Hanja and its Hangul reading's first part at one position, the reading's
            # other parts after it: "經濟" is found by 경제, "大韓民國" by 대한민국.
            read_parts = compound_parts(read) or [read]
            out.append(Morpheme(form, pos, start, end))
            out.extend(Morpheme(part, pos + i, start, end) for i, part in enumerate(read_parts))
            pos += len(read_parts)
            continue
        parts = compound_parts(form) if tag.startswith("NN") and text[start:end] == form else ()
        if not parts:
            out.append(Morpheme(form, pos, start, end))
        # A long compound is indexed and queried as its two-syllable parts at consecutive
        # positions, so both of Kiwi's readings of a compound ("국회의원" whole, or "국회" +
        # "의원") match each other, in phrases too.
        at = start
        for i, part in enumerate(parts):
            out.append(Morpheme(part, pos + i, at, at + len(part)))
            at += len(part)
        pos += max(1, len(parts))
    return out


def analysed(text: str, user_words: tuple = ()) -> list[Morpheme]:
    """Return morphemes(text), kept for the tokenizer's next call on the same text."""
    _handed[(text, user_words)] = found = morphemes(text, user_words)
    return found


def prefetch(texts: Iterable[str], user_words: tuple = ()) -> None:
    """Analyse many texts at once on all cores, so the tokenizer finds them ready."""
    kiwi = kiwi_for(user_words)
    todo = []
    for text in texts:
        norm, _ = _normalize(text)
        if norm not in _prefetched and len(norm) <= MAX_KIWI_CHARS and norm.strip():
            todo.append(norm)
    todo = list(dict.fromkeys(todo))
    for norm, tokens in zip(todo, kiwi.tokenize(todo)):
        _prefetched[norm] = [(t.form, t.tag, t.start, t.end) for t in tokens]


def forget_prefetched(texts: Iterable[str] | None = None) -> None:
    """Drop the prefetched analyses of these texts (all when None) once they are indexed."""
    if texts is None:
        _prefetched.clear()
        _handed.clear()
        return
    for text in texts:
        _prefetched.pop(_normalize(text)[0], None)


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
        found = _handed.pop((value, self.user_words), None)
        for m in found if found is not None else morphemes(value, self.user_words):
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
