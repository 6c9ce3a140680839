"""Web benchmark: /api/search under concurrent clients against `chaja serve`, with korquad1-dev questions.

    python tests/benchmarks/web_latency.py [--index /tmp/chaja-bench/kq+60000] [--clients 8] [--seconds 30]
                                           [--workers N] [--threads N]

Starts `chaja serve` on loopback over an existing index (by default the korquad1-dev + 60,000
kowiki articles index that quality.py and latency.py build), lets --clients threads send
/api/search requests with the korquad1-dev questions for --seconds after a warm-up pass, and prints
the server config measured (--workers processes x --threads threads each; by default what
`chaja serve` starts), requests/s, latency p50/p95/p99 and errors. The issue's target: zero errors
and p95 at most 3x the single-query p95 that latency.py measured (read from results/latency.json
when present). Exits 1 on any error.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import describe, fetch, percentile, start_server  # noqa: E402
from quality import BENCH_DIR, KORQUAD, RESULTS, machine, print_machine  # noqa: E402

from chaja.search.evaluate import read_queries  # noqa: E402


def single_query_p95() -> float | None:
    """Return latency.py's p95 at 60,000 articles, if it has been measured."""
    try:
        data = json.loads((RESULTS / "latency.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    rows = [r for r in data.get("rows", []) if r.get("articles", 0) >= 60_000]
    return rows[0]["chaja"]["p95_ms"] if rows else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", default=str(BENCH_DIR / "kq+60000"))
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=None, help="server processes (default: one per CPU)")
    parser.add_argument("--threads", type=int, default=1, help="request threads per server process")
    args = parser.parse_args()
    info = machine()
    print_machine(info)
    config = describe(args.workers, args.threads)
    print(f"server: {config}")
    questions = list(read_queries(str(KORQUAD / "queries.tsv")).values())
    paths = [f"/api/search?q={urllib.parse.quote(q)}&size=10" for q in questions]
    server, base = start_server(args.index, args.workers, args.threads)
    try:
        if base is None:
            return 1
        # warm-up, as concurrent as the run, so every server process and thread opens its searcher and caches postings,
        # until every process says its common terms are loaded (/healthz "warm")
        with ThreadPoolExecutor(args.clients) as pool:
            list(pool.map(lambda path: fetch(base, path), paths[:300]))
        warm_in_a_row, deadline = 0, time.monotonic() + 600
        while warm_in_a_row < 20 and time.monotonic() < deadline:
            with urllib.request.urlopen(f"{base}/healthz") as r:
                warm_in_a_row = warm_in_a_row + 1 if json.load(r)["warm"] else 0
            time.sleep(0.05 if warm_in_a_row else 1)
        statuses: Counter = Counter()
        latencies: list[float] = []
        lock = threading.Lock()
        stop = time.monotonic() + args.seconds

        def client(n: int) -> None:
            i = n
            while time.monotonic() < stop:
                status, seconds = fetch(base, paths[i % len(paths)])
                i += args.clients
                with lock:
                    statuses[status] += 1
                    latencies.append(seconds * 1000)

        started = time.monotonic()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    errors = sum(n for s, n in statuses.items() if s != 200)
    p50, p95, p99 = (percentile(latencies, p) for p in (50, 95, 99))
    print(f"index {args.index}: {args.clients} clients, {elapsed:.0f} s, {config}")
    print(f"requests {len(latencies)}  ({len(latencies) / elapsed:.1f}/s)  statuses {dict(statuses)}")
    print(f"latency ms  p50 {p50:.1f}  p95 {p95:.1f}  p99 {p99:.1f}")
    single = single_query_p95()
    if single:
        print(f"target p95 <= 3x single-query p95 ({single:.1f} ms): {p95 / single:.2f}x {'PASS' if p95 <= 3 * single else 'FAIL'}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "web_latency.json").write_text(json.dumps({
        "machine": info, "index": args.index, "server": config, "clients": args.clients, "seconds": elapsed,
        "requests": len(latencies), "rps": len(latencies) / elapsed, "statuses": {str(k): v for k, v in statuses.items()},
        "p50_ms": p50, "p95_ms": p95, "p99_ms": p99, "single_query_p95_ms": single,
    }, ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
