"""Where the benchmarks' data lies, and subsets of kowiki-volume written once; no heavy imports.

../shared/data beside the checkout (or $CHAJA_SHARED_DATA); built indexes and subset files in
$CHAJA_BENCH_DIR (default /tmp/chaja-bench).
"""

from __future__ import annotations

import gzip
import itertools
import os
from pathlib import Path

DATA = Path(os.environ.get("CHAJA_SHARED_DATA") or Path(__file__).resolve().parents[3] / "shared" / "data")
KORQUAD = DATA / "korquad1-dev"
SHARDS = sorted((DATA / "kowiki-volume").glob("corpus-0*.jsonl.gz"))
VOLUME = 60_000  # articles in kowiki-volume
BENCH_DIR = Path(os.environ.get("CHAJA_BENCH_DIR", "/tmp/chaja-bench"))


def kowiki_paths(n: int) -> list[Path]:
    """Return files holding exactly the first n kowiki-volume articles, writing a subset file once."""
    if n >= VOLUME:
        return list(SHARDS)
    path = BENCH_DIR / f"kowiki-first-{n}.jsonl"
    if not path.exists():
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")  # two benchmarks may write it at once
        with open(tmp, "w", encoding="utf-8") as out:
            lines = itertools.chain.from_iterable(gzip.open(p, "rt", encoding="utf-8") for p in SHARDS)
            out.writelines(itertools.islice((line for line in lines if line.strip()), n))
        tmp.rename(path)
    return [path]
