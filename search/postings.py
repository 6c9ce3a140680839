"""Postings and field lengths as numpy arrays, read from the Whoosh index once and cached.

Whoosh's matchers walk postings one document at a time in Python, which costs seconds for
common Korean morphemes on a large index. The scorer instead reads a term's postings a block
at a time into arrays, keeps them in a bounded cache, and scores with vector operations.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

CACHE_BYTES = 256 * 1024 * 1024

_EMPTY = (np.zeros(0, np.int32), np.zeros(0, np.float32))
_LENGTH_OF_BYTE = np.array([byte_to_length(b) or 0 for b in range(256)], dtype=np.float32)


def _segment_postings(reader, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
    """Return (document numbers, term frequencies) of a term in one segment."""
    try:
        m = reader.postings(field, term)
    except TermNotFound:
        return _EMPTY
    ids: list = []
    tfs: list = []
    if hasattr(m, "_read_ids") and hasattr(m, "_next_block"):
        # whoosh3's codec: decode a whole block at a time instead of one posting at a time.
        while m.is_active():
            m._read_ids()
            m._read_weights()
            ids.append(np.asarray(m._ids, dtype=np.int32)[m._i :])
            tfs.append(np.asarray(m._weights, dtype=np.float32)[m._i :])
            m._next_block()
    else:
        for docnum in m.all_ids():
            ids.append(np.array([docnum], np.int32))
            tfs.append(np.array([m.weight()], np.float32))
    if not ids:
        return _EMPTY
    return np.concatenate(ids), np.concatenate(tfs)


def _segment_lengths(reader, field: str) -> np.ndarray:
    """Return the length of field in every document of one segment."""
    n = reader.doc_count_all()
    perdoc = getattr(reader, "_perdoc", None)
    column = None
    if perdoc is not None and hasattr(perdoc, "_cached_reader"):
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        column = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    if column is not None:
        return _LENGTH_OF_BYTE[np.fromiter(column, dtype=np.uint8, count=n)]
    return np.array([reader.doc_field_length(d, field) or 0 for d in range(n)], dtype=np.float32)


class Postings:
    """The postings of one index generation, as arrays over its global document numbers."""

    def __init__(self, reader, max_bytes: int = CACHE_BYTES):
        self.reader = reader
        self.leaves = reader.leaf_readers()
        self.doc_count = reader.doc_count_all()
        self.max_bytes = max_bytes
        self._cache: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._bytes = 0
        self._lengths: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self.read_lock = threading.Lock()
        deleted = np.zeros(self.doc_count, dtype=bool)
        for leaf, base in self.leaves:
            for d in leaf.deleted_docs_set if leaf.has_deletions() else ():
                deleted[base + d] = True
        self.live = ~deleted

    def get(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Return (document numbers, term frequencies) of term in field, ascending."""
        key = (field, term)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        with self.read_lock:  # Whoosh's files are read with seek and read: one thread at a time
            parts = [_segment_postings(leaf, field, term) for leaf, _ in self.leaves]
        ids = np.concatenate([p[0] + base for p, (_, base) in zip(parts, self.leaves)])
        tfs = np.concatenate([p[1] for p in parts])
        with self._lock:
            self._cache[key] = (ids, tfs)
            self._bytes += ids.nbytes + tfs.nbytes
            while self._bytes > self.max_bytes and len(self._cache) > 1:
                _, (old_ids, old_tfs) = self._cache.popitem(last=False)
                self._bytes -= old_ids.nbytes + old_tfs.nbytes
        return ids, tfs

    def lengths(self, field: str) -> np.ndarray:
        """Return the length of field in every document."""
        lengths = self._lengths.get(field)
        if lengths is None:
            with self.read_lock:
                parts = [_segment_lengths(leaf, field) for leaf, _ in self.leaves]
            lengths = self._lengths[field] = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        return lengths

    def average_length(self, field: str) -> float:
        """Return the mean length of field over all documents."""
        return max(1.0, self.reader.field_length(field) / max(1, self.doc_count))
