"""Search quality on korquad1-dev, alone or among kowiki-volume distractors: chaja beside Lucene-nori.

Measures nDCG@10, R@100 and MRR@10 (ir_measures) at article level (qrels.tsv) and section level
(qrels-sections.tsv), the latter in two views:

- ``section``: every section is a hit of its own (``chaja eval --level section``);
- ``best-section``: one hit per article, named by its best section, as /api/search returns them
  (judged against the section qrels).

Each chaja row is followed by the same run scored on the short queries alone (``<=3w``: at most
STRICT_WORDS words as the engine counts them, its clauses), the ones a strict AND would cut.

chaja is asked exactly as the web asks (Engine.search, size=100, through chaja.search.evaluate).
Lucene-nori (KoreanAnalyzer, BM25 1.2/0.75) indexes one doc per article and, separately, one doc
per section, the latter in two configurations: the section's title in a field of its own, queried
across both fields (``title+text``), and nori at its best, one text field per section document
holding title, heading and text, queried as Elasticsearch's ``match`` does (``one field``). Its
best-section view is its section list cut to the first (best) section of each article.

``--half tune|test`` keeps one half of the questions (whole articles in each, tests/benchmarks/data.py):
ranking settings are tuned on ``tune`` and reported on ``test``.

Run: python tests/benchmarks/quality.py [--distractors N] [--index-dir DIR] [--half tune|test] [--weights title=2,heading=1.5,text=1 ...]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import nori  # noqa: E402  (pyjnius must come before anything that could start a JVM)
from data import BENCH_DIR, HALVES, KORQUAD, SHARDS, VOLUME, half_of, kowiki_paths  # noqa: E402  (others import them from here too)
from nori_smoke import article_docs, read_articles, section_docs  # noqa: E402

import ir_measures  # noqa: E402

from chaja.index import store  # noqa: E402
from chaja.index.builder import rebuild  # noqa: E402
from chaja.search import Engine, context, proximity, scoring  # noqa: E402
from chaja.search.engine import STRICT_WORDS  # noqa: E402
from chaja.search.evaluate import MEASURES, evaluate, read_qrels, read_queries  # noqa: E402

RESULTS = HERE / "results"
QRELS = {"article": KORQUAD / "qrels.tsv", "section": KORQUAD / "qrels-sections.tsv"}
NAMES = {"nDCG@10": "nDCG@10", "R@100": "R@100", "RR@10": "MRR@10"}


def code_version() -> str:
    """Return which chaja code is measured: $CHAJA_BENCH_COMMIT, else `git describe` of its source tree."""
    if os.environ.get("CHAJA_BENCH_COMMIT"):
        return os.environ["CHAJA_BENCH_COMMIT"]
    src = Path(sys.modules["chaja.search"].__file__).resolve().parents[1]
    git = subprocess.run(["git", "-C", str(src), "describe", "--always", "--dirty"], capture_output=True, text=True)
    return git.stdout.strip() if git.returncode == 0 else f"{src} (not a git tree)"


def machine() -> dict:
    """Return when and where this benchmark ran, and on which code."""
    return {"date": time.strftime("%Y-%m-%d %H:%M:%S %z"), "platform": platform.platform(),
            "python": platform.python_version(), "cpus": os.cpu_count(), "processor": platform.processor(),
            "chaja": code_version()}


def print_machine(info: dict) -> None:
    print(f"{info['date']}  {info['platform']}  Python {info['python']}  {info['cpus']} CPUs  chaja {info['chaja']}")


def kowiki(n: int) -> Iterator[dict]:
    """Yield the first n kowiki-volume articles (the shards in order)."""
    return itertools.islice(itertools.chain.from_iterable(read_articles(p) for p in SHARDS), n)


def bench_index(n: int, index_dir: Path | None = None, word_cache: bool = False) -> Path:
    """Return a chaja index of korquad1-dev plus the first n kowiki articles, building it if it is missing.

    With word_cache it is built with the analysis cache (chaja.index.wordcache); an existing index
    built otherwise is refused, so a figure never belongs to the other setting.
    """
    root = index_dir or BENCH_DIR / f"kq+{n}"
    gen = store.current(root)
    if gen is not None:
        have = gen.meta().get("articles")
        if index_dir is None and have != 140 + n:
            sys.exit(f"{root} holds {have} articles, not {140 + n}; delete it or pass --index-dir")
        if bool(gen.meta().get("word_cache", False)) != word_cache:
            sys.exit(f"{root} was built {'without' if word_cache else 'with'} the word cache; "
                     f"{'leave out' if word_cache else 'pass'} --word-cache to match, or another --index-dir")
        return root
    if any(store._build_is_live(p) for p in root.glob(".build-*")):
        sys.exit(f"a build is still running in {root}; wait for it to finish (see {BENCH_DIR}/*.log)")
    print(f"building {root} (korquad1-dev + {n:,} kowiki articles{', word cache' if word_cache else ''}) ...",
          flush=True)
    cpu = time.process_time()
    shown = [0]

    def progress(report) -> None:  # a long build says how far it got, with the CPU it took so far
        if report.articles >= shown[0] + 5_000:
            shown[0] = report.articles
            print(f"  {report.articles:,} articles in {report.seconds:.0f} s, {time.process_time() - cpu:.0f} CPU s",
                  flush=True)

    r = rebuild([KORQUAD / "corpus.jsonl", *(kowiki_paths(n) if n else [])], root, word_cache=word_cache,
                progress=progress)
    print(f"built {r.articles:,} articles, {r.sections:,} sections in {r.seconds:.0f} s ({r.rate:.1f} articles/s), "
          f"{time.process_time() - cpu:.0f} CPU s (every thread)")
    return root


def parse_weights(text: str) -> dict[str, float]:
    """Parse "title=2,heading=1.5,text=1" into a WEIGHTS dict."""
    out = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        if name.strip() not in scoring.WEIGHTS or not value:
            raise argparse.ArgumentTypeError(f"write weights as title=2,heading=1.5,text=1, not {text!r}")
        out[name.strip()] = float(value)
    return out


def row(system: str, config: str, level: str, qrels: dict, run: dict[str, list[str]], queries: int,
        took: tuple[float, float] | None = None) -> dict:
    """Score a run (qid -> docids, best first) against judged qrels; one table row."""
    judged = {q: qrels[q] for q in run if q in qrels}
    # Scores from the rank: tied scores would let ir_measures reorder the list.
    scored = {q: {d: float(len(docs) - i) for i, d in enumerate(docs)} for q, docs in run.items() if docs and q in qrels}
    agg = ir_measures.calc_aggregate(MEASURES, judged, scored)
    return {"system": system, "weights": config, "level": level, "queries": len(judged),
            "no_hit": sum(1 for q in judged if not run.get(q)),
            **{NAMES[str(m)]: round(float(agg[m]), 4) for m in MEASURES},
            "p50_ms": round(took[0], 2) if took else None, "p95_ms": round(took[1], 2) if took else None}


def best_per_article(docids: list[str], k: int = 100) -> list[str]:
    """Cut a list of "article#section" ids to the first section of each article, then to k."""
    seen: set[str] = set()
    out = []
    for d in docids:
        article = d.rsplit("#", 1)[0]
        if article not in seen:
            seen.add(article)
            out.append(d)
    return out[:k]


def short_queries(engine: Engine, queries: dict[str, str]) -> set[str]:
    """Return the ids of the queries of at most STRICT_WORDS words as the engine counts them (its clauses)."""
    gen = engine._current()
    return {qid for qid, text in queries.items() if len(engine._parse(gen, text).clauses) <= STRICT_WORDS}


def short_row(full: dict, qrels: dict, run: dict[str, list[str]], short: set[str]) -> dict:
    """Score the same run on the short queries alone: a row labelled level + " <=3w"."""
    return row(full["system"], full["weights"], f"{full['level']} <={STRICT_WORDS}w", qrels,
               {q: d for q, d in run.items() if q in short}, len(short))


LEVELS = ("article", "section", "best-section")


def chaja_rows(root: Path, queries: dict[str, str], weights: dict[str, float],
               query_by_word: bool | None = None, levels: tuple[str, ...] = LEVELS) -> list[dict]:
    """Score chaja with these field weights at both levels, and in the best-section view, over all
    queries and over the short ones (at most STRICT_WORDS words). query_by_word: Engine.query_by_word."""
    scoring.WEIGHTS.clear()
    scoring.WEIGHTS.update(weights)  # read at query-parse time, so this changes ranking, not the index
    engine = Engine(root)
    engine.query_by_word = query_by_word
    short = short_queries(engine, queries)
    label = (",".join(f"{k}={v:g}" for k, v in weights.items()) + f",lead={context.LEAD_BOOST:g}"
             + f",prox={proximity.WEIGHT:g}")
    rows = []
    for level, qrels in ((level, qrels) for level, qrels in QRELS.items() if level in levels):
        r = evaluate(engine, queries, qrels, level=level)
        rows.append({"system": "chaja", "weights": label, "level": level, "queries": r.judged, "no_hit": r.no_hit,
                     **{NAMES[m]: round(v, 4) for m, v in r.measures.items()},
                     "p50_ms": round(r.p50_ms, 2), "p95_ms": round(r.p95_ms, 2)})
        rows.append(short_row(rows[-1], read_qrels(qrels), r.run, short))
    # One hit per article named by its best section: the list /api/search returns.
    if "best-section" not in levels:
        return rows
    best = {qid: [f"{h.id}#{h.section.index}" for h in engine.search(text, size=100).hits]
            for qid, text in queries.items()}
    rows.append(row("chaja", label, "best-section", read_qrels(QRELS["section"]), best, len(queries)))
    rows.append(short_row(rows[-1], read_qrels(QRELS["section"]), best, short))
    return rows


def one_field_section_docs(articles: list[dict]) -> list[tuple[str, str, str]]:
    """Return one ("id#k", "", title, heading and text) per section: nori's best configuration."""
    return [(f"{a['id']}#{k}", "", f"{a['title']}\n{s['heading']}\n{s['text']}")
            for a in articles for k, s in enumerate(a["sections"])]


# Nori's section list is cut to one section per article for the best-section view: ask for enough
# sections that 100 articles remain (korquad1-dev articles have 7 sections on average).
NORI_SECTIONS_K = 1_000


def nori_rows(articles: list[dict], queries: dict[str, str]) -> list[dict]:
    """Score Lucene-nori with one doc per article, then one doc per section in two configurations."""
    rows = []
    qids, texts = list(queries), list(queries.values())
    configs = (("BM25 1.2/0.75", "article", article_docs, 100),
               ("BM25, sections title+text", "section", section_docs, NORI_SECTIONS_K),
               ("BM25, sections one field", "section", one_field_section_docs, NORI_SECTIONS_K))
    for config, level, docs, k in configs:
        qrels = read_qrels(QRELS[level])
        with nori.NoriIndex() as ix:
            ix.add_all(docs(articles))
            results = ix.search_batch(texts, k=k, warmup=0)
        ranked = {qid: [d for d, _ in hits] for qid, (_, hits) in zip(qids, results)}
        rows.append(row("Lucene-nori", config, level, qrels, {q: d[:100] for q, d in ranked.items()}, len(qids)))
        if level == "section":
            rows.append(row("Lucene-nori", config, "best-section", qrels,
                            {q: best_per_article(d) for q, d in ranked.items()}, len(qids)))
    return rows


def print_table(rows: list[dict]) -> None:
    print(f"{'system':12} {'weights':32} {'level':17} {'queries':>7} {'nDCG@10':>8} {'R@100':>7} {'MRR@10':>7}"
          f" {'no-hit':>6} {'p50 ms':>7} {'p95 ms':>7}")
    for r in rows:
        ms = "".join(f" {r[k]:7.1f}" if r[k] is not None else f" {'-':>7}" for k in ("p50_ms", "p95_ms"))
        print(f"{r['system']:12} {r['weights']:32} {r['level']:17} {r['queries']:7d} {r['nDCG@10']:8.4f}"
              f" {r['R@100']:7.4f} {r['MRR@10']:7.4f} {r['no_hit']:6d}{ms}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--distractors", type=int, default=VOLUME, help="kowiki-volume articles indexed beside "
                    f"korquad1-dev (0 = none; default all {VOLUME:,})")
    ap.add_argument("--index-dir", type=Path, help=f"chaja index to reuse (default {BENCH_DIR}/kq+N, built if missing)")
    ap.add_argument("--weights", type=parse_weights, action="append", help="field weights to try, repeatable "
                    "(default: the WEIGHTS in search/scoring.py)")
    ap.add_argument("--lead-boost", type=float, help="multiply leads' scores by this instead of "
                    f"search/context.py's LEAD_BOOST ({context.LEAD_BOOST:g}; 1 = no lead boost)")
    ap.add_argument("--proximity", type=float, help="weight of search/proximity.py's window cover instead of "
                    f"its WEIGHT ({proximity.WEIGHT:g}; 0 = no proximity)")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N queries (0 = all)")
    ap.add_argument("--short", action="store_true", help=f"use only the queries of at most {STRICT_WORDS} words "
                    "(the engine's clauses), the ones partial matches change")
    ap.add_argument("--half", choices=HALVES, help="use only one half of the questions (whole articles, "
                    "data.half_of): tune ranking settings on one, report the other")
    ap.add_argument("--no-nori", action="store_true", help="skip Lucene-nori")
    ap.add_argument("--word-cache", action="store_true", help="build (or require) the chaja index with the analysis "
                    "cache: each distinct word of a batch analysed once (chaja.index.wordcache)")
    ap.add_argument("--queries", choices=("index", "context", "word"), default="index",
                    help="read queries as the index was analysed (default), in context, or word by word")
    ap.add_argument("--levels", default=",".join(LEVELS), help="chaja levels to score (default %(default)s); "
                    "each is a pass over every query")
    ap.add_argument("--out", type=Path, default=RESULTS / "quality.json",
                    help="JSON file to update (default %(default)s)")
    args = ap.parse_args()

    if args.lead_boost is not None:
        context.LEAD_BOOST = args.lead_boost
    if args.proximity is not None:
        proximity.WEIGHT = args.proximity
    info = machine()
    print_machine(info)
    queries = read_queries(KORQUAD / "queries.tsv")
    if args.half:
        halves = half_of()
        queries = {q: text for q, text in queries.items() if halves.get(q) == args.half}
    if args.limit:
        queries = dict(itertools.islice(queries.items(), args.limit))
    n = min(args.distractors, VOLUME)
    setting = (f"korquad1-dev+{n}" + (f" {args.half}" if args.half else "") + (" short" if args.short else "")
               + (" word-cache" if args.word_cache else "")
               + (f" queries-{args.queries}" if args.queries != "index" else ""))
    root = bench_index(n, args.index_dir, args.word_cache)
    query_by_word = {"index": None, "context": False, "word": True}[args.queries]
    if args.short:
        short = short_queries(Engine(root), queries)
        queries = {q: text for q, text in queries.items() if q in short}
    print(f"quality on korquad1-dev ({len(queries):,} queries) with {n:,} kowiki-volume distractors")

    print(f"chaja index: {root} ({store.require(root).meta().get('articles'):,} articles)")
    rows = []
    for weights in args.weights or [dict(scoring.WEIGHTS)]:
        rows += chaja_rows(root, queries, weights, query_by_word, tuple(args.levels.split(",")))
    reason = None if not args.no_nori else "skipped with --no-nori"
    reason = reason or nori.available()
    if reason:
        print(f"Lucene-nori: not available ({reason})")
    else:
        rows += nori_rows(list(read_articles(KORQUAD / "corpus.jsonl")) + list(kowiki(n)), queries)
    print_table(rows)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    saved = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    saved[setting] = {"machine": info, "index": str(root), "queries": len(queries), "distractors": n,
                      "word_cache": args.word_cache, "query_analysis": args.queries,
                      "nori": reason or "ok", "rows": rows}
    args.out.write_text(json.dumps(saved, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"wrote {args.out} [{setting!r}]")


if __name__ == "__main__":
    main()
