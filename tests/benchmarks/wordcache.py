"""The analysis cache against in-context analysis on the first N kowiki-volume articles: Kiwi time and what differs.

The whole rebuild's CPU seconds with and without the cache: tests/benchmarks/indexing.py --word-cache
(each build in its own process; here the compound cache one analysis fills would serve the other).

Batches are formed as the write pipeline forms them (chaja.index.pipeline.BATCH articles: each title,
heading and section text). For each batch it measures Kiwi alone, in CPU seconds of this process (every
thread): kiwi.tokenize of the batch's texts against kiwi.tokenize of the batch's distinct words. Of chaja's
content morphemes (chaja.index.batches.morphemes_of_many against wordcache.morphemes_by_word) it counts those that
differ: an in-context morpheme (term, start, end) the cache does not produce at the same place
("missing"), and one the cache produces that in-context analysis does not ("extra"), as shares of the
in-context morphemes and of the cache's; and the same for the distinct terms of each text.

Run: python tests/benchmarks/wordcache.py [--articles 1000]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from indexing import texts  # noqa: E402
from quality import RESULTS, kowiki, machine, print_machine  # noqa: E402

from chaja.index import analysis, wordcache  # noqa: E402
from chaja.index.batches import morphemes_of_many  # noqa: E402
from chaja.index.pipeline import BATCH  # noqa: E402


def batches(n: int) -> list[list[str]]:
    """Return the texts of the first n kowiki articles in the write pipeline's batches."""
    articles = list(kowiki(n))
    return [texts(articles[i : i + BATCH]) for i in range(0, len(articles), BATCH)]


def timed(work) -> tuple[float, object]:
    """Return the CPU seconds (every thread) work() took, and its result."""
    cpu = time.process_time()
    out = work()
    return time.process_time() - cpu, out


def differ(context: list[list], cached: list[list]) -> dict:
    """Count the content morphemes and distinct terms of each text that the two analyses do not share."""
    out = Counter()
    for a, b in zip(context, cached):
        ca, cb = Counter((m.text, m.start, m.end) for m in a), Counter((m.text, m.start, m.end) for m in b)
        out["context"] += sum(ca.values())
        out["cached"] += sum(cb.values())
        out["missing"] += sum((ca - cb).values())
        out["extra"] += sum((cb - ca).values())
        ta, tb = {m.text for m in a}, {m.text for m in b}
        out["context_terms"] += len(ta)
        out["cached_terms"] += len(tb)
        out["missing_terms"] += len(ta - tb)
        out["extra_terms"] += len(tb - ta)
    return dict(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=1000, help="kowiki-volume articles (default %(default)s)")
    ap.add_argument("--out", type=Path, default=RESULTS / "wordcache.json", help="JSON file to write (default %(default)s)")
    args = ap.parse_args()
    info = machine()
    print_machine(info)
    kiwi = analysis.kiwi_for()
    work = batches(args.articles)
    kiwi_context = kiwi_words = 0.0
    words = distinct = 0
    counts = Counter()
    for texts_ in work:
        present = [t for t in texts_ if t.strip()]
        seconds, _ = timed(lambda: sum(len(r) for r in kiwi.tokenize(present)))
        kiwi_context += seconds
        occurrences = [w for t in texts_ for _, w in wordcache.words(analysis._normalize(t)[0])]
        unique = list(dict.fromkeys(occurrences))
        words, distinct = words + len(occurrences), distinct + len(unique)
        seconds, _ = timed(lambda: sum(len(r) for r in kiwi.tokenize(unique)))
        kiwi_words += seconds
        counts.update(differ(morphemes_of_many(texts_), wordcache.morphemes_by_word(texts_)))
    result = {
        "articles": args.articles, "batches": len(work), "words": words, "distinct_words_per_batch": distinct,
        "kiwi_cpu_context": round(kiwi_context, 2), "kiwi_cpu_words": round(kiwi_words, 2),
        **counts,
        "missing_share": round(counts["missing"] / counts["context"], 4),
        "extra_share": round(counts["extra"] / counts["cached"], 4),
        "missing_terms_share": round(counts["missing_terms"] / counts["context_terms"], 4),
        "extra_terms_share": round(counts["extra_terms"] / counts["cached_terms"], 4),
    }
    print(f"{args.articles:,} articles in {len(work)} batches of {BATCH}: {words:,} words, {distinct:,} distinct per "
          f"batch ({distinct / words:.0%})")
    print(f"Kiwi alone: {kiwi_context:.1f} CPU s in context, {kiwi_words:.1f} CPU s word by word "
          f"({kiwi_context / kiwi_words:.2f}x less)")
    print(f"content morphemes differing: {result['missing_share']:.1%} of the in-context ones missing, "
          f"{result['extra_share']:.1%} of the cache's extra; distinct terms per text: "
          f"{result['missing_terms_share']:.1%} missing, {result['extra_terms_share']:.1%} extra")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": info, **result}, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
