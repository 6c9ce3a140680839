"""Write a larger index from a built one's stored analysis: its kowiki articles again under new ids.

scale.py's indexes beyond 60,000 kowiki articles hold the same articles again under the ids
again<k>/<id>. Kiwi's analysis of an article does not depend on its id, so instead of analysing
them again (two and four hours of this machine's two cores at 120,000 and 240,000), this reads
each article's morphemes back from the 60,000-article index (chaja.index.readback, as
`chaja index rebuild --from-index` does for OpenSearch) and writes them through the rebuild's own
write pipeline (chaja.index.pipeline.NewGeneration): the same stored fields, search arrays and
vocabulary that a rebuild from the files would write, in the same order. What it does not measure
is Kiwi's share of the build; the caller adds it from the 60,000 build.

Run: python tests/benchmarks/replicate.py SOURCE_INDEX TARGET_INDEX KOWIKI_ARTICLES
(prints articles, sections and seconds; korquad1-dev's articles are written once).
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

from chaja.index import arrays, readback, store
from chaja.index.pipeline import NewGeneration


def replicate(source: Path, target: Path, n: int) -> tuple[int, int, float]:
    """Write korquad1-dev plus n kowiki articles (again<k>/<id> beyond the source's) into target."""
    started = time.perf_counter()
    opened = readback.open_index(source)
    ids = arrays.Strings.open(opened.folder, "article_ids")
    volume = sum(not ids[i].startswith("kq1dev-") for i in range(len(ids)))
    if store.current(target) is not None:
        sys.exit(f"{target} already holds an index; remove it first")
    articles = sections = 0
    with NewGeneration(target, opened.user_words, had_index=False) as new:
        for k in range(-(-n // volume)):
            kowiki, wanted = 0, min(volume, n - k * volume)
            for batch in readback.analysed_batches(opened):
                if kowiki >= wanted:  # korquad1-dev came first
                    break
                for item in batch:
                    a = item.article
                    if not a.id.startswith("kq1dev-"):  # a kowiki-volume article
                        kowiki += 1
                        if kowiki > wanted:
                            continue
                        if k:
                            item = item._replace(article=replace(a, id=f"again{k}/{a.id}"))
                    elif k:
                        continue
                    sections += new.add(item)
                    articles += 1
        new.publish({"built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "paths": [],
                     "replicated_from": str(source.resolve()), "seconds": round(time.perf_counter() - started, 3),
                     "user_words": len(opened.user_words), "skipped": 0})
    return articles, sections, time.perf_counter() - started


if __name__ == "__main__":
    a, s, t = replicate(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
    print(a, s, t)
