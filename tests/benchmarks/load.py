"""Load benchmark: `chaja serve` under a burst of good and bad requests while rebuilds swap the index.

    python tests/benchmarks/load.py [--seconds 60] [--clients 16] [--swaps 3] [--corpus DIR]

Builds an index of the corpus in a temporary folder, starts `chaja serve` on loopback, and lets
--clients threads send a mix of requests to /api/search, /api/articles/<id>, / and /articles/<id>
for --seconds, while `chaja index rebuild` replaces the index --swaps times. Prints counts by
status, connection errors and latency percentiles; exits 1 on any 5xx or connection error (or if
no rebuild swapped the index), so it can gate a release.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHAJA = shutil.which("chaja") or str(Path(sys.executable).with_name("chaja"))
GOOD_QUERIES = ["반도체", "부산항", "마라톤 훈련", '"역대 최대"', "수출 -반도체", "금리 OR 환율", "title:반도체",
                "date:2024-01-01..2025-12-31 수출", "누리호 발사", "양자 컴퓨터"]
BAD_PARAMS = ["size=100000", "page=abc", "page=0", "from=2024-13-45", "sort=zzz", "size=-1"]
NOISE = '가나다라마바사 ()"-:*'  # a long query of syllables and syntax
TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def requests_for(ids: list[str], rnd: random.Random) -> str:
    """Return the path of one request, good or bad, chosen at random."""
    quote = urllib.parse.quote
    kind = rnd.random()
    if kind < 0.35:
        return f"/api/search?q={quote(rnd.choice(GOOD_QUERIES))}&size={rnd.randint(1, 20)}&sort={rnd.choice(['relevance', 'date'])}"
    if kind < 0.45:
        return f"/api/search?q={quote(rnd.choice(GOOD_QUERIES))}&{rnd.choice(BAD_PARAMS)}"
    if kind < 0.50:
        return "/api/search?q=" + quote("".join(rnd.choice(NOISE) for _ in range(3000)))
    if kind < 0.65:
        return f"/api/articles/{quote(rnd.choice(ids), safe='/')}"
    if kind < 0.70:
        return rnd.choice(["/api/articles/no-such-article", "/api/articles/..%2F..%2Fetc%2Fpasswd", "/api/nothing"])
    if kind < 0.85:
        return f"/?q={quote(rnd.choice(GOOD_QUERIES))}&page={rnd.choice(['1', '2', 'x'])}"
    if kind < 0.95:
        return f"/articles/{quote(rnd.choice(ids), safe='/')}?q={quote(rnd.choice(GOOD_QUERIES))}"
    return rnd.choice(["/", "/articles/..%2F..%2Fetc%2Fpasswd", "/healthz"])


def fetch(base: str, path: str) -> tuple[int | str, float]:
    """Return (status or error name, seconds) of one GET."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(base + path, timeout=TIMEOUT) as response:
            response.read()
            status: int | str = response.status
    except urllib.error.HTTPError as e:
        e.read()
        status = e.code
    except (urllib.error.URLError, OSError) as e:
        status = type(getattr(e, "reason", e)).__name__
    return status, time.perf_counter() - started


def server_options(workers: int | None, threads: int) -> list[str]:
    """Return the `chaja serve` options of a server config (workers None: serve's default, one per CPU)."""
    return ["--workers", str(workers or os.cpu_count() or 1), "--threads", str(threads)]


def describe(workers: int | None, threads: int) -> str:
    """Name a server config the way the reports print it."""
    kind = "sync" if threads == 1 else "gthread"
    return f"chaja serve {' '.join(server_options(workers, threads))} ({kind} workers)"


def start_server(index: str, workers: int | None = None, threads: int = 1,
                 wait: float = 120) -> tuple[subprocess.Popen, str | None]:
    """Start `chaja serve` on a free loopback port; return it and its base URL (None if it did not come up)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([CHAJA, "serve", "--index", index, "--port", str(port), *server_options(workers, threads)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + wait
    while fetch(base, "/healthz")[0] != 200:
        if time.monotonic() > deadline or server.poll() is not None:
            print("the server did not start", file=sys.stderr)
            return server, None
        time.sleep(0.2)
    return server, base


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))] if values else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--swaps", type=int, default=3, help="rebuilds that replace the index during the run")
    parser.add_argument("--corpus", default=str(REPO / "corpus"))
    parser.add_argument("--workers", type=int, default=None, help="server processes (default: one per CPU)")
    parser.add_argument("--threads", type=int, default=1, help="request threads per server process")
    args = parser.parse_args()
    print(f"server: {describe(args.workers, args.threads)}")

    work = Path(tempfile.mkdtemp(prefix="chaja-load-"))
    index = work / "index"
    subprocess.run([CHAJA, "index", "rebuild", args.corpus, "--index", str(index)], check=True,
                   stdout=subprocess.DEVNULL)
    server, base = start_server(str(index), args.workers, args.threads)
    try:
        if base is None:
            return 1
        with urllib.request.urlopen(f"{base}/api/search?q={urllib.parse.quote('기사 OR 있다 OR 했다 OR 수출')}&size=100") as r:
            ids = [hit["id"] for hit in json.load(r)["hits"]] or ["none"]
        generations = {fetch_generation(base)}

        stop = time.monotonic() + args.seconds
        statuses: Counter = Counter()
        latencies: list[float] = []
        lock = threading.Lock()

        def client(n: int) -> None:
            rnd = random.Random(n)
            while time.monotonic() < stop:
                status, seconds = fetch(base, requests_for(ids, rnd))
                with lock:
                    statuses[status] += 1
                    latencies.append(seconds)

        swaps: list[float] = []

        def rebuilder() -> None:
            for i in range(args.swaps):
                time.sleep(max(0.0, stop - time.monotonic()) / (args.swaps - i + 1))
                if time.monotonic() >= stop:
                    return
                done = subprocess.run([CHAJA, "index", "rebuild", args.corpus, "--index", str(index), "--wait", "120"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                if done.returncode != 0:
                    print(f"rebuild failed: {done.stderr.strip()}", file=sys.stderr)
                swaps.append(time.monotonic())
                time.sleep(0.5)  # the server looks for a new generation every 0.2 s
                generations.add(fetch_generation(base))

        started = time.monotonic()
        threads = [threading.Thread(target=rebuilder, daemon=True)]
        threads[0].start()
        with ThreadPoolExecutor(args.clients) as pool:
            list(pool.map(client, range(args.clients)))
        threads[0].join(timeout=180)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    total = sum(statuses.values())
    errors = {k: v for k, v in statuses.items() if isinstance(k, str)}
    server_errors = {k: v for k, v in statuses.items() if isinstance(k, int) and k >= 500}
    print(f"{total} requests in {elapsed:.1f} s from {args.clients} clients ({total / elapsed:.0f}/s); "
          f"{len(swaps)} rebuilds, {len(generations)} generations served")
    for status, count in sorted(statuses.items(), key=lambda kv: str(kv[0])):
        print(f"  {status!s:>16}  {count}")
    print(f"connection errors: {sum(errors.values())}")
    print("latency ms: " + ", ".join(f"p{p} {percentile(latencies, p) * 1000:.1f}" for p in (50, 95, 99))
          + f", max {max(latencies, default=0) * 1000:.1f}")
    if server_errors or errors:
        print("FAIL: 5xx responses or connection errors", file=sys.stderr)
        return 1
    if len(generations) < 2:
        print("FAIL: the index never swapped during the run", file=sys.stderr)
        return 1
    return 0


def fetch_generation(base: str) -> str:
    with urllib.request.urlopen(f"{base}/healthz", timeout=TIMEOUT) as r:
        return json.load(r)["generation"]


if __name__ == "__main__":
    sys.exit(main())
