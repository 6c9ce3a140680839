"""Scale: build, open, serve and query indexes of 60,000 to 240,000 articles, beside Lucene-nori.

Each size N holds korquad1-dev plus N kowiki-volume articles; beyond kowiki-volume's 60,000 the
same articles come again under new ids ("again<k>/<id>"), so the vocabulary stays that of 60,000.
Indexes are built once into /tmp/chaja-bench/kq+N (the 60,000 one is latency.py's and quality.py's)
and reused; a build made here records its time and peak memory in kq+N.build.json beside it.

Per size: build seconds and peak RSS of the building process, index size on disk, the time to open
the index in a fresh process (Kiwi already loaded), PSS and USS (private) memory of each
`chaja serve` worker with 1, 2 and 4 workers after it answered questions (/proc/PID/smaps_rollup),
and p50/p95 of the korquad1-dev questions one Engine.search at a time, beside Lucene-nori's.
Targets (issue 12) at 240,000: p95 <= 2x nori's and <= 50 ms; private memory per worker <= 300 MB;
build peak < 4 GB.

With --replicate, the indexes beyond 60,000 are written from the 60,000 index's stored analysis
(replicate.py: the same articles and ids, through the rebuild's write pipeline, without Kiwi); their
build seconds and peak memory are then the write's alone.

Run: python tests/benchmarks/scale.py [--sizes 60000,120000,240000] [--workers 1,2,4] [--limit N] [--no-nori] [--replicate]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import nori  # noqa: E402  (pyjnius must come before anything that could start a JVM)
from latency import K, chaja_latency, summary  # noqa: E402
from nori_smoke import article_docs, read_articles  # noqa: E402
from quality import BENCH_DIR, KORQUAD, RESULTS, SHARDS, VOLUME, bench_index, kowiki, machine, print_machine  # noqa: E402

from chaja.index import store  # noqa: E402
from chaja.search.evaluate import read_queries  # noqa: E402

# `chaja serve` of the chaja this script imports (PYTHONPATH may point at another checkout to compare)
SERVE = [sys.executable, "-c", "import sys; from chaja.web.cli import main; sys.argv[0] = 'chaja'; main()", "serve"]


def again_path(k: int, n: int) -> Path:
    """Return a file of the first n kowiki articles under the ids again<k>/<id>, writing it once."""
    path = BENCH_DIR / f"kowiki-again{k}-{n}.jsonl"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            for a in kowiki(n):
                f.write(json.dumps({**a, "id": f"again{k}/{a['id']}"}, ensure_ascii=False) + "\n")
        tmp.rename(path)
    return path


def scale_paths(n: int) -> list[Path]:
    """Return the files of korquad1-dev plus n kowiki articles (repeated under new ids beyond the volume)."""
    paths = [KORQUAD / "corpus.jsonl", *SHARDS]
    k, left = 1, n - VOLUME
    while left > 0:
        paths.append(again_path(k, min(left, VOLUME)))
        k, left = k + 1, left - VOLUME
    return paths


def scale_articles(n: int):
    yield from read_articles(KORQUAD / "corpus.jsonl")
    yield from kowiki(min(n, VOLUME))
    k, left = 1, n - VOLUME
    while left > 0:
        for a in kowiki(min(left, VOLUME)):
            yield {**a, "id": f"again{k}/{a['id']}"}
        k, left = k + 1, left - VOLUME


def build(n: int, replicated: bool = False) -> tuple[Path, dict]:
    """Return the index of size n and how its build went (from kq+N.build.json, or building it now)."""
    if n <= VOLUME:
        root = BENCH_DIR / f"kq+{n}"
        record = BENCH_DIR / f"kq+{n}.build.json"
        if store.current(root) is None:
            return build_child(n, root, record, None)
        return bench_index(n), json.loads(record.read_text()) if record.exists() else _from_meta(root)
    root = BENCH_DIR / f"kq+{n}"
    record = BENCH_DIR / f"kq+{n}.build.json"
    if store.current(root) is not None:
        return root, json.loads(record.read_text()) if record.exists() else _from_meta(root)
    if replicated:
        return replicate_child(n, root, record)
    return build_child(n, root, record, [str(p) for p in scale_paths(n)])


def replicate_child(n: int, root: Path, record: Path) -> tuple[Path, dict]:
    """Write the index of size n from the 60,000 one's stored analysis (replicate.py), in a child process.

    Its seconds and peak memory are those of writing without Kiwi, not a rebuild's.
    """
    source = bench_index(VOLUME)
    print(f"  writing {root} ({n:,} kowiki articles) from {source}'s stored analysis ...", flush=True)
    return root, _measured_child([str(HERE / "replicate.py"), str(source), str(root), str(n)], record,
                                 how=f"replicated from {source}'s stored analysis (no Kiwi)")


def _from_meta(root: Path) -> dict:
    meta = store.require(root).meta()
    return {"seconds": meta.get("seconds"), "peak_mb": None, "articles": meta.get("articles")}


def build_child(n: int, root: Path, record: Path, paths: list[str] | None) -> tuple[Path, dict]:
    """Build in a child process, to measure its peak memory (ru_maxrss)."""
    paths = paths or [str(p) for p in scale_paths(n)]
    print(f"  building {root} ({n:,} kowiki articles) ...", flush=True)
    code = ("import sys, time; from chaja.index.builder import rebuild; t = time.perf_counter(); "
            "r = rebuild(sys.argv[2:], sys.argv[1]); print(r.articles, r.sections, time.perf_counter() - t)")
    return root, _measured_child(["-c", code, str(root), *paths], record)


def _measured_child(args: list[str], record: Path, how: str | None = None) -> dict:
    """Run python with args (it prints articles, sections, seconds); record those and its peak memory."""
    child = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, text=True)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        sys.exit(f"writing {record.name.removesuffix('.build.json')} failed (status {status})")
    articles, sections, seconds = out.split()
    done = {"seconds": round(float(seconds), 1), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
            "peak_mb": round(usage.ru_maxrss / 1024), "articles": int(articles),
            "sections": int(sections), "date": time.strftime("%Y-%m-%d %H:%M:%S %z"), **({"how": how} if how else {})}
    record.write_text(json.dumps(done, indent=1))
    return done


def open_seconds(root: Path) -> float:
    """Return the seconds a fresh process takes to open the index, Kiwi already loaded."""
    code = ("import sys, time; from chaja.index.analysis import kiwi_for; kiwi_for(); from chaja.search import Engine; "
            "t = time.perf_counter(); Engine(sys.argv[1]).generation; print(time.perf_counter() - t)")
    return round(float(subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True,
                                      check=True).stdout), 3)


def smaps(pid: int) -> dict[str, int]:
    """Return /proc/PID/smaps_rollup in kB."""
    out = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        out[name] = int(value.split()[0])
    return out


def children(pid: int) -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _ppid(p) == pid]


def _ppid(p: Path) -> int | None:
    try:
        return int((p / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return None


def serve_memory(root: Path, workers: int, texts: list[str], port: int = 18712) -> dict:
    """Run `chaja serve --workers N`, ask it questions, and return the PSS/USS of its master and workers (MB)."""
    server = subprocess.Popen([*SERVE, "--index", str(root), "--port", str(port), "--workers", str(workers)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(1200):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5):
                    break
            except OSError:
                time.sleep(0.1)
        for q in texts:
            with urllib.request.urlopen(f"{base}/api/search?q={quote(q)}", timeout=30) as r:
                r.read()
        pids = children(server.pid)
        rows = [smaps(p) for p in pids]
        master = smaps(server.pid)
        mb = lambda kb: round(kb / 1024, 1)  # noqa: E731
        return {"workers": workers, "master_pss_mb": mb(master["Pss"]),
                "worker_pss_mb": [mb(r["Pss"]) for r in rows],
                "worker_uss_mb": [mb(r["Private_Clean"] + r["Private_Dirty"]) for r in rows],
                # written pages only (its heap): USS also counts index file pages while only that worker maps them
                "worker_private_dirty_mb": [mb(r["Private_Dirty"]) for r in rows],
                "worker_rss_mb": [mb(r["Rss"]) for r in rows]}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)


def nori_latency(n: int, texts: list[str]) -> dict:
    with nori.NoriIndex() as ix:
        started = time.perf_counter()
        ix.add_all(article_docs(list(scale_articles(n))))
        print(f"    nori indexed {n + 140:,} articles in {time.perf_counter() - started:.0f} s; timing its questions",
              flush=True)
        ms = [nanos / 1e6 for nanos, _ in ix.search_batch(texts, k=K, warmup=1)]
    return summary(ms)


def size_on_disk(root: Path) -> int:
    return sum(p.stat().st_size for p in store.require(root).path.rglob("*") if p.is_file())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="60000,120000,240000", help="kowiki articles beside korquad1-dev")
    ap.add_argument("--workers", default="1,2,4", help="`chaja serve` worker counts to measure memory with")
    ap.add_argument("--serve-queries", type=int, default=300, help="questions sent to each server before measuring")
    ap.add_argument("--limit", type=int, default=0, help="time only the first N questions (0 = all 5,774)")
    ap.add_argument("--warmup", type=int, default=500, help="untimed chaja queries first")
    ap.add_argument("--no-nori", action="store_true", help="skip Lucene-nori")
    ap.add_argument("--replicate", action="store_true",
                    help="write indexes beyond 60,000 from the 60,000 one's stored analysis (replicate.py), not with Kiwi")
    ap.add_argument("--out", type=Path, default=RESULTS / "scale.json")
    args = ap.parse_args()
    info = machine()
    print_machine(info)
    texts = list(read_queries(KORQUAD / "queries.tsv").values())
    if args.limit:
        texts = texts[: args.limit]
    reason = "skipped with --no-nori" if args.no_nori else nori.available()
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        root, built = build(n, args.replicate)
        row = {"distractors": n, "articles": 140 + n, "index": str(root), "build": built,
               "size_mb": round(size_on_disk(root) / 2**20), "open_s": open_seconds(root)}
        print(f"  {n:,}: built {built}, {row['size_mb']:,} MB, opens in {row['open_s']} s", flush=True)
        row["serve"] = [serve_memory(root, int(w), texts[: args.serve_queries]) for w in args.workers.split(",")]
        for s in row["serve"]:
            print(f"    {s['workers']} workers: master PSS {s['master_pss_mb']} MB; worker PSS {s['worker_pss_mb']} MB, "
                  f"USS {s['worker_uss_mb']} MB, private dirty {s['worker_private_dirty_mb']} MB, RSS {s['worker_rss_mb']} MB", flush=True)
        row["chaja"] = chaja_latency(root, texts, args.warmup)
        print(f"    chaja {row['chaja']}", flush=True)
        if reason is None:
            row["nori"] = nori_latency(n, texts)
            row["p95_ratio"] = round(row["chaja"]["p95_ms"] / row["nori"]["p95_ms"], 2)
            print(f"    nori {row['nori']}; p95 ratio {row['p95_ratio']}", flush=True)
        rows.append(row)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"machine": info, "nori": reason or "ok", "queries": len(texts), "rows": rows},
                                       ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
