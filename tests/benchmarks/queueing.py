"""What p95 8 clients can see on N cores, replaying measured Engine.search times through a queue.

    python tests/benchmarks/queueing.py [--index /tmp/chaja-bench/kq+60000] [--clients 8] [--cores 2,4,8]
                                        [--overhead 0,0.5,1]

Times Engine.search(q, size=10) for every korquad1-dev question in one process, as latency.py does,
then simulates --clients closed-loop clients (each sends its next question as soon as its answer
arrives, as web_latency.py's wrk does) served first come, first served by one worker per core,
each request costing its measured time plus --overhead ms (HTTP, Flask, JSON: web_latency.py's
server CPU a request minus the engine's mean). Prints, per core count and overhead, the
throughput, mean and p95 response and the ratio of that p95 to the single-query p95: the web
issue's target is at most 3x. With overhead 0 the figure is a floor for any server in front of
this engine on that many cores.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from quality import BENCH_DIR, KORQUAD, machine, print_machine  # noqa: E402

from chaja.search import Engine  # noqa: E402
from chaja.search.evaluate import percentile, read_queries  # noqa: E402
from chaja.web.server import tune_gc  # noqa: E402

REQUESTS = 40_000  # simulated requests per row


def service_times(index: Path, texts: list[str], warmup: int = 500) -> list[float]:
    """Return the ms Engine.search takes for each question, one at a time after warm-up."""
    engine = Engine(index)
    engine.warm()
    tune_gc()
    for q in itertools.islice(itertools.cycle(texts), warmup):
        engine.search(q, size=10)
    ms = []
    for q in texts:
        t0 = time.perf_counter()
        engine.search(q, size=10)
        ms.append((time.perf_counter() - t0) * 1000)
    return ms


def closed_loop(ms: list[float], clients: int, cores: int, overhead: float) -> tuple[float, list[float]]:
    """Return (requests/s, response times in ms) of clients served first come, first served on cores."""
    free = [0.0] * cores  # when each core finishes its current request
    ready = [(0.0, c) for c in range(clients)]  # when each client sends its next request
    responses: list[float] = []
    for i in range(REQUESTS):
        sent, client = heapq.heappop(ready)
        core = min(range(cores), key=free.__getitem__)
        done = max(sent, free[core]) + ms[i % len(ms)] + overhead
        free[core] = done
        responses.append(done - sent)
        heapq.heappush(ready, (done, client))
    return 1000 * REQUESTS / max(free), responses


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, default=BENCH_DIR / "kq+60000")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--cores", default="2,4,8", help="core counts to simulate (default %(default)s)")
    ap.add_argument("--overhead", default="0,0.5,1", help="ms a request costs besides Engine.search (default %(default)s)")
    args = ap.parse_args()
    print_machine(machine())
    texts = list(read_queries(KORQUAD / "queries.tsv").values())
    ms = service_times(args.index, texts)
    single = percentile(ms, 95)
    print(f"Engine.search alone on {args.index}: {len(ms):,} questions, mean {sum(ms) / len(ms):.2f} ms, "
          f"p95 {single:.2f} ms")
    print(f"{args.clients} closed-loop clients, first come first served, {REQUESTS:,} requests a row")
    print(f"{'cores':>5} {'overhead':>8} | {'req/s':>6} {'mean':>6} {'p95':>6} | p95 / single p95")
    for cores, overhead in itertools.product((int(c) for c in args.cores.split(",")),
                                             [float(o) for o in args.overhead.split(",")]):
        rate, responses = closed_loop(ms, args.clients, cores, overhead)
        p95 = percentile(responses, 95)
        print(f"{cores:5d} {overhead:6.1f}ms | {rate:6.0f} {sum(responses) / len(responses):6.1f} {p95:6.1f} | "
              f"{p95 / single:.2f}x {'(target met)' if p95 <= 3 * single else ''}")


if __name__ == "__main__":
    main()
