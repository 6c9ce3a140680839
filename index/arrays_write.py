"""Write a generation's search arrays (index/arrays.py) from analysed articles and an older generation's arrays."""

from __future__ import annotations

import json
from array import array
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from . import grams, schema
from .analysis import Morpheme, source_term
from .arrays import FIELDS, FOLDER, FORMAT, MANIFEST, Strings, load, quantised, save
from .arrays_keep import Kept

# BM25F settings of the precomputed impacts. Tuned on the first 1,000 korquad1-dev questions
# among 60,000 kowiki articles (article nDCG@10): k1 1.2 -> 1.6 gave +0.009; a title weight of
# 2.0 -> 1.0 gave +0.05, since with many articles a title word boosted every section of
# unrelated articles; b 0.4-0.9 moved less than 0.01.
K1 = 1.6
B = 0.75
WEIGHTS = {"title": 1.0, "heading": 0.7, "text": 1.0}
# b per field where it is not B. Tuned on half of korquad1-dev's questions among 60,000 kowiki articles
# (tests/benchmarks/section_tuning.py --k1b, README "Ranking variants"): text b 0.5 / 0.9 / 1.0 and title
# b 0.3 / 1.0 against 0.75; text 0.9 with title 1.0 named the right section best (section nDCG@10 +0.002).
# A long section holds a question's common words by chance: normalising more for length keeps it below
# the paragraph that answers.
FIELD_B = {"title": 1.0, "text": 0.9}


def field_b(field: str) -> float:
    """Return BM25's b of a field's impacts."""
    return FIELD_B.get(field, B)


# Memory of the write: the postings are sorted a range of terms at a time, about CHUNK tokens
# (some 50 bytes each while sorted), and tokens are scanned BLOCK at a time.
CHUNK = 4_000_000
BLOCK = 8_000_000


class Collector:
    """Gather the tokens of every section, in the order articles come, until ``write`` sorts them into arrays."""

    def __init__(self, user_words: tuple = (), word_cache: bool = False):
        self.user_words = user_words
        self.word_cache = word_cache  # chaja.index.wordcache: how the texts were analysed, so updates do the same
        self.vocab: dict[str, int] = {}
        self.sections: list[tuple[str, int]] = []  # (article id, section index), in arrival order
        self.articles: dict[str, tuple[str, str]] = {}  # article id -> (date or "", lowercased source or "")
        # per field, in arrival order: (terms, positions, tokens per section) of added sections, or a Kept
        self._parts: dict[str, list] = {f: [] for f in FIELDS}
        self._terms = {f: array("i") for f in FIELDS}
        self._pos = {f: array("i") for f in FIELDS}
        self._counts = {f: array("i") for f in FIELDS}

    def _ids(self, found: Sequence[Morpheme]) -> tuple[list[int], list[int]]:
        vocab = self.vocab
        return [vocab.setdefault(m.text, len(vocab)) for m in found], [m.pos for m in found]

    def add(self, article_id: str, date: str | None, source: str | None, title: Sequence[Morpheme],
            sections: Sequence[tuple[Sequence[Morpheme], Sequence[Morpheme]]]) -> None:
        """Add an article: its title's morphemes and each section's (heading, text) morphemes."""
        self.articles[article_id] = (date or "", source_term(source) if source else "")
        title_ids = self._ids(title)
        for i, (heading, text) in enumerate(sections):
            self.sections.append((article_id, i))
            for f, (ids, pos) in zip(FIELDS, (title_ids, self._ids(heading), self._ids(text))):
                self._terms[f].extend(ids)
                self._pos[f].extend(pos)
                self._counts[f].append(len(ids))

    def _flush(self) -> None:
        for f in FIELDS:
            if len(self._counts[f]):
                # over the arrays' own buffers (no copy): the tokens are held once
                self._parts[f].append((np.frombuffer(self._terms[f], dtype=np.int32),
                                       np.frombuffer(self._pos[f], dtype=np.int32),
                                       np.frombuffer(self._counts[f], dtype=np.int32)))
                self._terms[f], self._pos[f], self._counts[f] = array("i"), array("i"), array("i")

    def keep(self, folder: Path, dropped: set[str], prefix: str = "") -> None:
        """Add the sections of an older generation's arrays, except those of the dropped articles.

        Their tokens stay in the older generation's files until written (chaja.index.arrays_keep).
        With a prefix, the kept articles come under the ids prefix + id (the scale benchmark's copies).
        """
        self._flush()
        ids = Strings.open(folder, "article_ids").all()
        new_ids = [prefix + a for a in ids] if prefix else ids
        article_of = np.asarray(load(folder, "article_of"))
        article_start = np.asarray(load(folder, "article_start"))
        dates = load(folder, "dates")
        sources = Strings.open(folder, "sources").all()
        source_of = np.asarray(load(folder, "source_of"))
        kept_articles = np.array([a not in dropped for a in ids], dtype=bool)
        kept = kept_articles[article_of]
        for s in np.flatnonzero(kept).tolist():
            a = int(article_of[s])
            self.sections.append((new_ids[a], s - int(article_start[a])))
        for a in np.flatnonzero(kept_articles).tolist():
            first = int(article_start[a])
            self.articles[new_ids[a]] = (str(dates[first]), sources[source_of[first]] if source_of[first] >= 0 else "")
        part = Kept(folder, kept)
        # only the terms the kept sections hold: a dropped article's words leave the dictionary
        terms = Strings.open(folder, "terms")
        used = part.used()
        part.collector_id = np.full(len(terms), -1, dtype=np.int32)
        part.collector_id[used] = [self.vocab.setdefault(terms[t], len(self.vocab)) for t in used.tolist()]
        for f in FIELDS:
            self._parts[f].append(part)

    def _selected(self, f: str, lo: int, hi: int, rank: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the term, section number and position of a field's tokens of terms lo..hi-1, in arrival order."""
        terms_out, sections_out, pos_out = [], [], []
        first = 0  # arrival number of the part's first section
        for part in self._parts[f]:
            if isinstance(part, Kept):
                for x, y in zip((terms_out, sections_out, pos_out), part.selected(f, lo, hi, rank, first)):
                    x.append(y)
                first += part.size
                continue
            terms, pos, counts = part
            ends = np.cumsum(counts)
            for b in range(0, len(terms), BLOCK):
                block = terms[b:b + BLOCK]
                at = np.flatnonzero((block >= lo) & (block < hi)) + b
                terms_out.append(terms[at])
                pos_out.append(pos[at])
                sections_out.append(rank[first + np.searchsorted(ends, at, side="right")])
            first += len(counts)
        empty = np.zeros(0, dtype=np.int32)
        return tuple(np.concatenate(x) if x else empty for x in (terms_out, sections_out, pos_out))

    def _write_postings(self, folder: Path, rank: np.ndarray, per_term: dict[str, np.ndarray],
                        lengths: dict[str, np.ndarray], averages: dict[str, float], n: int, v: int) -> None:
        """Write every field's postings and positions and the summed impacts, a range of terms at a time.

        Memory: besides the collector's tokens, only one range's (about CHUNK tokens) are sorted at a
        time; the files are appended to in term order, so they equal one sort of every token.
        """
        out = {name: _Appender(folder / f"{name}.npy", dtype) for name, dtype in
               [(f"{f}.{a}", np.int32) for f in FIELDS for a in ("docs", "tfs", "pos")]
               + [("impact.docs", np.int32), ("impact.scores", np.float32)]}
        postings = {f: np.zeros(v, dtype=np.int64) for f in FIELDS}
        impacted = np.zeros(v, dtype=np.int64)
        try:
            for lo, hi in _ranges(sum(per_term.values(), np.zeros(v, dtype=np.int64)), CHUNK):
                impacts = []
                for f in FIELDS:
                    terms, section, pos = self._selected(f, lo, hi, rank)
                    by = np.lexsort((section, terms))  # stable: a posting's positions stay ascending
                    terms, section, pos = terms[by], section[by], pos[by]
                    new = np.ones(len(terms), dtype=bool)
                    new[1:] = (terms[1:] != terms[:-1]) | (section[1:] != section[:-1])
                    starts = np.flatnonzero(new)
                    docs = section[starts]
                    tfs = np.diff(np.append(starts, len(terms))).astype(np.int32)
                    local = terms[starts] - lo  # every posting of these terms is in this range
                    df = np.bincount(local, minlength=hi - lo)
                    postings[f][lo:hi] = df
                    out[f"{f}.docs"].add(docs)
                    out[f"{f}.tfs"].add(tfs)
                    out[f"{f}.pos"].add(pos)
                    impacts.append((local, docs, term_scores(f, df, n, tfs, lengths[f][docs], averages[f], local)))
                docs, scores = _impacts(impacts, n)
                impacted[lo:hi] = np.bincount(docs[0], minlength=hi - lo)
                out["impact.docs"].add(docs[1])
                out["impact.scores"].add(scores)
        finally:
            for appender in out.values():
                appender.close()
        for f in FIELDS:
            save(folder, f"{f}.start", _offsets(postings[f]))
        save(folder, "impact.start", _offsets(impacted))

    def write(self, build: Path, reader) -> dict:
        """Write the arrays into build/arrays; reader is the new Whoosh index's, for stored-field numbers."""
        self._flush()
        folder = build / FOLDER
        folder.mkdir()
        n = len(self.sections)
        order = sorted(range(n), key=self.sections.__getitem__)
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)
        article_ids = sorted(self.articles)
        ordinal = {a: i for i, a in enumerate(article_ids)}
        article_of = np.array([ordinal[self.sections[i][0]] for i in order], dtype=np.int32)
        article_start = np.searchsorted(article_of, np.arange(len(article_ids) + 1)).astype(np.int64)
        dated = [self.articles[a] for a in article_ids]
        sources = sorted({s for _, s in dated if s})
        source_number = {s: i for i, s in enumerate(sources)}
        per_article_source = np.array([source_number.get(s, -1) for _, s in dated], dtype=np.int32)
        per_article_date = np.array([d for d, _ in dated], dtype="U10")
        names = sorted(self.vocab)
        remap = np.empty(len(names), dtype=np.int32)
        remap[[self.vocab[t] for t in names]] = np.arange(len(names), dtype=np.int32)
        v = len(names)

        Strings.save(folder, "terms", names)
        Strings.save(folder, "article_ids", article_ids)
        Strings.save(folder, "sources", sources)
        save(folder, "article_of", article_of)
        save(folder, "article_start", article_start)
        save(folder, "dates", per_article_date[article_of] if n else np.zeros(0, "U10"))
        save(folder, "source_of", per_article_source[article_of] if n else np.zeros(0, np.int32))
        save(folder, "live", np.ones(n, dtype=bool))
        whoosh_doc = whoosh_numbers(reader, ordinal, article_start, n)
        save(folder, "whoosh_doc", whoosh_doc)
        gram = grams.write(folder, _section_texts(reader, whoosh_doc), n)

        averages: dict[str, float] = {}
        lengths: dict[str, np.ndarray] = {}
        per_term = {}  # field -> tokens of each term
        for part in {id(p): p for f in FIELDS for p in self._parts[f] if isinstance(p, Kept)}.values():
            part.number(np.where(part.collector_id >= 0, remap[part.collector_id], -1).astype(np.int32))
        for f in FIELDS:
            parts = self._parts[f]
            per_term[f] = np.zeros(v, dtype=np.int64)
            for p in parts:
                if isinstance(p, Kept):
                    per_term[f] += p.tokens_per_term(f, v)
                else:
                    _renumber(p[0], remap)  # in place: the tokens are held once
                    per_term[f] += np.bincount(p[0], minlength=v)
            exact = np.zeros(n, dtype=np.int64)
            if parts:
                exact[rank] = np.concatenate([p.counts(f) if isinstance(p, Kept) else p[2] for p in parts])
            lengths[f] = quantised(exact)
            save(folder, f"{f}.lengths", lengths[f])
            averages[f] = max(1.0, float(exact.sum()) / max(1, n))
            save(folder, f"{f}.pos_start", _offsets(per_term[f]))
        self._write_postings(folder, rank.astype(np.int32), per_term, lengths, averages, n, v)
        manifest = {"format": FORMAT, "sections": n, "articles": len(article_ids), "terms": v,
                    "user_words": [list(w) for w in self.user_words], "word_cache": self.word_cache,
                    "average_length": averages,
                    "k1": K1, "b": B, "field_b": FIELD_B, "weights": WEIGHTS,
                    "gram": {"k1": grams.K1, "b": grams.B, **gram}}
        (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        return manifest


def _section_texts(reader, whoosh_doc: np.ndarray):
    """Yield each section's bigram field (chaja.index.grams), in section order, from its stored fields."""
    for d in whoosh_doc.tolist():
        f = reader.stored_fields(d)
        yield grams.section_text(f[schema.TITLE], f[schema.HEADING], f[schema.TEXT])


def _offsets(counts: np.ndarray) -> np.ndarray:
    out = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=out[1:])
    return out


def term_scores(field: str, df: np.ndarray, n: int, tfs: np.ndarray, lengths: np.ndarray, average: float,
                posting_term: np.ndarray) -> np.ndarray:
    """Return each posting's weighted BM25 score, computed as chaja.search.scoring.bm25 computes it (float32)."""
    idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
    tf = tfs.astype(np.float32)
    b = field_b(field)
    return WEIGHTS[field] * (idf[posting_term] * tf * (K1 + 1) / (tf + K1 * (1 - b + b * lengths / average)))


def _impacts(parts: list, n: int) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """Return ((term, section) of each section holding a term in any field, the fields' scores added up)."""
    width = max(1, n)
    key = np.concatenate([p[0].astype(np.int64) * width + p[1] for p in parts])  # term, then section
    scores = np.concatenate([p[2] for p in parts])
    by = np.argsort(key, kind="stable")  # fields in schema order within a section
    key = key[by]
    scores = scores[by].astype(np.float64)
    new = np.ones(len(key), dtype=bool)
    new[1:] = key[1:] != key[:-1]
    starts = np.flatnonzero(new)
    summed = np.add.reduceat(scores, starts) if len(starts) else scores
    return (key[starts] // width, (key[starts] % width).astype(np.int32)), summed.astype(np.float32)


def _renumber(terms: np.ndarray, remap: np.ndarray) -> None:
    """Replace collector term numbers by dictionary numbers in place, a block at a time."""
    for b in range(0, len(terms), BLOCK):
        terms[b:b + BLOCK] = remap[terms[b:b + BLOCK]]


def _ranges(tokens: np.ndarray, size: int) -> list[tuple[int, int]]:
    """Split the term numbers into consecutive ranges of about size tokens (a heavier term alone)."""
    ends = np.cumsum(tokens)
    out, lo = [], 0
    while lo < len(tokens):
        before = int(ends[lo - 1]) if lo else 0
        hi = max(lo + 1, int(np.searchsorted(ends, before + size, side="right")))
        out.append((lo, min(hi, len(tokens))))
        lo = out[-1][1]
    return out


class _Appender:
    """Write a one-dimensional .npy file piece by piece, as np.save would write the whole array."""

    def __init__(self, path: Path, dtype):
        self.dtype = np.dtype(dtype)
        self.length = 0
        self.file = open(path, "wb")
        self.header = self._header()

    def _header(self) -> int:
        np.lib.format.write_array_header_1_0(self.file, {"descr": np.lib.format.dtype_to_descr(self.dtype),
                                                         "fortran_order": False, "shape": (self.length,)})
        return self.file.tell()

    def add(self, values: np.ndarray) -> None:
        self.file.write(memoryview(np.ascontiguousarray(values, dtype=self.dtype)))
        self.length += len(values)

    def close(self) -> None:
        if self.file.closed:
            return
        try:
            self.file.seek(0)
            if self._header() != self.header:  # the padded header's size does not depend on the length
                raise RuntimeError(f"the header of {self.file.name} changed size")
        finally:
            self.file.close()


def whoosh_numbers(reader, ordinal: dict[str, int], article_start: np.ndarray, n: int) -> np.ndarray:
    """Return, per section number, the Whoosh document that stores it (read from the article and section columns)."""
    articles = list(reader.column_reader(schema.ARTICLE))
    sections = list(reader.column_reader(schema.SECTION))
    out = np.full(n, -1, dtype=np.int32)
    for d in reader.all_doc_ids():
        out[int(article_start[ordinal[articles[d]]]) + int(sections[d])] = d
    if n and out.min() < 0:
        raise RuntimeError("the Whoosh index lacks sections the search arrays hold")
    return out
