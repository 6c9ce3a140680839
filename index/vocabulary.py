"""The words and titles of a generation, with how many articles hold each: built when it is published.

Autocomplete and typo correction only look things up in these arrays, so a request never walks
the index. Words are what a reader types: runs of content morphemes with nothing between them
in the text ("인공지능을" gives 인공지능, "인공지능산업" stays whole), read from the stored spans.
The arrays are plain .npy files in the generation folder, opened memory-mapped, so all worker
processes share one copy.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import schema
from .spans import SEPARATOR

PREFIX = "vocabulary-"
FILES = ("text", "offsets", "count", "kind", "keys-order", "initials-order", "backward-order")
TERM, TITLE = 0, 1
MAX_WORD = 20  # longer runs are pasted strings, not words anyone types
MAX_TITLE = 80
# On a large index a word in one article only is mostly a name or a spacing accident; leaving
# those out keeps the arrays small (a small collection keeps every word).
RARE_FROM = 2_000  # articles


@dataclass(frozen=True)
class Vocabulary:
    """Entries (text, article count, kind) and three orders of them: by keystrokes, by 초성, by reversed keystrokes.

    The keys are not stored: a binary search computes the few it compares from the text
    (search.jamo), which keeps the files a fraction of the index's size.
    """

    text: np.ndarray  # UTF-8 of every entry, one after another
    offsets: np.ndarray  # entry i is text[offsets[i]:offsets[i + 1]]
    count: np.ndarray
    kind: np.ndarray
    keys_order: np.ndarray  # entries sorted by search.jamo.keystrokes
    initials_order: np.ndarray  # entries sorted by search.jamo.initials
    backward_order: np.ndarray  # words (no titles) sorted by their keystrokes reversed

    def __len__(self) -> int:
        return len(self.count)

    def entry(self, i: int) -> str:
        """Return the text of entry i."""
        return self.text[self.offsets[i]:self.offsets[i + 1]].tobytes().decode("utf-8")

    def entries(self, numbers: np.ndarray) -> list[str]:
        """Return the texts of many entries (entry() of each, without a numpy look-up per entry)."""
        blob = memoryview(self.text)
        return [str(blob[a:b], "utf-8") for a, b in zip(self.offsets[numbers].tolist(), self.offsets[numbers + 1].tolist())]


def _words(text: str, encoded) -> set[str]:
    """Return the words of a field: runs of content morphemes that touch, at least two characters.

    A run whose text is not its morphemes written out is a conjugated verb ("밝혔" of 밝히), not a
    word anyone types as a search.
    """
    names, data = encoded
    if not names:
        return set()
    names = names.split(SEPARATOR)
    records = np.frombuffer(data, dtype=np.int32).reshape(-1, 3).tolist()
    out = set()
    run: list[str] = []
    run_start = run_end = -1
    for term, s, e in records + [[-1, -1, -1]]:
        if run and (s == run_end or (s >= run_start and e <= run_end)):
            if s == run_end:  # a reading at the same place (a Hanja word's Hangul) adds nothing to the text
                run.append(names[term])
            run_end = max(run_end, e)
            continue
        word = text[run_start:run_end]
        if run and 2 <= len(word) <= MAX_WORD and "".join(run) == word.lower() and any(c.isalpha() for c in word):
            out.add(word)
        run, run_start, run_end = ([names[term]] if term >= 0 else []), s, e
    return out


class Tally:
    """How many articles hold each word, and each title, counted article by article."""

    def __init__(self):
        self.words: Counter = Counter()
        self.titles: dict[str, str] = {}

    def add(self, article: str, sections: list[dict]) -> None:
        """Count an article from the stored fields of its sections (the documents the write pipeline adds)."""
        found: set[str] = set()
        for f in sections:
            for name, encoded in zip(schema.SEARCHED, f[schema.SPANS]):
                found |= _words(f.get(name) or "", encoded)
            self.titles[article] = f[schema.TITLE]
        self.words.update(found)

    def counts(self) -> tuple[Counter, Counter]:
        """Return the word counts (without words of one article on a large collection) and the title counts."""
        word_counts = self.words
        if len(self.titles) >= RARE_FROM:
            word_counts = Counter({w: c for w, c in word_counts.items() if c > 1})
        titles = (t.strip() for t in self.titles.values())
        return word_counts, Counter(t for t in titles if t and len(t) <= MAX_TITLE)


def collect(ix) -> tuple[Counter, Counter]:
    """Return how many articles hold each word, and each title, reading the index's stored fields.

    The documents are read article by article (the article column tells each one's), so only
    one article's words are held at a time, whatever the index's size: in the order they were
    written when each article's sections stand together, as the write pipeline adds them. A
    rebuild counts as it writes instead (Tally), and publishing reads nothing back.
    """
    tally = Tally()
    with ix.reader() as reader:
        article_of = list(reader.column_reader(schema.ARTICLE))
        docs = list(reader.all_doc_ids())
        runs = [article_of[d] for d, before in zip(docs, [-1, *docs]) if before < 0 or article_of[d] != article_of[before]]
        together = len(runs) == len(set(runs))
        items = reader.iter_docs() if together else \
            ((d, reader.stored_fields(d)) for d in sorted(docs, key=article_of.__getitem__))
        current, sections = None, []
        for d, f in items:
            if article_of[d] != current:
                if sections:
                    tally.add(current, sections)
                current, sections = article_of[d], []
            sections.append(f)
        if sections:
            tally.add(current, sections)
    return tally.counts()


def build(word_counts: Counter, title_counts: Counter) -> Vocabulary:
    """Return the vocabulary arrays of these words and titles."""
    from chaja.search.jamo import initials, keystrokes

    # in text order, so the same articles give the same files whatever order a set gave their words in
    entries = [(w, c, TERM) for w, c in sorted(word_counts.items())] + \
        [(t, c, TITLE) for t, c in sorted(title_counts.items()) if t not in word_counts]
    encoded = [e[0].encode("utf-8") for e in entries]
    offsets = np.zeros(len(entries) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    text = np.frombuffer(b"".join(encoded), dtype=np.uint8) if encoded else np.zeros(0, np.uint8)
    strokes = [keystrokes(e[0]) for e in entries]

    def order(keys: list[str], among: list[int]) -> np.ndarray:
        return np.array(sorted(among, key=lambda i: keys[i]), dtype=np.int32)

    everything = list(range(len(entries)))
    return Vocabulary(
        text=text, offsets=offsets,
        count=np.array([e[1] for e in entries], dtype=np.int32), kind=np.array([e[2] for e in entries], dtype=np.int8),
        keys_order=order(strokes, everything), initials_order=order([initials(e[0]) for e in entries], everything),
        backward_order=order([k[::-1] for k in strokes], [i for i in everything if entries[i][2] == TERM]),
    )


def write(build_dir: str | os.PathLike, ix, tally: Tally | None = None) -> Vocabulary:
    """Write the vocabulary of a finished Whoosh index into its build folder; called just before publishing.

    Given the tally of every article written (a rebuild), it is not read back from the index.
    """
    vocabulary = build(*(tally.counts() if tally is not None else collect(ix)))
    folder = Path(build_dir)
    for name, value in zip(FILES, vars(vocabulary).values()):
        path = folder / f"{PREFIX}{name}.npy"
        tmp = folder / f".{PREFIX}{name}.npy.tmp"
        with open(tmp, "wb") as f:
            np.save(f, value, allow_pickle=False)
        # An update hard-links the previous generation's files into its build folder: replace the
        # link, never write through it into the generation that is serving.
        os.replace(tmp, path)
    return vocabulary


def read(generation_dir: str | os.PathLike) -> Vocabulary | None:
    """Open a generation's vocabulary memory-mapped; None when it was built without one."""
    folder = Path(generation_dir)
    try:
        # plain ndarray views of the maps: indexing a np.memmap object costs 10x more per item
        return Vocabulary(*(np.asarray(np.load(folder / f"{PREFIX}{name}.npy", mmap_mode="r", allow_pickle=False))
                            for name in FILES))
    except FileNotFoundError:
        return None
