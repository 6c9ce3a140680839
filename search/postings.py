"""A generation's postings, field lengths and precomputed term impacts, memory-mapped from its search arrays.

The arrays (format in chaja.index.arrays) are mapped read-only, so every process serving the
generation shares their pages; a term costs one binary search in the dictionary and slices.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from chaja.index import schema
from chaja.index.arrays import FIELDS, Strings, load, read_manifest

from .grams import GramPostings

_EMPTY_IDS = np.zeros(0, np.int32)
_EMPTY_SCORES = np.zeros(0, np.float32)


class Postings:
    """The postings of one index generation, over its section numbers."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.manifest = read_manifest(folder)
        self.doc_count = int(self.manifest["sections"])
        self.terms = Strings.open(folder, "terms")
        self.sources = Strings.open(folder, "sources")
        self.source_of = load(folder, "source_of")
        self.live = load(folder, "live")
        self.deleted = _EMPTY_IDS  # removed articles' sections are not in the arrays
        self._start = {f: load(folder, f"{f}.start") for f in FIELDS}
        self._docs = {f: load(folder, f"{f}.docs") for f in FIELDS}
        self._tfs = {f: load(folder, f"{f}.tfs") for f in FIELDS}
        self._pos_start = {f: load(folder, f"{f}.pos_start") for f in FIELDS}
        self._pos = {f: load(folder, f"{f}.pos") for f in FIELDS}
        self._lengths = {f: load(folder, f"{f}.lengths") for f in FIELDS}
        self._impact = (load(folder, "impact.start"), load(folder, "impact.docs"), load(folder, "impact.scores"))
        self.grams = GramPostings(folder, self.doc_count)  # the character bigrams beside the morphemes
        # A query looks each of its terms up several times (scores, then idf in each field); the
        # last few thousand answers are kept (bounded: well under 1 MB a process).
        self.term_number = lru_cache(maxsize=4096)(self.terms.find)

    def get(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Return (section numbers, term frequencies) of term in field, ascending."""
        if field == schema.SOURCE:
            k = self.sources.find(term)
            ids = np.flatnonzero(np.asarray(self.source_of) == k).astype(np.int32) if k >= 0 else _EMPTY_IDS
            return ids, np.ones(len(ids), dtype=np.int32)
        t = self.term_number(term)
        if t < 0:
            return _EMPTY_IDS, _EMPTY_IDS
        start = self._start[field]
        a, b = int(start[t]), int(start[t + 1])
        return self._docs[field][a:b], self._tfs[field][a:b]

    def df(self, field: str, term: str) -> int:
        """Return how many sections hold term in field."""
        t = self.term_number(term)
        return 0 if t < 0 else int(self._start[field][t + 1] - self._start[field][t])

    def held(self, term: str) -> bool:
        """Tell whether any field of any section holds term (it is in the term dictionary)."""
        return self.term_number(term) >= 0

    def impacts(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Return the sections holding term in title, heading or text, with its weighted BM25F score in each."""
        t = self.term_number(term)
        if t < 0:
            return _EMPTY_IDS, _EMPTY_SCORES
        start, docs, scores = self._impact
        a, b = int(start[t]), int(start[t + 1])
        return docs[a:b], scores[a:b]

    def impact_settings(self) -> tuple[float, float, dict | None, dict]:
        """Return (k1, b, b per field where not b, weights) the impacts were computed with (None: b in every field)."""
        return self.manifest["k1"], self.manifest["b"], self.manifest.get("field_b"), self.manifest["weights"]

    def positions(self, field: str, term: str, docnums: np.ndarray) -> dict[int, list[int]]:
        """Return the word positions of term in each of docnums that holds it."""
        t = self.term_number(term)
        if t < 0:
            return {}
        a, b = int(self._start[field][t]), int(self._start[field][t + 1])
        ids, tfs = self._docs[field][a:b], self._tfs[field][a:b]
        docnums = np.asarray(docnums)
        at = np.searchsorted(ids, docnums)
        inside = at < len(ids)
        found = at[inside][ids[at[inside]] == docnums[inside]]
        ends = int(self._pos_start[field][t]) + np.cumsum(tfs, dtype=np.int64)  # each posting's positions end
        pos = self._pos[field]
        out = {}
        for i in found.tolist():
            end = int(ends[i])
            out[int(ids[i])] = pos[end - int(tfs[i]) : end].tolist()
        return out

    def occurrences(self, field: str, terms: Sequence[str], docnums: np.ndarray, max_df: int | None = None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (index into terms, index into docnums, word position) of every occurrence of terms in the docnums.

        positions() of several terms in many documents at once, as flat arrays (docnums ascending); with
        max_df, the terms in more documents than that are left out.
        term by term, then document by document, each document's positions ascending. A term costs
        one binary search of its postings; everything else is done for all terms at once, since a
        numpy call costs more here than the few hundred numbers it handles.
        """
        # as the postings' own type: searchsorted would cast every posting of a term to int64 otherwise (8x slower)
        docnums = np.asarray(docnums, dtype=np.int32)
        start, all_docs, all_tfs = self._start[field], self._docs[field], self._tfs[field]
        numbers = np.array([self.term_number(term) for term in terms], dtype=np.int64)
        known = np.flatnonzero(numbers >= 0)
        t = numbers[known]
        a, b = start[t], start[t + 1]
        if max_df is not None:  # terms in more sections left out
            short = b - a <= max_df
            known, t, a, b = known[short], t[short], a[short], b[short]
        if not len(known) or not len(docnums):
            return _EMPTY_IDS, _EMPTY_IDS, _EMPTY_IDS
        m = len(docnums)
        at = np.concatenate([np.searchsorted(all_docs[x:y], docnums) for x, y in zip(a.tolist(), b.tolist())])
        inside = at < np.repeat(b - a, m)
        where = np.repeat(a, m)[inside] + at[inside]  # each candidate's posting, if the term has one
        which = np.repeat(np.arange(len(t)), m)[inside]
        doc = np.tile(np.arange(m, dtype=np.int32), len(t))[inside]
        held = all_docs[where] == docnums[doc]
        where, which, doc = where[held], which[held], doc[held]
        if not len(where):
            return _EMPTY_IDS, _EMPTY_IDS, _EMPTY_IDS
        # A posting's positions start after its term's earlier postings' tfs: one running sum over each
        # term's tfs up to the last posting asked for, those stretches laid end to end.
        first = np.flatnonzero(np.concatenate(([True], which[1:] != which[:-1])))  # each term's first posting
        last = np.append(first[1:], len(where)) - 1
        begin, end = a[which[first]], where[last] + 1
        tfs = np.concatenate([all_tfs[x:y] for x, y in zip(begin.tolist(), end.tolist())])
        running = np.cumsum(tfs)  # int32: fewer than 2**31 positions in a field
        stretch = np.repeat(np.cumsum(end - begin) - (end - begin), np.diff(np.append(first, len(where))))
        at = stretch + where - a[which]  # each posting's place in tfs
        base = running[stretch] - tfs[stretch]  # the running sum before its term's stretch
        firsts = self._pos_start[field][t[which]] + (running[at] - tfs[at] - base).astype(np.int64)
        term_of = known.astype(np.int32)
        count = all_tfs[where].astype(np.int64)
        # every posting's run of positions, laid end to end: its first position's offset plus 0, 1, ...
        run_start = np.cumsum(count) - count
        offsets = np.repeat(firsts - run_start, count) + np.arange(int(count.sum()), dtype=np.int64)
        return np.repeat(term_of[which], count), np.repeat(doc, count), self._pos[field][offsets]

    def lengths(self, field: str) -> np.ndarray:
        """Return the length of field in every section (quantised as Whoosh does)."""
        return self._lengths[field]

    def average_length(self, field: str) -> float:
        """Return the mean length of field over all sections."""
        return float(self.manifest["average_length"][field])

    def term_count(self, field: str) -> int:
        """Return how many distinct terms field holds."""
        return int(np.count_nonzero(np.diff(self._start[field])))
