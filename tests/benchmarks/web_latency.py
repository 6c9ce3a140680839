"""Web benchmark: /api/search under concurrent clients against `chaja serve`, with korquad1-dev questions.

    python tests/benchmarks/web_latency.py [--index /tmp/chaja-bench/kq+60000] [--clients 8] [--seconds 30]
                                           [--workers N] [--threads N]

Starts `chaja serve` on loopback over an existing index (by default the korquad1-dev + 60,000
kowiki articles index that quality.py and latency.py build) and drives it with wrk (Debian's
`wrk` package, written in C): --clients connections, each sending the next korquad1-dev question
as soon as its last answer arrives, for --seconds after a warm-up run. A client written in Python
would take a share of the same 2 cores and add its own interpreter-lock waits to every latency.
Prints the server config measured (--workers processes x --threads threads each; by default what
`chaja serve` starts), requests/s, latency p50/p95/p99, errors, and the CPU seconds the server
and wrk used. The issue's target: zero errors and p95 at most 3x the single-query p95 that
latency.py measured (read from results/latency.json when present). Exits 1 on any error.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import describe, start_server  # noqa: E402
from quality import BENCH_DIR, KORQUAD, RESULTS, machine, print_machine  # noqa: E402

from chaja.search.evaluate import read_queries  # noqa: E402

# wrk runs this in each of its threads: thread k walks the questions from its own starting point,
# and at the end the latencies of all threads are summed up as one line of JSON.
WRK_SCRIPT = """
local paths = {}
for line in io.lines(%(paths)s) do paths[#paths + 1] = line end
local threads = 0
function setup(thread) threads = threads + 1; thread:set("first", (threads - 1) * 997) end
function init(args) at = first end
function request() at = at + 1; return wrk.format("GET", paths[(at %% #paths) + 1]) end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %%d, "seconds": %%f, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"status": %%d, "timeout": %%d, "p50_ms": %%f, "p95_ms": %%f, "p99_ms": %%f, "max_ms": %%f}\\n',
    summary.requests, summary.duration / 1e6, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def single_query_p95() -> float | None:
    """Return latency.py's p95 at 60,000 articles, if it has been measured."""
    try:
        data = json.loads((RESULTS / "latency.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    rows = [r for r in data.get("rows", []) if r.get("articles", 0) >= 60_000]
    return rows[0]["chaja"]["p95_ms"] if rows else None


def processes(pid: int) -> list[int]:
    """Return a process's pid and its children's (gunicorn's master and workers)."""
    return [pid, *map(int, subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split())]


def resident_mb(pid: int) -> list[float]:
    """Return the resident memory of each worker process, in MB."""
    out = []
    for p in processes(pid)[1:]:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        out.extend(int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS:"))
    return out


def cpu_seconds(pid: int) -> float:
    """Return the CPU seconds a process and its children (gunicorn's workers) have used so far."""
    total = 0.0
    for p in processes(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / 100  # utime, stime in clock ticks
    return total


def wrk(base: str, script: Path, clients: int, seconds: float) -> tuple[dict, float]:
    """Run wrk; return its summary and the CPU seconds it used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)  # the server is not reaped before the end: wrk alone
    run = subprocess.run(["wrk", f"-t{max(1, min(2, clients))}", f"-c{clients}", f"-d{max(1, round(seconds))}s",
                          "--timeout", "30s", "-s", str(script), base], capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return json.loads(run.stdout.strip().splitlines()[-1]), used


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", default=str(BENCH_DIR / "kq+60000"))
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=None, help="server processes (default: one per CPU)")
    parser.add_argument("--threads", type=int, default=1, help="request threads per server process")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("this benchmark drives the server with wrk: apt-get install wrk", file=sys.stderr)
        return 2
    info = machine()
    print_machine(info)
    config = describe(args.workers, args.threads)
    print(f"server: {config}")
    questions = list(read_queries(str(KORQUAD / "queries.tsv")).values())
    work = Path(tempfile.mkdtemp(prefix="chaja-wrk-"))
    (work / "paths.txt").write_text("".join(f"/api/search?q={urllib.parse.quote(q)}&size=10\n" for q in questions),
                                    encoding="utf-8")
    script = work / "questions.lua"
    script.write_text(WRK_SCRIPT % {"paths": json.dumps(str(work / "paths.txt"))}, encoding="utf-8")
    server, base = start_server(args.index, args.workers, args.threads)
    try:
        if base is None:
            return 1
        # warm-up as concurrent as the run, until every server process says its common terms are loaded
        wrk(base, script, args.clients, 10)
        warm_in_a_row, deadline = 0, time.monotonic() + 600
        while warm_in_a_row < 20 and time.monotonic() < deadline:
            with urllib.request.urlopen(f"{base}/healthz") as r:
                warm_in_a_row = warm_in_a_row + 1 if json.load(r)["warm"] else 0
            time.sleep(0.05 if warm_in_a_row else 1)
        server_before = cpu_seconds(server.pid)
        result, wrk_cpu = wrk(base, script, args.clients, args.seconds)
        server_cpu = cpu_seconds(server.pid) - server_before
        memory = resident_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    errors = sum(result[k] for k in ("connect", "read", "write", "status", "timeout"))
    n = result["requests"]
    rps = n / result["seconds"]
    print(f"index {args.index}: {args.clients} clients (wrk), {result['seconds']:.0f} s, {config}")
    print(f"requests {n}  ({rps:.1f}/s)  errors {errors} (connect {result['connect']}, read {result['read']}, "
          f"write {result['write']}, status not 2xx/3xx {result['status']}, timeout {result['timeout']})")
    print(f"latency ms  p50 {result['p50_ms']:.1f}  p95 {result['p95_ms']:.1f}  p99 {result['p99_ms']:.1f}  "
          f"max {result['max_ms']:.1f}")
    print(f"CPU over {result['seconds']:.0f} s: server {server_cpu:.1f} s ({1000 * server_cpu / max(1, n):.2f} ms a request), "
          f"wrk {wrk_cpu:.1f} s; worker memory {', '.join(f'{m:,.0f}' for m in memory)} MB")
    single = single_query_p95()
    p95 = result["p95_ms"]
    if single:
        print(f"target p95 <= 3x single-query p95 ({single:.1f} ms): {p95 / single:.2f}x "
              f"{'PASS' if p95 <= 3 * single else 'FAIL'}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "web_latency.json").write_text(json.dumps({
        "machine": info, "index": args.index, "server": config, "clients": args.clients, "client": "wrk",
        "seconds": result["seconds"], "requests": n, "rps": rps, "errors": errors, "p50_ms": result["p50_ms"],
        "p95_ms": p95, "p99_ms": result["p99_ms"], "server_cpu_ms_per_request": 1000 * server_cpu / max(1, n),
        "wrk_cpu_seconds": wrk_cpu, "worker_rss_mb": memory, "single_query_p95_ms": single,
    }, ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
