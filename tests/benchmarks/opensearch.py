"""The OpenSearch backend beside the embedded one: quality, query latency and indexing rate.

1. Quality as quality.py measures it (korquad1-dev's questions, nDCG@10, R@100, MRR@10 at article
   and section level, through chaja.search.evaluate, i.e. Engine.search with size=100) on
   korquad1-dev plus N kowiki distractors, indexed once embedded and once in OpenSearch; the
   same run gives Engine.search's p50/p95 latency on both backends for the same index.
2. Indexing articles/s into the 3-node cluster with 1, 2 and 4 indexer processes, each a
   `chaja index rebuild --part K/N` of the same articles, timed from the first start to the end
   of `chaja index publish`.

The cluster is the test launcher's (tests/opensearch/cluster.py: three JVMs of --heap each, 384 MB
by default, on this machine), started and stopped here unless --hosts names a running one.

Run: python tests/benchmarks/opensearch.py [--distractors 0] [--index-articles 2000] [--processes 1,2,4] [--hosts H:P,...]
     [--backoff-cost]  (OpenSearch pages with the name backoff on and off, taking turns question by question)

With --from-index DIR, part 1 takes an embedded index that already exists (korquad1-dev plus
distractors, such as quality.py's $CHAJA_BENCH_DIR/kq+60000) instead of building one: it is the
embedded backend measured, and it is loaded into the cluster with `chaja index rebuild --from-index`
(its stored analysis, no Kiwi), which gives the same OpenSearch documents as a rebuild from the
files. Quality and latency at 60,000 articles, without part 2:

    nice -n 10 python tests/benchmarks/opensearch.py --from-index /tmp/chaja-bench/kq+60000 \
        --skip indexing --heap 1g --limit 1000
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import random
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from data import BENCH_DIR, KORQUAD, kowiki_paths  # noqa: E402

from chaja.index import opensearch as osx  # noqa: E402
from chaja.index import opensearch_load, store
from chaja.index.builder import rebuild
from chaja.index.opensearch_from_index import rebuild_from_index
from chaja.search import Engine
from chaja.search.evaluate import evaluate, read_queries

HERE = Path(__file__).resolve().parent
QRELS = {"article": KORQUAD / "qrels.tsv", "section": KORQUAD / "qrels-sections.tsv"}
CHAJA = shutil.which("chaja") or str(Path(sys.executable).with_name("chaja"))


def cluster_module():
    spec = importlib.util.spec_from_file_location("chaja_test_cluster", HERE.parent / "opensearch" / "cluster.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def quality(loc: str, n: int, limit: int, from_index: Path | None = None, load: bool = True,
            sample: int = 0) -> list[dict]:
    """Evaluate both backends on korquad1-dev + n distractors (or the index from_index); one row per backend and level."""
    if from_index and not load:
        embedded = from_index
        print(f"opensearch: {loc} as already loaded from {embedded}", flush=True)
    elif from_index:
        embedded = from_index
        store.require(embedded)
        r = rebuild_from_index(embedded, osx.location(loc), progress=Progress())
        how = f"loaded from {embedded} without Kiwi"
    else:
        inputs = [KORQUAD / "corpus.jsonl", *(kowiki_paths(n) if n else [])]
        embedded = BENCH_DIR / f"embedded-kq+{n}"
        if store.current(embedded) is None:
            r = rebuild(inputs, embedded)
            print(f"embedded: built {r.articles:,} articles in {r.seconds:.0f} s")
        r = opensearch_load.rebuild(inputs, osx.location(loc))
        how = "built"
    if load or not from_index:
        print(f"opensearch: {how}: {r.articles:,} articles, {r.sections:,} sections in {r.seconds:.0f} s "
              f"({r.rate:.1f} articles/s)", flush=True)
    queries = questions(limit, sample)
    rows = []
    for name, engine in (("embedded", Engine(embedded)), ("opensearch", Engine(loc))):
        for level, qrels in QRELS.items():
            e = evaluate(engine, queries, qrels, level=level)
            rows.append({"backend": name, "level": level, "queries": e.judged, "no_hit": e.no_hit,
                         **{m: round(v, 4) for m, v in e.measures.items()}, "p50_ms": round(e.p50_ms, 1),
                         "p95_ms": round(e.p95_ms, 1)})
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    return rows


def questions(limit: int = 0, sample: int = 0) -> dict[str, str]:
    """Return korquad1-dev's questions: the first limit, or a seeded sample (0: all)."""
    queries = read_queries(KORQUAD / "queries.tsv")
    if limit:
        queries = dict(itertools.islice(queries.items(), limit))
    if sample:  # questions come grouped by article: a seeded sample spreads over all 140 of them
        chosen = set(random.Random(0).sample(sorted(queries), min(sample, len(queries))))
        queries = {q: text for q, text in queries.items() if q in chosen}
    return queries


def page_latency(backends: dict[str, str | Path], texts: list[str]) -> None:
    """Print latency.py's timing of ten-hit pages (as the web page asks), one question at a time, per backend."""
    from latency import chaja_latency  # it brings Lucene-nori's bridge, which only this part needs

    print("ten-hit pages, one question at a time, after 200 untimed:", flush=True)
    for name, where in backends.items():
        print(f"  {name:11} {json.dumps(chaja_latency(where, texts, warmup=200))}", flush=True)
        if osx.location(where) is not None:
            print(f"  {'':11} requests to the cluster a question: {json.dumps(cluster_requests(where, texts))}", flush=True)


def cluster_requests(loc: str, texts: list[str]) -> dict[str, float]:
    """Return the search requests a ten-hit page sends the cluster, per question: document frequencies and the rest."""
    engine = Engine(loc)
    send, counted = engine.es.search, {"frequencies": 0, "other": 0}

    def search(*args, **kwargs):
        body = kwargs.get("body") or {}  # a frequencies request aggregates "df", or asks only the count of sections
        counted["frequencies" if "df" in body.get("aggs", {}) or "query" not in body else "other"] += 1
        return send(*args, **kwargs)

    engine.es.search = search  # the real client's call, counted on its way
    for q in texts:
        engine.search(q, size=10)
    return {kind: round(n / len(texts), 2) for kind, n in counted.items()}


def backoff_cost(loc: str, texts: list[str]) -> None:
    """Print ten-hit pages' p50/p95 on one backend with the name backoff (search/backoff.py) on and off.

    The two settings take turns question by question in one process (after 200 untimed pages), so a
    machine whose speed drifts slows both alike. On OpenSearch the backoff costs one or two more
    requests a query (the document frequencies of the question's words, then of the pieces of those
    no section holds).
    """
    from chaja.search import backoff

    engine, kinds = Engine(loc), backoff.KINDS
    for q in itertools.islice(itertools.cycle(texts), 200):
        engine.search(q, size=10)
    times: dict[str, list[float]] = {"on": [], "off": []}
    try:
        for i, q in enumerate(texts):
            for setting in (("on", "off") if i % 2 else ("off", "on")):
                backoff.KINDS = kinds if setting == "on" else frozenset()
                started = time.perf_counter()
                engine.search(q, size=10)
                times[setting].append((time.perf_counter() - started) * 1000)
    finally:
        backoff.KINDS = kinds
    print(f"name backoff on {loc}, ten-hit pages, {len(texts)} questions, the two settings taking turns:")
    for setting, ms in times.items():
        ms.sort()
        print(f"  backoff {setting:3}: p50 {ms[len(ms) // 2]:.2f} ms, p95 {ms[int(len(ms) * 0.95)]:.2f} ms, "
              f"mean {sum(ms) / len(ms):.2f} ms", flush=True)


class Progress:
    """Print the articles loaded so far once a minute."""

    def __init__(self):
        self.last = 0.0

    def __call__(self, report) -> None:
        if report.seconds - self.last >= 60:
            self.last = report.seconds
            print(f"  loaded {report.articles:,} articles in {report.seconds:.0f} s", flush=True)


def indexing(loc_base: str, n: int, processes: list[int]) -> list[dict]:
    """Time a rebuild of n kowiki articles split over 1, 2, 4 ... `--part` processes, published at the end."""
    paths = [str(p) for p in kowiki_paths(n)]
    rows = []
    for p in processes:
        loc = f"{loc_base}-{p}p"
        started = time.perf_counter()
        runs = [subprocess.Popen([CHAJA, "index", "rebuild", *paths, "--index", loc, "--part", f"{k}/{p}"],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) for k in range(1, p + 1)]
        codes = [r.wait() for r in runs]
        if any(codes):
            sys.exit(f"a part failed with {codes}")
        published = subprocess.run([CHAJA, "index", "publish", "--index", loc], capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if published.returncode:
            sys.exit(published.stderr)
        rows.append({"processes": p, "articles": n, "seconds": round(seconds, 1), "articles_per_s": round(n / seconds, 1)})
        print(json.dumps(rows[-1]), published.stdout.strip(), flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--distractors", type=int, default=0, help="kowiki articles beside korquad1-dev (default 0)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N questions (0 = all)")
    ap.add_argument("--sample", type=int, default=0, help="a seeded random sample of N questions (0 = all)")
    ap.add_argument("--index-articles", type=int, default=2000, help="kowiki articles for the indexing rate")
    ap.add_argument("--processes", default="1,2,4", help="indexer process counts to time")
    ap.add_argument("--hosts", default=None, help="a running cluster's HOST:PORT,... (default: start the test cluster)")
    ap.add_argument("--backoff-cost", action="store_true",
                    help="also time OpenSearch pages with the name backoff on and off, taking turns")
    ap.add_argument("--skip", choices=["quality", "latency", "indexing"], action="append", default=[],
                    help="leave a part out: quality (and latency), the ten-hit page latency, indexing")
    ap.add_argument("--from-index", type=Path, default=None,
                    help="an existing embedded index of korquad1-dev + distractors to measure and load (no Kiwi)")
    ap.add_argument("--no-load", action="store_true",
                    help="with --from-index and --hosts: the cluster already holds that index; measure only")
    ap.add_argument("--heap", default="384m", help="each test node's Java heap (default 384m)")
    args = ap.parse_args()

    print(time.strftime("%Y-%m-%d %H:%M:%S %z"), os.uname().sysname, os.uname().machine, f"{os.cpu_count()} CPUs")
    cluster = None
    if args.hosts is None:
        cluster_py = cluster_module()
        cluster_py.HEAP = f"-Xmx{args.heap}"
        cluster_py.JIT.clear()  # latency is timed: the JVM's optimising compiler, as in production
        cluster = cluster_py.start(Path(tempfile.mkdtemp(prefix="chaja-bench-opensearch-")), nodes=3)
        args.hosts = ",".join(cluster.hosts)
    try:
        name = (f"bench-{re.sub(r'[^a-z0-9_.-]', '-', args.from_index.name.lower())}" if args.from_index
                else f"bench-kq{args.distractors}")
        loc = f"opensearch://{args.hosts}/{name}"
        if "quality" not in args.skip:
            rows = quality(loc, args.distractors, args.limit, args.from_index, load=not args.no_load,
                           sample=args.sample)
            print(f"\n{'backend':11} {'level':8} {'nDCG@10':>8} {'R@100':>7} {'MRR@10':>7} {'no-hit':>6} {'p50 ms':>7} {'p95 ms':>7}")
            for r in rows:
                print(f"{r['backend']:11} {r['level']:8} {r['nDCG@10']:8.4f} {r['R@100']:7.4f} {r['RR@10']:7.4f}"
                      f" {r['no_hit']:6d} {r['p50_ms']:7.1f} {r['p95_ms']:7.1f}")
        # without the quality part, the cluster must already hold the index given by --from-index
        if "latency" not in args.skip and ("quality" not in args.skip or args.from_index):
            embedded = args.from_index or BENCH_DIR / f"embedded-kq+{args.distractors}"
            page_latency({"embedded": embedded, "opensearch": loc}, list(questions(args.limit, args.sample).values()))
        if args.backoff_cost:
            backoff_cost(loc, list(questions(args.limit, args.sample).values()))
        if "indexing" not in args.skip:
            rows = indexing(f"opensearch://{args.hosts}/bench-index", args.index_articles,
                            [int(p) for p in args.processes.split(",")])
            print(f"\n{'processes':>9} {'articles':>8} {'seconds':>8} {'articles/s':>10}")
            for r in rows:
                print(f"{r['processes']:9d} {r['articles']:8d} {r['seconds']:8.1f} {r['articles_per_s']:10.1f}")
    finally:
        if cluster is not None:
            cluster_py.stop(cluster)


if __name__ == "__main__":
    main()
