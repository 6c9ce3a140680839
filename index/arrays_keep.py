"""An older generation's search arrays kept by an update, read from their files a range of terms at a time.

An update keeps every section of the serving generation but those of changed or removed articles.
Instead of reading every kept token into memory (98 million positions at 240,000 articles), the
collector holds a Kept: which old sections stay, where they come in the new generation's order, and
how many tokens each old term keeps. The writer (chaja.index.arrays_write) asks it for the tokens of
one range of terms at a time, straight from the old generation's memory-mapped files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .arrays import FIELDS

BLOCK = 8_000_000  # postings read at a time while counting


class _Column:
    """One .npy array read a slice at a time with plain reads: not mapped, so no page of it stays in the process."""

    def __init__(self, path: Path):
        with open(path, "rb") as f:
            version = np.lib.format.read_magic(f)
            shape, _, self.dtype = (np.lib.format.read_array_header_1_0(f) if version == (1, 0)
                                    else np.lib.format.read_array_header_2_0(f))
            self.offset = f.tell()
        self.path = path
        self.length = shape[0]

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, where: slice) -> np.ndarray:
        a, b, _ = where.indices(self.length)
        return np.fromfile(self.path, dtype=self.dtype, count=max(0, b - a), offset=self.offset + a * self.dtype.itemsize)


class Kept:
    """The kept sections of an older generation's arrays: tokens of a range of terms on demand."""

    def __init__(self, folder: Path, kept: np.ndarray):
        self.folder = folder
        self.kept = kept  # per old section
        self.arrival = np.cumsum(kept, dtype=np.int64) - 1  # an old section's number among the kept ones
        self.size = int(np.count_nonzero(kept))
        self.collector_id: np.ndarray | None = None  # each old term's number in the collector (-1: not kept)
        self.term_tokens: dict[str, np.ndarray] = {}  # per field, the kept tokens of each old term
        self._counts: dict[str, np.ndarray] = {}  # per field, the tokens of each old section
        # per field, the old files: the offsets in memory (one number a term), the rest read a slice at a time
        self._files = {f: {**{a: np.load(folder / f"{f}.{a}.npy") for a in ("start", "pos_start")},
                           **{a: _Column(folder / f"{f}.{a}.npy") for a in ("docs", "tfs", "pos")}}
                       for f in FIELDS}
        for f in FIELDS:
            start, docs, tfs = (self._files[f][a] for a in ("start", "docs", "tfs"))
            terms = np.zeros(len(start) - 1, dtype=np.float64)
            counts = np.zeros(len(kept), dtype=np.float64)
            for b in range(0, len(docs), BLOCK):
                d, t = docs[b:b + BLOCK], tfs[b:b + BLOCK]
                term = np.searchsorted(start, np.arange(b, b + len(d)), side="right") - 1
                inside = kept[d]
                terms += np.bincount(term[inside], weights=t[inside], minlength=len(terms))
                counts += np.bincount(d, weights=t, minlength=len(counts))
            self.term_tokens[f] = terms.astype(np.int64)
            self._counts[f] = counts.astype(np.int64)

    def used(self) -> np.ndarray:
        """Return the old term numbers that some kept section holds, ascending."""
        return np.flatnonzero(sum(self.term_tokens.values()) > 0)

    def counts(self, f: str) -> np.ndarray:
        """Return the tokens of each kept section in a field, in the kept sections' order."""
        return self._counts[f][self.kept].astype(np.int32)

    def number(self, new_id: np.ndarray) -> None:
        """Take each old term's number in the new generation (-1 where no kept section holds it)."""
        self.new_id = new_id
        # new numbers follow the names' order, as old ones do: new terms lo..hi-1 are a run of old terms
        self._filled = np.maximum.accumulate(new_id) if len(new_id) else new_id

    def tokens_per_term(self, f: str, v: int) -> np.ndarray:
        """Return the kept tokens of a field per new term number."""
        out = np.zeros(v, dtype=np.int64)
        used = np.flatnonzero(self.new_id >= 0)
        out[self.new_id[used]] = self.term_tokens[f][used]
        return out

    def selected(self, f: str, lo: int, hi: int, rank: np.ndarray, first: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the (new term, new section number, position) of the kept tokens of new terms lo..hi-1.

        Term by term, each section's positions ascending, as the old arrays hold them.
        """
        new_id = self.new_id
        olo, ohi = (int(x) for x in np.searchsorted(self._filled, [lo, hi], side="left"))
        files = self._files[f]
        start, pos_start = files["start"], files["pos_start"]
        p0, p1 = int(start[olo]), int(start[ohi])
        tfs = files["tfs"][p0:p1]
        old_term = np.repeat(np.repeat(np.arange(olo, ohi, dtype=np.int32), np.diff(start[olo:ohi + 1])), tfs)
        section = np.repeat(files["docs"][p0:p1], tfs)
        inside = self.kept[section]
        pos = files["pos"][int(pos_start[olo]):int(pos_start[ohi])][inside]
        return new_id[old_term[inside]], rank[first + self.arrival[section[inside]]], pos
