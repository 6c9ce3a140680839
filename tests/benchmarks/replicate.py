"""Write a larger index from a built one: its kowiki articles again under new ids, without Kiwi.

scale.py's indexes beyond 60,000 kowiki articles hold the same articles again under the ids
again<k>/<id>. Kiwi's analysis of an article does not depend on its id, so instead of analysing
them again (two and four hours of this machine's two cores at 120,000 and 240,000), this copies
the 60,000-article index into a new generation, once per copy, through the rebuild's own write
pipeline (chaja.index.pipeline.NewGeneration): each section's stored fields (its stored spans hold
its morphemes) go to the Whoosh writer under the new ids, in the order a rebuild of
scale.py's files would write them (korquad1-dev and kowiki first, then each copy), and each
copy's search arrays join the collector as an update keeps an older generation's
(Collector.keep, with the copy's id prefix). Publishing then sorts the arrays, numbers the Whoosh
documents and collects the vocabulary exactly as a rebuild does. What it does not measure is
Kiwi's share of the build; the caller adds it from the 60,000 build.

Checked against the earlier way (read every article's morphemes back and write them again,
chaja.index.readback; itself checked equal to a rebuild from the files) on korquad1-dev plus 40
kowiki articles copied to 100: the same search array files byte for byte, the same vocabulary entries and counts, and the same stored fields per section id (`--check OTHER_INDEX` compares).

Run: python tests/benchmarks/replicate.py SOURCE_INDEX TARGET_INDEX KOWIKI_ARTICLES
(prints articles, sections and seconds; korquad1-dev's articles are written once).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from chaja.index import arrays, readback, schema, store, vocabulary
from chaja.index.pipeline import NewGeneration

ONCE = "kq1dev-"  # korquad1-dev's articles, written once


def replicate(source: Path, target: Path, n: int) -> tuple[int, int, float]:
    """Write korquad1-dev plus n kowiki articles (again<k>/<id> beyond the source's) into target."""
    started = time.perf_counter()
    opened = readback.open_index(source)
    folder = opened.folder
    ids = arrays.Strings.open(folder, "article_ids").all()
    article_start = np.asarray(arrays.load(folder, "article_start"))
    written = np.argsort(np.asarray(arrays.load(folder, "whoosh_doc"))[article_start[:-1]], kind="stable")
    volume_order = [ids[a] for a in written.tolist() if not ids[a].startswith(ONCE)]  # kowiki, as written
    rank = {a: r for r, a in enumerate(volume_order)}
    if store.current(target) is not None:
        sys.exit(f"{target} already holds an index; remove it first")
    copies = -(-n // len(volume_order))
    articles = sections = 0
    with NewGeneration(target, opened.user_words, had_index=False,
                       word_cache=bool(opened.manifest.get("word_cache", False))) as new:  # analysed as the source was
        for k in range(copies):
            wanted = min(len(volume_order), n - k * len(volume_order))
            prefix = f"again{k}/" if k else ""
            taken: set[str] = set()
            with opened.ix.reader() as reader:
                for _, fields in reader.iter_docs():  # the source's documents in the order they were written
                    a = fields[schema.ARTICLE]
                    if (a.startswith(ONCE) and k) or rank.get(a, -1) >= wanted:
                        continue
                    if prefix:
                        fields = {**fields, schema.ARTICLE: prefix + a,
                                  schema.ID: schema.section_id(prefix + a, fields[schema.SECTION])}
                    new.writer.add_document(**fields)
                    taken.add(a)
                    sections += 1
            new.collector.keep(folder, set(ids) - taken, prefix)
            articles += len(taken)
        new.publish({"built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "paths": [],
                     "replicated_from": str(source.resolve()), "seconds": round(time.perf_counter() - started, 3),
                     "user_words": len(opened.user_words), "skipped": 0})
    return articles, sections, time.perf_counter() - started


def same(one: Path, other: Path) -> list[str]:
    """Return how two indexes differ: array files byte for byte, vocabulary entries, stored fields per section id."""
    a, b = store.require(one).path, store.require(other).path
    differ = []
    for f in sorted(p.relative_to(a) for p in (a / arrays.FOLDER).iterdir()):
        if (a / f).read_bytes() != (b / f).read_bytes():
            differ.append(str(f))
    if _entries(a) != _entries(b):  # not its files: their order follows Python's per-process string hashing
        differ.append("vocabulary")
    stored = []
    for root in (one, other):
        with store.require(root).open().reader() as r:
            stored.append({f[schema.ID]: {k: v for k, v in f.items() if k != schema.PATH} for _, f in r.iter_docs()})
    if stored[0] != stored[1]:
        differ.append(f"stored fields ({len(stored[0])} and {len(stored[1])} sections)")
    return differ


def _entries(generation: Path) -> dict[str, tuple[int, int]]:
    """Return a vocabulary's entries: text -> (count, kind); its orders are sorted from these."""
    v = vocabulary.read(generation)
    return {v.entry(i): (int(c), int(k)) for i, (c, k) in enumerate(zip(v.count.tolist(), v.kind.tolist()))}

if __name__ == "__main__":
    if sys.argv[1] == "--check":  # replicate.py --check INDEX OTHER_INDEX
        print(same(Path(sys.argv[2]), Path(sys.argv[3])) or "the same")
    else:
        a, s, t = replicate(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
        print(a, s, t)
