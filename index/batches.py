"""Many texts analysed in two stages, so that a build keeps Kiwi's worker threads busy.

``read_in_context`` (and ``chaja.index.wordcache.read_by_word``) asks Kiwi for everything a batch needs:
the tokens of each distinct text (or word), then the splits of every compound among them
(``presplit``). Both are Kiwi batch calls, so they run on Kiwi's worker threads. The result's
``morphemes()`` is Python only: it places the tokens and picks the content morphemes
(chaja.index.analysis._content).

A build runs the two stages on two threads, one batch apart (chaja.index.pipeline). Kiwi reads the
next batch while the last one is picked. Before, the compounds were split one Kiwi call at a time,
inside the picking: a fifth of a word-cache build went to those calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from . import analysis
from .analysis import MAX_KIWI_CHARS, Morpheme
from .readings import reading as hanja_reading

Token = tuple[str, str, int, int]  # Kiwi's form, tag, start, end


class Read(NamedTuple):
    """What Kiwi read of a batch of texts; ``pick`` turns it into each text's content morphemes."""

    texts: Sequence[str]
    normalised: list[tuple[str, list[int] | None]]  # chaja.index.analysis._normalize of each text
    placed: list[list[tuple[int, int]]]  # per text: (offset, reading number) of each piece read
    readings: list[list[Token]]  # Kiwi's tokens of each piece, offsets from the piece's start
    splits: dict[str, list[str]]  # compound_parts of every compound the readings hold
    user_words: tuple

    def morphemes(self) -> list[list[Morpheme]]:
        return pick(self)


def _batch(analyse, texts: list[str], **options):
    """Return analyse(texts): one batch call on Kiwi's worker threads, or one call a text without them."""
    if analysis._workers == 0:  # a Kiwi loaded without threads (chaja serve, before forking) refuses a batch
        return (analyse(text, **options) for text in texts)
    return analyse(texts, **options)


def read_each(kiwi, texts: list[str]) -> list[list[Token]]:
    """Return Kiwi's tokens of each text, in one batch (over-long texts in pieces beside it, as morphemes() reads them)."""
    readings: list[list[Token]] = [[] for _ in texts]
    short = []
    for i, text in enumerate(texts):
        if len(text) > MAX_KIWI_CHARS:
            readings[i] = analysis._kiwi_tokens(kiwi, text)
        else:
            short.append(i)
    for i, found in zip(short, _batch(kiwi.tokenize, [texts[i] for i in short])):
        readings[i] = [(t.form, t.tag, t.start, t.end) for t in found]
    return readings


def placed_tokens(readings: Sequence[list[Token]], placed: list[tuple[int, int]]) -> list[Token]:
    """Return a text's tokens from the readings of its pieces, each shifted to the offset its piece stands at."""
    if len(placed) == 1 and placed[0][0] == 0:
        return readings[placed[0][1]]
    return [(form, tag, start + at, end + at) for at, n in placed for form, tag, start, end in readings[n]]


def read_in_context(texts: Sequence[str], user_words: tuple = ()) -> Read:
    """Read every distinct normalised text in one Kiwi batch (over-long ones in pieces, beside it)."""
    kiwi = analysis.kiwi_for(user_words)
    normalised = [analysis._normalize(text) for text in texts]
    number: dict[str, int] = {}
    placed = [[(0, number.setdefault(norm, len(number)))] if norm.strip() else [] for norm, _ in normalised]
    readings = read_each(kiwi, list(number))
    return Read(texts, normalised, placed, readings, presplit(candidates(readings), user_words), user_words)


def candidates(readings: Iterable[list[Token]]) -> Iterator[str]:
    """Yield the forms that _content may ask compound_parts about: long nouns, and Hanja words' readings."""
    for tokens in readings:
        for form, tag, _, _ in tokens:
            if tag.startswith("NN"):
                if len(form) >= analysis.COMPOUND_MIN:
                    yield form.lower()
            elif tag == "SH" and (read := hanja_reading(form.lower())):
                yield read


def presplit(forms: Iterable[str], user_words: tuple = ()) -> dict[str, list[str]]:
    """Return compound_parts of each form, the ones not known yet split by Kiwi batch calls on its threads.

    Equal to calling compound_parts on each form: Kiwi's best split of each form, then of its long
    parts, a round each, and the results are remembered in compound_parts' memo.
    """
    kiwi = analysis.kiwi_for(user_words)
    known: dict[str, list[str]] = {}
    best: dict[str, list[str]] = {}  # Kiwi's best split of each form not known before
    todo = list(dict.fromkeys(f for f in forms if analysis.splittable(f)))
    while todo:
        ask = []
        for form in todo:
            if (parts := analysis._compound_cache.get((form, user_words))) is not None:
                known[form] = parts
            elif form not in best:
                ask.append(form)
        more = []
        for form, readings in zip(ask, _batch(kiwi.analyze, ask, top_n=analysis.SPLIT_READINGS)):
            best[form] = analysis.best_split(readings, form)
            more.extend(p for p in best[form] if analysis.splittable(p) and p not in best and p not in known)
        todo = list(dict.fromkeys(more))

    def whole(form: str) -> list[str]:
        if (parts := known.get(form)) is None:
            parts = [q for p in best[form] for q in ((whole(p) if analysis.splittable(p) else []) or [p])]
            known[form] = parts
            analysis.remember_parts(form, user_words, parts)
        return parts

    for form in best:
        whole(form)
    return known


def pick(read: Read) -> list[list[Morpheme]]:
    """Return the content morphemes of every text of a batch from what Kiwi read of it."""
    out = []
    for text, (norm, back), placed in zip(read.texts, read.normalised, read.placed):
        tokens = placed_tokens(read.readings, placed)
        out.append(analysis._content(text, norm, back, tokens, read.user_words, splits=read.splits))
    return out


def morphemes_of_many(texts: Sequence[str], user_words: tuple = ()) -> list[list[Morpheme]]:
    """Return morphemes(text) of every text, analysed together on Kiwi's worker threads."""
    return pick(read_in_context(texts, user_words))
