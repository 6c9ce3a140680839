"""Indexing throughput and peak memory on the first N kowiki-volume articles: chaja, Lucene-nori, bare Kiwi.

Each build runs in its own child process, so its peak memory (getrusage ru_maxrss) is its own:
- chaja: chaja.index.builder.rebuild of the articles into a fresh index (seconds as rebuild reports them);
- chaja word cache (with --word-cache): the same rebuild with word_cache=True (chaja.index.wordcache);
- Lucene-nori: NoriIndex.add_all, one doc per article (seconds measured in Java, incl. commit; one indexing thread);
- Kiwi: Kiwi(num_workers=all cores).tokenize(the titles, headings and section texts), nothing else.
Targets from the issues: chaja >= 1.0x Lucene-nori articles/s at 10,000; chaja peak memory < 4 GB at 60,000;
chaja >= 90% of bare Kiwi's articles/s. Each child also reports the CPU seconds of its work (every thread), which
compare where wall seconds do not: on a shared machine, or to tell CPU cost from idle cores.

Run: python tests/benchmarks/indexing.py [--sizes 1000,10000,60000] [--keep] [--word-cache]
     python tests/benchmarks/indexing.py --sizes 2000 --alternate 3   (bare Kiwi and the rebuild, taking turns)

On a machine whose speed drifts (the same build's time varied by a third here), only runs that take
turns compare: --alternate N runs bare Kiwi and the default rebuild (word cache) N times each, one after
the other, and prints the rebuild's articles/s over Kiwi's, pair by pair and on the means.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import nori  # noqa: E402  (pyjnius must come before anything that could start a JVM)
from nori_smoke import article_docs, read_articles  # noqa: E402
from quality import BENCH_DIR, RESULTS, kowiki, kowiki_paths, machine, print_machine  # noqa: E402

TARGET_RATIO = 1.0  # chaja articles/s over Lucene-nori's, at 10,000 articles
TARGET_RSS_MB = 4096  # chaja peak memory at 60,000 articles


def texts(articles: list[dict]) -> list[str]:
    """Return the texts chaja analyses: each title, then each section's heading and text."""
    out = []
    for a in articles:
        out.append(a["title"])
        for s in a["sections"]:
            out.extend((s["heading"], s["text"]))
    return out


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def cpu_seconds() -> float:
    """Return the CPU time this process has used, every thread's, user and system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(kind: str, paths: list[str], index: str) -> dict:
    """Do one build in this (child) process and return its figures (CPU seconds from before the work)."""
    if kind in ("chaja", "chaja-cache"):
        from chaja.index.analysis import kiwi_for

        kiwi_for()  # loaded before the clock starts, as bare Kiwi is
        from chaja.index.builder import rebuild

        cpu = cpu_seconds()
        r = rebuild(paths, index, word_cache=kind == "chaja-cache")
        return {"seconds": r.seconds, "cpu_seconds": cpu_seconds() - cpu, "articles": r.articles, "sections": r.sections, "skipped": len(r.skipped)}
    articles = [a for p in paths for a in read_articles(Path(p))]
    if kind == "nori":
        with nori.NoriIndex() as ix:
            seconds, n = ix.add_all(article_docs(articles))
        return {"seconds": seconds, "articles": n}
    from kiwipiepy import Kiwi

    kiwi = Kiwi(num_workers=os.cpu_count())
    kiwi.tokenize("찾아 워밍업")
    batch = [t for t in texts(articles) if t.strip()]
    started, cpu = time.perf_counter(), cpu_seconds()
    tokens = sum(len(toks) for toks in kiwi.tokenize(batch))
    return {"seconds": time.perf_counter() - started, "cpu_seconds": cpu_seconds() - cpu, "articles": len(articles),
            "tokens": tokens}


def run_child(kind: str, paths: list[Path], index: Path) -> dict:
    """Run one build in a child process; return its figures with its peak memory and wall time."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--child", kind, "--index", str(index), *map(str, paths)],
                          stdout=subprocess.PIPE, text=True)
    if proc.returncode:
        raise SystemExit(f"{kind} build failed (exit {proc.returncode}); its error is printed above")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["wall_seconds"] = time.perf_counter() - started
    return out


def bench(n: int, use_nori: bool, keep: bool, word_cache: bool = False) -> dict:
    """Measure chaja, Lucene-nori and Kiwi on the first n kowiki articles."""
    paths = kowiki_paths(n)
    articles = list(kowiki(n))
    mb = sum(len(t.encode("utf-8")) for t in texts(articles)) / 1e6
    row = {"articles": len(articles), "text_mb": round(mb, 2)}
    del articles
    index = BENCH_DIR / f"index-kowiki-{n}" if keep else Path(tempfile.mkdtemp(prefix="chaja-idx-", dir=BENCH_DIR))
    shutil.rmtree(index, ignore_errors=True)
    kinds = ["chaja", "kiwi"] + (["chaja-cache"] if word_cache else []) + (["nori"] if use_nori else [])
    for kind in kinds:
        shutil.rmtree(index, ignore_errors=True)  # each chaja build starts from nothing
        print(f"  {n:,} articles: {kind} ...", flush=True)
        where = index.with_name(index.name + "-cache") if keep and kind == "chaja-cache" else index
        r = run_child(kind, paths, where)
        row[kind] = {"seconds": round(r["seconds"], 2), "wall_seconds": round(r["wall_seconds"], 2),
                     "articles_per_s": round(r["articles"] / r["seconds"], 1),
                     "mb_per_s": round(mb / r["seconds"], 3), "peak_mb": round(r["peak_mb"]),
                     "cpu_seconds": round(r["cpu_seconds"], 2) if "cpu_seconds" in r else None}
        if kind.startswith("chaja"):
            row[kind]["sections"] = r["sections"]
    if not keep:
        shutil.rmtree(index, ignore_errors=True)
    # On a shared machine wall seconds mislead; the CPU the same articles cost compares anyway.
    row["kiwi_cpu_over_chaja_cpu"] = round(row["kiwi"]["cpu_seconds"] / row["chaja"]["cpu_seconds"], 3)
    row["chaja_over_kiwi"] = round(row["chaja"]["articles_per_s"] / row["kiwi"]["articles_per_s"], 3)
    if word_cache:
        row["kiwi_cpu_over_cache_cpu"] = round(row["kiwi"]["cpu_seconds"] / row["chaja-cache"]["cpu_seconds"], 3)
        row["cache_over_kiwi"] = round(row["chaja-cache"]["articles_per_s"] / row["kiwi"]["articles_per_s"], 3)
    if use_nori:
        row["chaja_over_nori"] = round(row["chaja"]["articles_per_s"] / row["nori"]["articles_per_s"], 3)
    return row


def alternate(n: int, rounds: int) -> dict:
    """Run bare Kiwi and the word-cache rebuild on the first n kowiki articles, taking turns, rounds times."""
    paths = kowiki_paths(n)
    runs: dict[str, list[dict]] = {"kiwi": [], "chaja-cache": []}
    for i in range(rounds):
        for kind in runs:
            index = Path(tempfile.mkdtemp(prefix="chaja-idx-", dir=BENCH_DIR))
            shutil.rmtree(index)
            r = run_child(kind, paths, index)
            shutil.rmtree(index, ignore_errors=True)
            runs[kind].append({"articles_per_s": round(r["articles"] / r["seconds"], 2), "seconds": round(r["seconds"], 1),
                               "cpu_seconds": round(r["cpu_seconds"], 1), "peak_mb": round(r["peak_mb"])})
            print(f"  {n:,} articles, round {i + 1}: {kind:11} {runs[kind][-1]}", flush=True)
    pairs = [c["articles_per_s"] / k["articles_per_s"] for k, c in zip(runs["kiwi"], runs["chaja-cache"])]
    means = {kind: sum(r["articles_per_s"] for r in rs) / rounds for kind, rs in runs.items()}
    ratio = means["chaja-cache"] / means["kiwi"]
    print(f"{n:,} articles: the rebuild at {ratio:.0%} of bare Kiwi's articles/s on the means "
          f"({min(pairs):.0%}-{max(pairs):.0%} pair by pair); target 90%: {'PASS' if ratio >= 0.9 else 'FAIL'}")
    return {"articles": n, "runs": runs, "pairs": [round(p, 3) for p in pairs], "cache_over_kiwi": round(ratio, 3)}


def print_table(rows: list[dict]) -> None:
    cols = [("chaja", "chaja"), ("chaja-cache", "chaja word cache"), ("nori", "Lucene-nori"), ("kiwi", "Kiwi only")]
    print(f"{'articles':>8} {'text MB':>8} | " + " | ".join(f"{name:^33}" for k, name in cols) + " | chaja/nori")
    print(f"{'':8} {'':8} | " + " | ".join(f"{'s':>7} {'art/s':>7} {'MB/s':>6} {'peak MB':>8}" for _ in cols) + " |")
    for r in rows:
        cells = []
        for k, _ in cols:
            c = r.get(k)
            cells.append(f"{c['seconds']:7.1f} {c['articles_per_s']:7.1f} {c['mb_per_s']:6.3f} {c['peak_mb']:8,d}"
                         if c else f"{'n/a':>33}")
        ratio = f"{r['chaja_over_nori']:.2f}x" if "chaja_over_nori" in r else "n/a"
        print(f"{r['articles']:8,d} {r['text_mb']:8.1f} | " + " | ".join(cells) + f" | {ratio}")
        print(f"{'':17} chaja at {r['chaja_over_kiwi']:.0%} of bare Kiwi's articles/s; bare Kiwi's CPU time is "
              f"{r['kiwi_cpu_over_chaja_cpu']:.0%} of chaja's ({r['kiwi']['cpu_seconds']:.1f} s against "
              f"{r['chaja']['cpu_seconds']:.1f} s)")
        if "chaja-cache" in r:
            print(f"{'':17} chaja with the word cache at {r['cache_over_kiwi']:.0%} of bare Kiwi's articles/s; bare "
                  f"Kiwi's CPU time is {r['kiwi_cpu_over_cache_cpu']:.0%} of its ({r['chaja-cache']['cpu_seconds']:.1f} s)")


def verdicts(rows: list[dict]) -> list[str]:
    out = []
    for r in rows:
        if r["articles"] == 10_000 and "chaja_over_nori" in r:
            ok = r["chaja_over_nori"] >= TARGET_RATIO
            out.append(f"target chaja >= {TARGET_RATIO}x Lucene-nori at 10,000: {r['chaja_over_nori']:.2f}x "
                       f"{'PASS' if ok else 'FAIL'}")
        if r["articles"] == 60_000:
            ok = r["chaja"]["peak_mb"] < TARGET_RSS_MB
            out.append(f"target chaja peak < {TARGET_RSS_MB} MB at 60,000: {r['chaja']['peak_mb']:,} MB "
                       f"{'PASS' if ok else 'FAIL'}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,60000", help="comma-separated article counts (default %(default)s)")
    ap.add_argument("--no-nori", action="store_true", help="skip Lucene-nori")
    ap.add_argument("--keep", action="store_true", help=f"keep the chaja indexes as {BENCH_DIR}/index-kowiki-N "
                    "(-cache: with the word cache)")
    ap.add_argument("--out", type=Path, help=f"JSON file to write (default {RESULTS / 'indexing.json'}, with "
                    "--alternate indexing-alternated.json)")
    ap.add_argument("--word-cache", action="store_true", help="also rebuild with the analysis cache (word_cache=True)")
    ap.add_argument("--alternate", type=int, metavar="N", help="only bare Kiwi and the rebuild, taking turns N times")
    ap.add_argument("--child", choices=("chaja", "chaja-cache", "nori", "kiwi"), help=argparse.SUPPRESS)
    ap.add_argument("--index", help=argparse.SUPPRESS)
    ap.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        out = child(args.child, args.paths, args.index)
        print(json.dumps({**out, "peak_mb": peak_mb()}))
        return

    info = machine()
    print_machine(info)
    sizes = [int(s) for s in args.sizes.split(",")]
    reason = "skipped with --no-nori" if args.no_nori else nori.available()
    if reason:
        print(f"Lucene-nori: not available ({reason})")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if args.alternate:
        out = [alternate(n, args.alternate) for n in sizes]
        args.out = args.out or RESULTS / "indexing-alternated.json"
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"machine": info, "alternated": out}, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"wrote {args.out}")
        return
    rows = []
    for n in sizes:
        rows.append(bench(n, reason is None, args.keep, args.word_cache))
    print_table(rows)
    for line in verdicts(rows):
        print(line)
    args.out = args.out or RESULTS / "indexing.json"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": info, "nori": reason or "ok", "rows": rows, "verdicts": verdicts(rows)},
                                   ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
