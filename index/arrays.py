"""chaja's search arrays: what search reads of a generation, as memory-mapped ``.npy`` files.

Every worker maps the same files, so the pages are shared through the page cache; nothing is
copied into a process and nothing is warmed. Whoosh keeps only the stored fields (shown in
results) and the id/article/section columns that map a section to its Whoosh document.

Layout of ``<generation>/arrays/`` (format 2)::

    manifest.json            {"format": 2, "sections": N, "articles": A, "user_words": [[w, tag]..],
                              "word_cache": analysed word by word (chaja.index.wordcache; absent: false),
                              "average_length": {field: mean tokens}, "k1", "b", "weights",
                              "gram": {"k1", "b", "average_length"}}
    terms.blob / .offsets / .prefix
                             the term dictionary: every term of title, heading and text, sorted by
                             UTF-8 bytes, concatenated (uint8), where each starts (int64, V+1) and
                             its first 8 bytes as a big-endian uint64 (binary search in C)
    <field>.start            per term, where its postings start in <field>.docs (int64, V+1)
    <field>.docs / .tfs      postings: section numbers ascending (int32) and term frequencies (int32)
    <field>.pos_start        per term, where its positions start in <field>.pos (int64, V+1)
    <field>.pos              word positions, per term and section in order; a posting's positions
                             start at pos_start[term] + the sum of the term's earlier tfs
    <field>.lengths          tokens per section, quantised as Whoosh quantises field lengths (float32)
    impact.start / .docs / .scores
                             per term, the sections holding it in any searched field and its summed
                             weighted BM25F score there (scoring.bm25 with the manifest's k1, b, weights)
    sources.blob/.offsets/.prefix  the distinct sources, lowercased, sorted
    source_of                per section, its source's number in sources, or -1 (int32)
    article_of               per section, its article's number in article_ids (int32, ascending)
    dates                    per section, YYYY-MM-DD or "" (U10)
    live                     per section, True (sections of removed articles are not in the arrays)
    whoosh_doc               per section, the Whoosh document number holding its stored fields (int32)
    article_ids.blob/.offsets/.prefix  article ids, sorted
    article_start            per article, its first section (int64, A+1)
    gram.codes / .start / .docs / .scores
                             every section's character bigrams and their BM25 scores (chaja.index.grams)

Sections are numbered by article id, then section index, so a generation written by an update
holds exactly the arrays a rebuild of the same files writes.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from whoosh.util.numeric import byte_to_length, length_to_byte

FORMAT = 2  # 2: the character bigrams (chaja.index.grams)
FOLDER = "arrays"
MANIFEST = "manifest.json"
FIELDS = ("title", "heading", "text")  # schema.SEARCHED; spelled here so the format is read in one place


class ArraysMissing(RuntimeError):
    """A generation without search arrays of this format."""


def load(folder: Path, name: str) -> np.ndarray:
    """Map one array of a generation's arrays folder read-only.

    Returned as a plain ndarray over the mapping: slicing a np.memmap costs ~10x more (its
    subclass hooks run on every slice), and a query slices a few dozen times.
    """
    array = np.load(folder / f"{name}.npy", mmap_mode="r")
    return np.asarray(array) if isinstance(array, np.memmap) else array


def save(folder: Path, name: str, array: np.ndarray) -> None:
    np.save(folder / f"{name}.npy", np.ascontiguousarray(array))


class Strings(Sequence):
    """Sorted strings held as one UTF-8 blob and offsets; looked up by binary search, never loaded whole."""

    def __init__(self, blob: np.ndarray, offsets: np.ndarray, prefixes: np.ndarray):
        self.blob = blob
        self.offsets = offsets
        self.prefixes = prefixes  # each string's first 8 bytes (zero-padded) as a big-endian number, ascending

    @classmethod
    def open(cls, folder: Path, name: str) -> Strings:
        return cls(load(folder, f"{name}.blob"), load(folder, f"{name}.offsets"), load(folder, f"{name}.prefix"))

    @staticmethod
    def save(folder: Path, name: str, strings: list[str]) -> None:
        """Write strings (already sorted by their UTF-8 bytes)."""
        encoded = [s.encode("utf-8", "surrogatepass") for s in strings]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        save(folder, f"{name}.blob", np.frombuffer(b"".join(encoded), dtype=np.uint8))
        save(folder, f"{name}.offsets", offsets)
        save(folder, f"{name}.prefix", np.array([_prefix(e) for e in encoded], dtype=np.uint64))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def _bytes(self, i: int) -> bytes:
        return self.blob[int(self.offsets[i]) : int(self.offsets[i + 1])].tobytes()

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._bytes(i).decode("utf-8", "surrogatepass")

    def find(self, s: str) -> int:
        """Return the number of s, or -1 if it is not held.

        The prefixes narrow the search to the few strings sharing the first 8 bytes (in C);
        only those are compared whole.
        """
        key = s.encode("utf-8", "surrogatepass")
        prefix = np.uint64(_prefix(key))
        lo = int(np.searchsorted(self.prefixes, prefix, side="left"))
        hi = int(np.searchsorted(self.prefixes, prefix, side="right"))
        i = bisect_left(_Keys(self), key, lo, hi)
        return i if i < hi and self._bytes(i) == key else -1

    def all(self) -> list[str]:
        """Return every string (for writers and statistics, not for queries)."""
        text = self.blob.tobytes()
        o = self.offsets.tolist()
        return [text[o[i] : o[i + 1]].decode("utf-8", "surrogatepass") for i in range(len(o) - 1)]


class _Keys(Sequence):
    """Strings as their bytes, for bisect."""

    def __init__(self, strings: Strings):
        self.strings = strings

    def __len__(self) -> int:
        return len(self.strings)

    def __getitem__(self, i: int) -> bytes:
        return self.strings._bytes(i)


def _prefix(encoded: bytes) -> int:
    """Return the first 8 bytes as a big-endian number (shorter strings zero-padded): ordered as the bytes are."""
    return int.from_bytes(encoded[:8].ljust(8, b"\0"), "big")


def quantised(lengths: np.ndarray) -> np.ndarray:
    """Return field lengths as Whoosh stores them (one byte each, decoded), so scores match a Whoosh index's."""
    values, where = np.unique(lengths, return_inverse=True)
    table = np.array([byte_to_length(length_to_byte(int(v))) for v in values], dtype=np.float32)
    return table[where].reshape(-1).astype(np.float32)


def read_manifest(folder: Path) -> dict:
    """Return a generation's arrays manifest; ArraysMissing if absent or of another format."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ArraysMissing(f"no search arrays in {folder.parent}") from None
    if manifest.get("format") != FORMAT:
        raise ArraysMissing(f"search arrays of format {manifest.get('format')} in {folder.parent}, "
                            f"this chaja reads format {FORMAT}")
    return manifest
