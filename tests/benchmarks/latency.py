"""Query latency of Engine.search over the korquad1-dev questions, beside Lucene-nori's on the same articles.

Indexes hold korquad1-dev plus the first N kowiki-volume articles (built once into /tmp/chaja-bench/kq+N,
shared with quality.py). chaja: one Engine.search(q, size=10) at a time, wall-clock in Python, after
warm-up queries, with the garbage collector set as `chaja serve` sets it. Lucene-nori: one doc per article, BM25(1.2, 0.75), top 10, timed in Java after one
untimed pass (NoriIndex.search_batch). Targets from the issue: chaja p95 <= 2x Lucene-nori's, and
chaja p95 <= 50 ms at 60,000.

Run: python tests/benchmarks/latency.py [--sizes 1000,10000,60000] [--limit N] [--warmup N]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import nori  # noqa: E402  (pyjnius must come before anything that could start a JVM)
from nori_smoke import article_docs, read_articles  # noqa: E402
from quality import KORQUAD, RESULTS, bench_index, kowiki, machine, print_machine  # noqa: E402

from chaja.search import Engine  # noqa: E402
from chaja.web.server import tune_gc  # noqa: E402
from chaja.search.evaluate import percentile, read_queries  # noqa: E402

K = 10  # results per query: the web's page size
TARGET_RATIO = 2.0  # chaja p95 over Lucene-nori's p95
TARGET_P95_MS = 50.0  # chaja p95 at 60,000


def summary(ms: list[float]) -> dict:
    return {"p50_ms": round(percentile(ms, 50), 3), "p95_ms": round(percentile(ms, 95), 3),
            "p99_ms": round(percentile(ms, 99), 3), "mean_ms": round(sum(ms) / len(ms), 3)}


def chaja_latency(root: Path, texts: list[str], warmup: int) -> dict:
    """Time Engine.search one query at a time after warmup untimed queries."""
    engine = Engine(root)
    engine.warm()  # opens the generation (its arrays are mapped; nothing to load)
    tune_gc()  # as a `chaja serve` process runs it
    for q in itertools.islice(itertools.cycle(texts), warmup):
        engine.search(q, size=K)
    ms = []
    for q in texts:
        t0 = time.perf_counter()
        engine.search(q, size=K)
        ms.append((time.perf_counter() - t0) * 1000)
    return summary(ms)


def nori_latency(n: int, texts: list[str]) -> dict:
    """Index the same articles in Lucene-nori and time the queries in Java."""
    articles = list(read_articles(KORQUAD / "corpus.jsonl")) + list(kowiki(n))
    with nori.NoriIndex() as ix:
        ix.add_all(article_docs(articles))
        del articles
        ms = [nanos / 1e6 for nanos, _ in ix.search_batch(texts, k=K, warmup=1)]
    return summary(ms)


def print_table(rows: list[dict]) -> None:
    print(f"{'articles':>8} | {'chaja p50':>9} {'p95':>7} {'p99':>7} | {'nori p50':>9} {'p95':>7} {'p99':>7}"
          " | p95 ratio")
    for r in rows:
        c, n = r["chaja"], r.get("nori")
        nc = f"{n['p50_ms']:9.2f} {n['p95_ms']:7.2f} {n['p99_ms']:7.2f}" if n else f"{'n/a':>25}"
        ratio = f"{r['p95_ratio']:.2f}x" if "p95_ratio" in r else "n/a"
        print(f"{r['articles']:8,d} | {c['p50_ms']:9.2f} {c['p95_ms']:7.2f} {c['p99_ms']:7.2f} | {nc} | {ratio}")


def verdicts(rows: list[dict]) -> list[str]:
    out = []
    for r in rows:
        if "p95_ratio" in r:
            out.append(f"target chaja p95 <= {TARGET_RATIO}x Lucene-nori at {r['articles']:,}: {r['p95_ratio']:.2f}x "
                       f"{'PASS' if r['p95_ratio'] <= TARGET_RATIO else 'FAIL'}")
        if r["distractors"] == 60_000:
            p95 = r["chaja"]["p95_ms"]
            out.append(f"target chaja p95 <= {TARGET_P95_MS:g} ms at 60,000: {p95:.1f} ms "
                       f"{'PASS' if p95 <= TARGET_P95_MS else 'FAIL'}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,60000",
                    help="kowiki articles beside korquad1-dev (default %(default)s)")
    ap.add_argument("--index-dir", type=Path, help="chaja index to use for a single size (default: built per size)")
    ap.add_argument("--limit", type=int, default=0, help="time only the first N questions (0 = all 5,774)")
    ap.add_argument("--warmup", type=int, default=500, help="untimed chaja queries first (default %(default)s)")
    ap.add_argument("--no-nori", action="store_true", help="skip Lucene-nori")
    ap.add_argument("--word-cache", action="store_true",
                    help="build (or require) the chaja index with the analysis cache, as quality.py's --word-cache")
    ap.add_argument("--out", type=Path, default=RESULTS / "latency.json",
                    help="JSON file to write (default %(default)s)")
    args = ap.parse_args()

    info = machine()
    print_machine(info)
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.index_dir and len(sizes) != 1:
        ap.error("--index-dir needs exactly one --sizes value")
    texts = list(read_queries(KORQUAD / "queries.tsv").values())
    if args.limit:
        texts = texts[: args.limit]
    reason = "skipped with --no-nori" if args.no_nori else nori.available()
    if reason:
        print(f"Lucene-nori: not available ({reason})")
    print(f"{len(texts):,} korquad1-dev questions, top {K}, one at a time")
    rows = []
    for n in sizes:
        root = bench_index(n, args.index_dir, args.word_cache)
        print(f"  korquad1-dev + {n:,}: chaja ({root}) ...", flush=True)
        row = {"articles": 140 + n, "distractors": n, "index": str(root),
               "chaja": chaja_latency(root, texts, args.warmup)}
        if reason is None:
            print(f"  korquad1-dev + {n:,}: Lucene-nori ...", flush=True)
            row["nori"] = nori_latency(n, texts)
            row["p95_ratio"] = round(row["chaja"]["p95_ms"] / row["nori"]["p95_ms"], 2)
        rows.append(row)
    print_table(rows)
    for line in verdicts(rows):
        print(line)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": info, "nori": reason or "ok", "queries": len(texts), "k": K,
                                    "warmup": args.warmup, "rows": rows, "verdicts": verdicts(rows)},
                                   ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
