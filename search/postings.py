"""A generation's postings, field lengths and precomputed term impacts, memory-mapped from its search arrays.

The arrays (format in chaja.index.arrays) are mapped read-only, so every process serving the
generation shares their pages; a term costs one binary search in the dictionary and slices.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from chaja.index import schema
from chaja.index.arrays import FIELDS, Strings, load, read_manifest

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

    def impacts(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Return the sections holding term in title, heading or text, with its weighted BM25F score in each."""
        t = self.term_number(term)
        if t < 0:
            return _EMPTY_IDS, _EMPTY_SCORES
        start, docs, scores = self._impact
        a, b = int(start[t]), int(start[t + 1])
        return docs[a:b], scores[a:b]

    def impact_settings(self) -> tuple[float, float, dict]:
        """Return (k1, b, weights) the impacts were computed with."""
        return self.manifest["k1"], self.manifest["b"], self.manifest["weights"]

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

    def occurrences(self, field: str, term: str, docnums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (index into docnums, word position) of every occurrence of term in field in the ascending docnums.

        positions() for many documents at once, as flat arrays: grouped by document in docnums' order,
        each document's positions ascending.
        """
        t = self.term_number(term)
        if t < 0 or not len(docnums):
            return _EMPTY_IDS, _EMPTY_IDS
        a, b = int(self._start[field][t]), int(self._start[field][t + 1])
        ids = self._docs[field][a:b]
        docnums = np.asarray(docnums)
        at = np.minimum(np.searchsorted(ids, docnums), max(len(ids) - 1, 0))
        held = (ids[at] == docnums) if len(ids) else np.zeros(len(docnums), dtype=bool)
        found = at[held]
        if not len(found):
            return _EMPTY_IDS, _EMPTY_IDS
        tfs = self._tfs[field][a : a + int(found[-1]) + 1]  # only up to the last posting asked for
        # A posting's positions start after all earlier postings' tfs: the sums between the postings
        # asked for, added up (20x quicker than a cumsum of every posting cast to int64).
        between = np.add.reduceat(tfs, np.concatenate(([0], found)))[:-1].astype(np.int64)
        if found[0] == 0:
            between[0] = 0  # reduceat gives tfs[0] for the empty stretch before the first posting
        firsts = int(self._pos_start[field][t]) + np.cumsum(between)
        counts = tfs[found].astype(np.int64)
        # every posting's run of positions, laid end to end: its first position's offset plus 0, 1, ...
        run_start = np.cumsum(counts) - counts
        offsets = np.repeat(firsts - run_start, counts) + np.arange(int(counts.sum()), dtype=np.int64)
        return np.repeat(np.flatnonzero(held).astype(np.int32), counts), self._pos[field][offsets]

    def lengths(self, field: str) -> np.ndarray:
        """Return the length of field in every section (quantised as Whoosh does)."""
        return self._lengths[field]

    def average_length(self, field: str) -> float:
        """Return the mean length of field over all sections."""
        return float(self.manifest["average_length"][field])

    def term_count(self, field: str) -> int:
        """Return how many distinct terms field holds."""
        return int(np.count_nonzero(np.diff(self._start[field])))
