"""The one Korean analyzer: Kiwi morphemes as Whoosh tokens, for indexing, queries and highlighting.

The analyzer object keeps settings only (so Whoosh can pickle it inside the schema); the
costly ``Kiwi`` instance lives in a per-process cache keyed by those settings. Offsets always
point into the text the caller passed in, even where NFKC normalisation changed its length.
"""

from __future__ import annotations

import threading
import unicodedata
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from whoosh.analysis import Token, Tokenizer

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


def morphemes(text: str, user_words: tuple = ()) -> list[Morpheme]:
    """Return the content morphemes of text with positions and original-text offsets."""
    norm, back = _normalize(text)
    return _content(text, norm, back, _kiwi_tokens(kiwi_for(user_words), norm))


def morphemes_of_many(texts: Sequence[str], user_words: tuple = ()) -> list[list[Morpheme]]:
    """Return morphemes(text) of every text, analysed together on Kiwi's worker threads."""
    kiwi = kiwi_for(user_words)
    normalised = [_normalize(text) for text in texts]
    batch = list(dict.fromkeys(norm for norm, _ in normalised if len(norm) <= MAX_KIWI_CHARS and norm.strip()))
    tokens = {norm: [(t.form, t.tag, t.start, t.end) for t in found] for norm, found in zip(batch, kiwi.tokenize(batch))}
    return [_content(text, norm, back, tokens[norm] if norm in tokens else _kiwi_tokens(kiwi, norm))
            for text, (norm, back) in zip(texts, normalised)]


def _content(text: str, norm: str, back: list[int] | None, tokens: Iterable[tuple[str, str, int, int]]) -> list[Morpheme]:
    """Return the content morphemes among Kiwi's tokens of norm, with offsets into text."""
    out: list[Morpheme] = []
    pos = 0
    for form, tag, start, end in tokens:
        if not tag.startswith(CONTENT_TAGS) or _lone_particle(norm, start, end):
            continue
        form = form.lower()
        if back is not None:
            start, end = back[start], back[end - 1] + 1
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
