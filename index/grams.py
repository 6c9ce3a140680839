"""A character-bigram field of every section: a second way to match, beside the morphemes (issue 14).

Korean read as Lucene's CJK bigrams read it (the field of Anserini's Korean runs): each run of Hangul
or Hanja letters gives its overlapping pairs of letters, a lone letter itself; other characters only
separate runs. A section's title, heading and text make one field. A name Kiwi reads differently in
question and article ("오다 노부나가" one term there, two words here), or a typo of one letter, still
shares most of its letter pairs. Measured in tests/benchmarks/README.md ("A character-bigram field").

Written when a generation is published, from its stored texts, so a rebuild and an update of the same
files write the same arrays. In ``<generation>/arrays/``::

    gram.codes    the distinct bigrams ascending (int32: see ``codes``)
    gram.start    per bigram, where its postings start (int64, G+1)
    gram.docs     its section numbers ascending (int32)
    gram.scores   its BM25 score in each (float32; K1, B below; a section's length and the field's
                  statistics as Lucene keeps them, so OpenSearch's field scores the same)

The postings are sorted a range of first letters at a time (about CHUNK postings), from a forward file
of each section's bigrams written first, so the write holds one range in memory, never all of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from .arrays import save

K1, B = 1.2, 0.75  # Anserini's BM25, with which its Korean bigrams were measured
CHUNK = 8_000_000  # postings sorted at a time: some 350 MB while sorted
_LETTERS = 1 << 15  # letter numbers: Hangul syllables 1..11172, then Hanja (CJK unified ideographs)
_HANJA = 0x4E00


def letter_numbers(text: str) -> np.ndarray:
    """Return each character's letter number: 1.. for Hangul syllables and Hanja, 0 for anything else."""
    c = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int32)
    hangul = (c >= 0xAC00) & (c <= 0xD7A3)
    hanja = (c >= _HANJA) & (c <= 0x9FFF)
    return np.where(hangul, c - 0xAC00 + 1, np.where(hanja, c - _HANJA + 11173, 0)).astype(np.int32)


def codes(text: str) -> np.ndarray:
    """Return the bigrams of text as numbers: first letter x 2**15 + second; a lone letter is its own number."""
    n = letter_numbers(text)
    if not len(n):
        return n
    ok = n > 0
    pair = ok[:-1] & ok[1:]
    alone = ok & ~np.concatenate(([False], ok[:-1])) & ~np.concatenate((ok[1:], [False]))
    return np.concatenate((n[:-1][pair] * _LETTERS + n[1:][pair], n[alone]))


def spelled(code: int) -> str:
    """Return the letters of a bigram number (codes)."""
    return "".join(_letter(n) for n in divmod(int(code), _LETTERS) if n)


def _letter(n: int) -> str:
    return chr(0xAC00 + n - 1) if n <= 11172 else chr(_HANJA + n - 11173)


def tokens(text: str) -> list[str]:
    """Return the bigrams of text as strings, in the order codes() gives them (pairs, then lone letters)."""
    return [spelled(c) for c in codes(text).tolist()]


def _block(path: Path, start: int, count: int) -> np.ndarray:
    """Return count int32 values of a forward file from value number start (fewer at its end)."""
    return np.fromfile(path, dtype=np.int32, count=count, offset=4 * start)


def lucene_lengths(exact: np.ndarray) -> np.ndarray:
    """Return field lengths as Lucene's norms keep them (SmallFloat.intToByte4, then byte4ToInt), as float32."""
    values, where = np.unique(exact, return_inverse=True)
    table = np.array([_byte4_to_int(_int_to_byte4(int(v))) for v in values], dtype=np.float32)
    return table[where].reshape(-1).astype(np.float32)


def _long_to_int4(i: int) -> int:
    bits = i.bit_length()
    if bits < 4:
        return i
    shift = bits - 4
    return ((i >> shift) & 0x07) | ((shift + 1) << 3)


def _int4_to_long(i: int) -> int:
    bits, shift = i & 0x07, (i >> 3) - 1
    return bits if shift == -1 else (bits | 0x08) << shift


_FREE = 255 - _long_to_int4(2**31 - 1)  # Lucene's NUM_FREE_VALUES: 24


def _int_to_byte4(i: int) -> int:
    return i if i < _FREE else _FREE + _long_to_int4(i - _FREE)


def _byte4_to_int(b: int) -> int:
    return b if b < _FREE else _FREE + _int4_to_long(b - _FREE)


def section_text(title: str, heading: str, text: str) -> str:
    """Return the one field a section's bigrams are read from."""
    return f"{title}\n{heading}\n{text}"


def write(folder: Path, texts: Iterable[str], n: int) -> dict:
    """Write the bigram arrays of n sections, whose field texts (section_text) come in section order.

    Returns what the manifest records: the average bigrams a section (BM25's average length).
    """
    from .arrays_write import BLOCK, _Appender, _offsets, _ranges  # the arrays' writer calls this: imported here, not above

    forward = {name: folder / f"gram.forward.{name}" for name in ("codes", "tfs")}
    counts = np.zeros(n, dtype=np.int64)  # distinct bigrams of each section
    exact = np.zeros(n, dtype=np.int64)  # bigrams of each section
    try:
        with open(forward["codes"], "wb") as codes_file, open(forward["tfs"], "wb") as tfs_file:
            for d, text in enumerate(texts):
                found, tfs = np.unique(codes(text), return_counts=True)
                counts[d], exact[d] = len(found), int(tfs.sum())
                codes_file.write(found.astype(np.int32).tobytes())
                tfs_file.write(tfs.astype(np.int32).tobytes())
        total = int(counts.sum())
        per_first = np.zeros(_LETTERS, dtype=np.int64)  # postings of the bigrams starting with each letter
        for b in range(0, total, BLOCK):
            per_first += np.bincount(_block(forward["codes"], b, BLOCK) >> 15, minlength=_LETTERS)
        lengths = lucene_lengths(exact)
        held = int(np.count_nonzero(exact))  # as Lucene counts a field's documents: those holding a token
        average = max(1.0, float(exact.sum()) / max(1, held))
        ends = np.cumsum(counts)
        distinct, df = [], []
        out = {name: _Appender(folder / f"gram.{name}.npy", dtype)
               for name, dtype in (("docs", np.int32), ("scores", np.float32))}
        try:
            for lo, hi in _ranges(per_first, CHUNK):
                code, doc, tf = [], [], []
                for b in range(0, total, BLOCK):  # read, not mapped: the forward file's pages stay out of memory
                    block = _block(forward["codes"], b, BLOCK)
                    at = np.flatnonzero(((block >> 15) >= lo) & ((block >> 15) < hi))
                    code.append(block[at])
                    tf.append(_block(forward["tfs"], b, BLOCK)[at])
                    doc.append(np.searchsorted(ends, at + b, side="right").astype(np.int32))
                code, doc, tf = (np.concatenate(x) for x in (code, doc, tf))
                by = np.lexsort((doc, code))
                code, doc, tf = code[by], doc[by], tf[by].astype(np.float32)
                these, starts = np.unique(code, return_index=True)
                freq = np.diff(np.append(starts, len(code)))
                idf = np.log(1.0 + (held - freq + 0.5) / (freq + 0.5)).astype(np.float32)
                norm = K1 * (1 - B + B * lengths[doc] / average)
                out["docs"].add(doc)
                out["scores"].add(np.repeat(idf, freq) * tf * (K1 + 1) / (tf + norm))
                distinct.append(these)
                df.append(freq)
        finally:
            for appender in out.values():
                appender.close()
        save(folder, "gram.codes", np.concatenate(distinct).astype(np.int32) if distinct else np.zeros(0, np.int32))
        save(folder, "gram.start", _offsets(np.concatenate(df) if df else np.zeros(0, np.int64)))
    finally:
        for path in forward.values():
            path.unlink(missing_ok=True)
    return {"average_length": average}
