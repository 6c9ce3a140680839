"""A character-bigram field beside the morphemes, built in memory from an index's stored texts (issue 14).

Every section's title, heading and text as one field (as nori's best configuration joins them), read
as Lucene's CJK bigrams read Korean: each run of Hangul or Hanja letters gives its overlapping pairs of
letters, a lone letter itself; other characters only separate runs. A question is read the same way
and scored with BM25 over these sections. section_tuning.py adds this score, at a low weight, to
the engine's (a backoff: names Kiwi reads differently in question and article, and typos of one
letter, still share most of their letter pairs).

Not part of the engine: a measurement. Built once per index into $CHAJA_BENCH_DIR/<index>.bigrams.npz.

Run: python tests/benchmarks/bigrams.py --index-dir DIR [QUESTION ...]  (builds, then prints the best sections)
     python tests/benchmarks/bigrams.py --index-dir DIR --cost 600  (CPU a question of scoring every section)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from data import BENCH_DIR  # noqa: E402

from chaja.index import schema  # noqa: E402
from chaja.index.grams import B, K1  # noqa: E402  (the engine's BM25 of the field)
from chaja.index.grams import codes as grams  # noqa: E402  (the engine's own reading of a text into bigrams)
from chaja.search import Engine  # noqa: E402


class Bigrams:
    """Bigram postings of every section: codes ascending, and for each its sections and frequencies."""

    def __init__(self, codes: np.ndarray, starts: np.ndarray, sections: np.ndarray, tfs: np.ndarray,
                 lengths: np.ndarray):
        self.codes, self.starts, self.sections, self.tfs, self.lengths = codes, starts, sections, tfs, lengths
        self.n = len(lengths)
        self.average = float(lengths.mean()) if self.n else 1.0

    @classmethod
    def of_index(cls, index_dir: Path) -> Bigrams:
        """Return the bigrams of an index, built from its stored fields once and kept beside it."""
        cache = BENCH_DIR / f"{Path(index_dir).name}.bigrams2.npz"  # 2: the codes of chaja.index.grams
        engine = Engine(index_dir)
        gen = engine._current()
        if cache.exists():
            data = np.load(cache)
            if data["generation"].item() == gen.name:
                return cls(data["codes"], data["starts"], data["sections"], data["tfs"], data["lengths"])
        started = time.perf_counter()
        n = gen.postings.doc_count
        parts_code, parts_doc, parts_tf = [], [], []
        lengths = np.zeros(n, np.int32)
        for d in range(n):
            f = gen.stored_fields(d)
            g = grams(f"{f[schema.TITLE]}\n{f[schema.HEADING]}\n{f[schema.TEXT]}")
            lengths[d] = len(g)
            u, c = np.unique(g, return_counts=True)
            parts_code.append(u)
            parts_doc.append(np.full(len(u), d, np.int32))
            parts_tf.append(c.astype(np.int32))
        code, doc, tf = np.concatenate(parts_code), np.concatenate(parts_doc), np.concatenate(parts_tf)
        order = np.lexsort((doc, code))
        code, doc, tf = code[order], doc[order], tf[order]
        codes, starts = np.unique(code, return_index=True)
        starts = np.append(starts, len(code))
        np.savez(cache, generation=np.array(gen.name), codes=codes, starts=starts, sections=doc, tfs=tf, lengths=lengths)
        print(f"bigrams of {n:,} sections: {len(codes):,} distinct, {len(doc):,} postings, "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        return cls(codes, starts, doc, tf, lengths)

    def scores(self, text: str, max_df: float = 1.0) -> np.ndarray:
        """Return every section's BM25 score for the question's bigrams (each distinct bigram once).

        max_df: the bigrams in more than this share of the sections are left out (they cost the most to add).
        """
        out = np.zeros(self.n, np.float32)
        asked = np.unique(grams(text))
        at = np.searchsorted(self.codes, asked)
        for code, i in zip(asked.tolist(), at.tolist()):
            if i >= len(self.codes) or self.codes[i] != code:
                continue
            df = int(self.starts[i + 1] - self.starts[i])
            if df > max_df * self.n:
                continue
            docs = self.sections[self.starts[i] : self.starts[i + 1]]
            tf = self.tfs[self.starts[i] : self.starts[i + 1]].astype(np.float32)
            idf = np.log(1.0 + (self.n - df + 0.5) / (df + 0.5))
            norm = K1 * (1 - B + B * self.lengths[docs] / self.average)
            out[docs] += (idf * tf * (K1 + 1) / (tf + norm)).astype(np.float32)
        return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", type=Path, required=True)
    ap.add_argument("questions", nargs="*")
    ap.add_argument("--cost", type=int, default=0,
                    help="time scoring the first N korquad1-dev questions (CPU), with every bigram and without common ones")
    args = ap.parse_args()
    bigrams = Bigrams.of_index(args.index_dir)
    if args.cost:
        from data import KORQUAD

        from chaja.search.evaluate import read_queries

        texts = list(read_queries(KORQUAD / "queries.tsv").values())[: args.cost]
        for max_df in (1.0, 0.2, 0.05, 0.01):
            started = time.process_time()
            for q in texts:
                bigrams.scores(q, max_df)
            print(f"bigrams in at most {max_df:.0%} of sections: {(time.process_time() - started) * 1000 / len(texts):.2f} "
                  f"ms of CPU a question", flush=True)
    gen = Engine(args.index_dir)._current()
    for q in args.questions:
        s = bigrams.scores(q)
        for d in np.argsort(-s)[:5].tolist():
            f = gen.stored_fields(d)
            print(f"{q}: {s[d]:.2f} {f[schema.ARTICLE]}#{f[schema.SECTION]} {f[schema.TITLE]}")


if __name__ == "__main__":
    main()
