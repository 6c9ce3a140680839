"""Print the server time of hostile long queries beside a normal one (issue 15, item 14).

Usage: python tests/benchmarks/query_work.py [INDEX]  (default: an index of corpus/ built in a temp folder)
Each query runs 5 times after one warm-up; the median of Engine.search's wall-clock time is printed,
with the number of clauses the query was read into and the result's notice.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from chaja.index.builder import rebuild
from chaja.search import Engine
from chaja.search.query import parse

REPO = Path(__file__).resolve().parents[2]
QUERIES = {
    "normal: 김장 비용": "김장 비용",
    "1,000 x 가 (no spaces)": "가" * 1000,
    "1,000 x '가 '": "가 " * 500,
    "500 x 'x OR '": "김장 OR " * 125,
    "250 x '-가 '": "-가 " * 250,
    "250 x '\"가 나\" '": '"가 나" ' * 125,
    "1,000 digits and letters": "a1 " * 333,
}


def main() -> None:
    index = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()) / "ix"
    if not index.exists():
        rebuild([REPO / "corpus"], index)
    engine = Engine(index)
    engine.warm(60)
    for name, q in QUERIES.items():
        engine.search(q)
        times = []
        for _ in range(5):
            started = time.perf_counter()
            page = engine.search(q)
            times.append((time.perf_counter() - started) * 1000)
        parsed = parse(q)
        print(f"{name:28} {statistics.median(times):8.2f} ms  clauses {len(parsed.clauses):3}  "
              f"excluded {len(parsed.excluded):3}  total {page.total:3}  notice {page.notice or page.message}")


if __name__ == "__main__":
    main()
