"""Write a generation's search arrays (index/arrays.py) from analysed articles and an older generation's arrays."""

from __future__ import annotations

import json
from array import array
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from . import schema
from .analysis import Morpheme, source_term
from .arrays import FIELDS, FOLDER, FORMAT, MANIFEST, Strings, load, quantised, save

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


class Collector:
    """Gather the tokens of every section, in the order articles come, until ``write`` sorts them into arrays."""

    def __init__(self, user_words: tuple = (), word_cache: bool = False):
        self.user_words = user_words
        self.word_cache = word_cache  # chaja.index.wordcache: how the texts were analysed, so updates do the same
        self.vocab: dict[str, int] = {}
        self.sections: list[tuple[str, int]] = []  # (article id, section index), in arrival order
        self.articles: dict[str, tuple[str, str]] = {}  # article id -> (date or "", lowercased source or "")
        self._parts: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {f: [] for f in FIELDS}
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
                self._parts[f].append((np.frombuffer(self._terms[f], dtype=np.int32).copy(),
                                       np.frombuffer(self._pos[f], dtype=np.int32).copy(),
                                       np.frombuffer(self._counts[f], dtype=np.int32).copy()))
                self._terms[f], self._pos[f], self._counts[f] = array("i"), array("i"), array("i")

    def keep(self, folder: Path, dropped: set[str], prefix: str = "") -> None:
        """Add the sections of an older generation's arrays, except those of the dropped articles.

        With a prefix, the kept articles come under the ids prefix + id (the scale benchmark's copies).
        """
        self._flush()
        terms = Strings.open(folder, "terms")
        ids = Strings.open(folder, "article_ids").all()
        new_ids = [prefix + a for a in ids] if prefix else ids
        article_of = np.asarray(load(folder, "article_of"))
        article_start = np.asarray(load(folder, "article_start"))
        dates = load(folder, "dates")
        sources = Strings.open(folder, "sources").all()
        source_of = np.asarray(load(folder, "source_of"))
        kept_articles = np.array([a not in dropped for a in ids], dtype=bool)
        kept = kept_articles[article_of]
        kept_sections = np.flatnonzero(kept)
        for s in kept_sections.tolist():
            a = int(article_of[s])
            self.sections.append((new_ids[a], s - int(article_start[a])))
        for a in np.flatnonzero(kept_articles).tolist():
            first = int(article_start[a])
            self.articles[new_ids[a]] = (str(dates[first]), sources[source_of[first]] if source_of[first] >= 0 else "")
        rows = {}
        for f in FIELDS:
            start, docs, tfs = load(folder, f"{f}.start"), load(folder, f"{f}.docs"), np.asarray(load(folder, f"{f}.tfs"))
            row_term = np.repeat(np.repeat(np.arange(len(start) - 1, dtype=np.int32), np.diff(start)), tfs)
            row_section = np.repeat(np.asarray(docs), tfs)
            row_pos = np.asarray(load(folder, f"{f}.pos"))
            inside = kept[row_section]
            row_term, row_section, row_pos = row_term[inside], row_section[inside], row_pos[inside]
            order = np.argsort(row_section, kind="stable")  # grouped by section; each term's positions stay ascending
            counts = np.bincount(row_section, minlength=len(kept))[kept_sections].astype(np.int32)
            rows[f] = (row_term[order], row_pos[order], counts)
        # only the terms the kept sections hold: a dropped article's words leave the dictionary
        used = np.unique(np.concatenate([r[0] for r in rows.values()]))
        remap = np.full(len(terms), -1, dtype=np.int32)
        remap[used] = [self.vocab.setdefault(terms[t], len(self.vocab)) for t in used.tolist()]
        for f, (row_term, row_pos, counts) in rows.items():
            self._parts[f].append((remap[row_term], row_pos, counts))

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
        save(folder, "whoosh_doc", whoosh_numbers(reader, ordinal, article_start, n))

        averages = {}
        impacts = []
        # Memory: a field's tokens are held once at a time (int32 term, section and position, an int64
        # order while sorting); the parts go as soon as they are joined.
        for f in FIELDS:
            parts, self._parts[f] = self._parts[f], []
            terms = remap[np.concatenate([p[0] for p in parts])] if parts else np.zeros(0, np.int32)
            pos = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int32)
            counts = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0, np.int32)
            del parts
            section = np.repeat(rank.astype(np.int32), counts)
            by = np.lexsort((section, terms))  # stable: a posting's positions stay ascending
            terms = terms[by]
            section = section[by]
            pos = pos[by]
            del by
            new = np.ones(len(terms), dtype=bool)
            new[1:] = (terms[1:] != terms[:-1]) | (section[1:] != section[:-1])
            starts = np.flatnonzero(new)
            del new
            docs = section[starts]
            del section
            tfs = np.diff(np.append(starts, len(terms))).astype(np.int32)
            posting_term = terms[starts]
            del starts
            save(folder, f"{f}.start", _offsets(np.bincount(posting_term, minlength=v)))
            save(folder, f"{f}.docs", docs)
            save(folder, f"{f}.tfs", tfs)
            save(folder, f"{f}.pos_start", _offsets(np.bincount(terms, minlength=v)))
            save(folder, f"{f}.pos", pos)
            del terms, pos  # the tokens are written: only the postings are scored
            exact = np.zeros(n, dtype=np.int64)
            exact[rank] = counts
            lengths = quantised(exact)
            save(folder, f"{f}.lengths", lengths)
            averages[f] = max(1.0, float(exact.sum()) / max(1, n))
            df = np.bincount(posting_term, minlength=v)
            impacts.append((posting_term, docs, term_scores(f, df, n, tfs, lengths[docs], averages[f], posting_term)))
        _write_impacts(folder, impacts, n, v)
        manifest = {"format": FORMAT, "sections": n, "articles": len(article_ids), "terms": v,
                    "user_words": [list(w) for w in self.user_words], "word_cache": self.word_cache,
                    "average_length": averages,
                    "k1": K1, "b": B, "field_b": FIELD_B, "weights": WEIGHTS}
        (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        return manifest


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


def _write_impacts(folder: Path, parts: list, n: int, v: int) -> None:
    """Write per term the sections holding it in any field, with the fields' scores added up (empties parts)."""
    width = max(1, n)
    key = np.concatenate([p[0].astype(np.int64) * width + p[1] for p in parts])  # term, then section
    scores = np.concatenate([p[2] for p in parts])
    parts.clear()
    by = np.argsort(key, kind="stable")  # fields in schema order within a section
    key = key[by]
    scores = scores[by].astype(np.float64)
    del by
    new = np.ones(len(key), dtype=bool)
    new[1:] = key[1:] != key[:-1]
    starts = np.flatnonzero(new)
    del new
    save(folder, "impact.start", _offsets(np.bincount(key[starts] // width, minlength=v)))
    save(folder, "impact.docs", (key[starts] % width).astype(np.int32))
    save(folder, "impact.scores", (np.add.reduceat(scores, starts) if len(starts) else scores).astype(np.float32))


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
