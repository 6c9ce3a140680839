"""Print Lucene-nori + BM25 figures on korquad1-dev (quality, latency, indexing) and kowiki-volume (indexing).

Run: python tests/benchmarks/nori_smoke.py [--data DIR] [--volume-file FILE] [--volume N]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import statistics
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import ir_measures

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nori  # noqa: E402

# ../shared/data beside the checkout (or $CHAJA_SHARED_DATA)
DATA = Path(os.environ.get("CHAJA_SHARED_DATA") or Path(__file__).resolve().parents[3] / "shared" / "data")
MEASURES = [ir_measures.RR @ 10, ir_measures.nDCG @ 10, ir_measures.R @ 100]


def read_articles(path: Path) -> Iterator[dict]:
    """Yield article dicts from a JSONL or JSONL.gz file."""
    with (gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else open(path, encoding="utf-8")) as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def article_docs(articles: list[dict]) -> list[tuple[str, str, str]]:
    """Return one (id, title, all sections' headings and texts) per article."""
    return [(a["id"], a["title"], "\n".join(f"{s['heading']}\n{s['text']}" for s in a["sections"])) for a in articles]


def section_docs(articles: list[dict]) -> list[tuple[str, str, str]]:
    """Return one ("id#k", article title, heading and text) per section."""
    return [(f"{a['id']}#{k}", a["title"], f"{s['heading']}\n{s['text']}")
            for a in articles for k, s in enumerate(a["sections"])]


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """Read a "qid 0 docid rel" file into {qid: {docid: rel}}."""
    qrels: dict[str, dict[str, int]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        qid, _, docid, rel = line.split()
        qrels.setdefault(qid, {})[docid] = int(rel)
    return qrels


def percentile(values: list[float], p: float) -> float:
    """Return the p-th percentile (0-100) of `values`."""
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def evaluate(level: str, docs: list[tuple[str, str, str]], queries: dict[str, str],
             qrels: dict[str, dict[str, int]]) -> None:
    """Index `docs`, run all queries in Java and print indexing, latency and quality figures."""
    with nori.NoriIndex() as ix:
        seconds, n = ix.add_all(docs)
        print(f"[{level}] indexed {n:,} docs in {seconds:.3f} s = {n / seconds:,.0f} docs/s (Java-side, incl. commit)")
        qids, texts = list(queries), list(queries.values())
        results = ix.search_batch(texts, k=100, warmup=1)
        run = {qid: {d: s for d, s in hits} for qid, (_, hits) in zip(qids, results)}
        scores = ir_measures.calc_aggregate(MEASURES, qrels, run)
        print(f"[{level}] " + "  ".join(f"{m}={scores[m]:.3f}" for m in MEASURES) + f"  ({len(qids):,} queries)")
        for k in (10, 100):
            ms = [nanos / 1e6 for nanos, _ in ix.search_batch(texts, k=k, warmup=1)]
            print(f"[{level}] latency top-{k} (in Java, after warm-up): p50 {percentile(ms, 50):.3f} ms"
                  f"  p95 {percentile(ms, 95):.3f} ms  mean {statistics.fmean(ms):.3f} ms")


def volume(path: Path, n: int) -> None:
    """Index the first `n` articles of `path` (one doc per article) and print articles/s."""
    docs = article_docs(list(itertools.islice(read_articles(path), n)))
    chars = sum(len(t) + len(x) for _, t, x in docs)
    with nori.NoriIndex() as ix:
        seconds, count = ix.add_all(docs)
    print(f"[volume] {path.name}: {count:,} articles ({chars / 1e6:.1f} M chars) in {seconds:.1f} s"
          f" = {count / seconds:,.0f} articles/s, {chars / seconds / 1e6:.2f} M chars/s (Java-side, 1 thread)")


def main() -> None:
    """Parse arguments and print all figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=DATA / "korquad1-dev")
    ap.add_argument("--volume-file", type=Path, default=DATA / "kowiki-volume" / "corpus-00.jsonl.gz")
    ap.add_argument("--volume", type=int, default=10_000, help="articles to index for throughput; 0 skips")
    args = ap.parse_args()

    reason = nori.available()
    if reason:
        print(f"Lucene-nori: not available ({reason})")
        return
    print(f"Lucene-nori: {', '.join(Path(j).name for j in nori._jars())}; KoreanAnalyzer defaults, BM25(1.2, 0.75)")
    articles = list(read_articles(args.data / "corpus.jsonl"))
    queries = dict(line.split("\t", 1) for line in (args.data / "queries.tsv").read_text(encoding="utf-8").splitlines())
    evaluate("article", article_docs(articles), queries, read_qrels(args.data / "qrels.tsv"))
    evaluate("section", section_docs(articles), queries, read_qrels(args.data / "qrels-sections.tsv"))
    if args.volume:
        volume(args.volume_file, args.volume)


if __name__ == "__main__":
    main()
