"""Postings and field lengths as numpy arrays, read from the Whoosh index once and cached.

Whoosh's matchers walk postings one document at a time in Python, which costs seconds for
common Korean morphemes on a large index. The scorer instead reads a term's postings a block
at a time into arrays, keeps them in a bounded cache, and scores with vector operations.
"""

from __future__ import annotations

import pickle
import threading
import zlib
from collections import OrderedDict
from typing import NamedTuple

import numpy as np
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

CACHE_BYTES = 512 * 1024 * 1024

_LENGTH_OF_BYTE = np.array([byte_to_length(b) or 0 for b in range(256)], dtype=np.float32)


class Blocks(NamedTuple):
    """Where a term's postings blocks lie: the first posting of each block and its data in the file."""

    first: np.ndarray  # index (into the term's arrays) of each block's first posting
    leaf: np.ndarray  # which segment each block is in
    offset: np.ndarray  # where the block's data starts in that segment's postings file
    length: np.ndarray  # the data's length in bytes
    compressed: np.ndarray  # whether the data is zlib-compressed


class Entry(NamedTuple):
    """One term's postings in one field."""

    ids: np.ndarray  # document numbers, ascending
    tfs: np.ndarray  # term frequencies
    blocks: Blocks


def _leaf_matcher(reader, field: str, term: str):
    """Return whoosh3's own block matcher of a term, with deleted documents left in (see Postings.live)."""
    m = reader.postings(field, term)
    return getattr(m, "child", m)  # a FilterMatcher wraps it when the segment has deletions


def _segment_postings(reader, field: str, term: str) -> tuple[list, list, list]:
    """Return a term's document numbers, frequencies and block data locations in one segment, block by block."""
    try:
        m = _leaf_matcher(reader, field, term)
    except TermNotFound:
        return [], [], []
    ids: list = []
    tfs: list = []
    where: list = []
    # whoosh3's codec: decode a whole block at a time instead of one posting at a time.
    while m.is_active():
        m._read_ids()
        m._read_weights()
        ids.append(np.asarray(m._ids, dtype=np.int32))
        tfs.append(np.asarray(m._weights, dtype=np.float32))
        where.append((m._dataoffset, m._nextoffset - m._dataoffset, bool(m._compression)))
        m._next_block()
    return ids, tfs, where


def _block_values(reader, offset: int, length: int, compressed: bool) -> tuple:
    """Return the per-posting values of one whoosh3 postings block (as its W3LeafMatcher decodes them)."""
    data = reader._terms._postfile.get(offset, length)
    return pickle.loads(zlib.decompress(data) if compressed else data)[2]


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


def _nbytes(value) -> int:
    """Return the bytes held by the arrays in a (nested) tuple."""
    return value.nbytes if isinstance(value, np.ndarray) else sum(_nbytes(v) for v in value)


class Postings:
    """The postings of one index generation, as arrays over its global document numbers."""

    def __init__(self, reader, max_bytes: int = CACHE_BYTES):
        self.reader = reader
        self.leaves = reader.leaf_readers()
        self.doc_count = reader.doc_count_all()
        self.max_bytes = max_bytes
        self._cache: OrderedDict[tuple, tuple] = OrderedDict()  # an Entry, or what memo() computed
        self._bytes = 0
        self._lengths: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self.read_lock = threading.Lock()
        deleted = np.zeros(self.doc_count, dtype=bool)
        for leaf, base in self.leaves:
            for d in leaf.deleted_docs_set if leaf.has_deletions() else ():
                deleted[base + d] = True
        self.live = ~deleted
        self.deleted = np.flatnonzero(deleted)

    def get(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Return (document numbers, term frequencies) of term in field, ascending."""
        entry = self.entry(field, term)
        return entry.ids, entry.tfs

    def entry(self, field: str, term: str) -> Entry:
        """Return a term's postings and block offsets, from the cache or read from the index."""
        return self.memo((field, term), lambda: self._read(field, term))

    def memo(self, key, compute):
        """Return compute()'s arrays, kept under key in the bounded cache."""
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        value = compute()
        with self._lock:
            if key not in self._cache:
                self._cache[key] = value
                self._bytes += _nbytes(value)
            while self._bytes > self.max_bytes and len(self._cache) > 1:
                _, old = self._cache.popitem(last=False)
                self._bytes -= _nbytes(old)
        return value

    def _read(self, field: str, term: str) -> Entry:
        ids, tfs, first, leaf, where = [], [], [], [], []
        count = 0
        with self.read_lock:  # Whoosh's files are read with seek and read: one thread at a time
            for i, (reader, base) in enumerate(self.leaves):
                block_ids, block_tfs, block_where = _segment_postings(reader, field, term)
                for b_ids, b_tfs, w in zip(block_ids, block_tfs, block_where):
                    ids.append(b_ids + base)
                    tfs.append(b_tfs)
                    first.append(count)
                    leaf.append(i)
                    where.append(w)
                    count += len(b_ids)
        offsets, lengths, compressed = zip(*where) if where else ((), (), ())
        return Entry(
            np.concatenate(ids) if ids else np.zeros(0, np.int32),
            np.concatenate(tfs) if tfs else np.zeros(0, np.float32),
            Blocks(np.array(first, np.int64), np.array(leaf, np.int32), np.array(offsets, np.int64),
                   np.array(lengths, np.int64), np.array(compressed, bool)),
        )

    def positions(self, field: str, term: str, docnums: np.ndarray) -> dict[int, list[int]]:
        """Return the word positions of term in each of docnums that holds it."""
        decode = self.reader.schema[field].format.decode_positions
        return {d: decode(v) for d, v in self._values(field, term, docnums)}

    def _values(self, field: str, term: str, docnums: np.ndarray):
        """Yield (docnum, encoded posting value) of term for each of docnums that holds it.

        Only the blocks holding those documents are read, found through the block locations
        recorded when the postings were read, instead of walking the postings from the start.
        """
        entry = self.entry(field, term)
        docnums = np.asarray(docnums)
        at = np.searchsorted(entry.ids, docnums)
        inside = at < len(entry.ids)
        found = at[inside][entry.ids[at[inside]] == docnums[inside]]
        blocks = entry.blocks
        numbers = np.searchsorted(blocks.first, found, side="right") - 1
        last, values = -1, ()
        for i, b in zip(found.tolist(), numbers.tolist()):
            if b != last:  # found is ascending: each block is decoded once
                with self.read_lock:
                    values = _block_values(self.leaves[int(blocks.leaf[b])][0], int(blocks.offset[b]),
                                           int(blocks.length[b]), bool(blocks.compressed[b]))
                last = b
            yield int(entry.ids[i]), values[i - int(blocks.first[b])]

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
