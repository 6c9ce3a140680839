"""Copy an index with its precomputed BM25F impacts written again under this code's settings, without Kiwi.

The impacts (impact.start/.docs/.scores in the search arrays) are the only part of an index that
depends on BM25's k1 and b and the field weights (chaja.index.arrays_write: K1, B, WEIGHTS). This
links every file of the source's serving generation into a new index folder (hard links: no copy,
the source is never written), removes the copy's impact files and manifest, and writes them again
from the postings and field lengths with arrays_write.term_scores and its impact summing, as a
rebuild with these settings writes them. Then Engine(target) ranks with the new settings at the
speed of precomputed impacts (quality.py, lead_cpu.py).

Run: python tests/benchmarks/rescore.py SOURCE_INDEX TARGET_INDEX
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from chaja.index import arrays, arrays_write, store

IMPACTS = ("impact.start.npy", "impact.docs.npy", "impact.scores.npy", arrays.MANIFEST)


def link_tree(source: Path, target: Path) -> None:
    """Hard-link every file of source into target (folders made anew)."""
    for folder, _, files in os.walk(source):
        out = target / Path(folder).relative_to(source)
        out.mkdir(parents=True, exist_ok=True)
        for name in files:
            os.link(Path(folder) / name, out / name)


def rescore(source_root: Path, target_root: Path) -> dict:
    """Write target_root: source_root's serving generation with impacts under arrays_write's settings."""
    gen = store.require(source_root)
    if target_root.exists():
        sys.exit(f"{target_root} exists; remove it first")
    target_gen = target_root / gen.path.name
    link_tree(gen.path, target_gen)
    (target_root / "CURRENT").write_text(gen.path.name, encoding="utf-8")
    folder = target_gen / arrays.FOLDER
    for name in IMPACTS:  # linked to the source's: unlink first, so the source's files are never written
        (folder / name).unlink()
    manifest = arrays.read_manifest(gen.path / arrays.FOLDER)
    n, v = manifest["sections"], manifest["terms"]
    impacts = []
    for f in arrays.FIELDS:
        start = np.asarray(arrays.load(folder, f"{f}.start"))
        docs = np.asarray(arrays.load(folder, f"{f}.docs"))
        tfs = np.asarray(arrays.load(folder, f"{f}.tfs"))
        lengths = np.asarray(arrays.load(folder, f"{f}.lengths"))
        df = np.diff(start)
        posting_term = np.repeat(np.arange(v, dtype=np.int32), df)
        scores = arrays_write.term_scores(f, df, n, tfs, lengths[docs], manifest["average_length"][f], posting_term)
        impacts.append((posting_term, docs, scores))
    (terms, docs), scores = arrays_write._impacts(impacts, n)
    del impacts
    arrays.save(folder, "impact.start", arrays_write._offsets(np.bincount(terms, minlength=v)))
    arrays.save(folder, "impact.docs", docs)
    arrays.save(folder, "impact.scores", scores)
    manifest.update(k1=arrays_write.K1, b=arrays_write.B, field_b=arrays_write.FIELD_B, weights=arrays_write.WEIGHTS)
    (folder / arrays.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    started = time.perf_counter()
    manifest = rescore(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"wrote {sys.argv[2]}: {manifest['sections']:,} sections, k1 {manifest['k1']}, b {manifest['b']} "
          f"(per field {manifest['field_b']}), "
          f"weights {manifest['weights']} in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
