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


HALVES = ("tune", "test")


def half_of(qrels_path: Path = KORQUAD / "qrels.tsv") -> dict[str, str]:
    """Split the judged questions into two halves by article: qid -> "tune" or "test".

    Whole articles go to one half, so no paragraph's questions are tuned on and then reported;
    articles are taken in id order, each into the half with fewer questions so far (2,887 each
    on korquad1-dev), which is deterministic and balanced.
    """
    by_article: dict[str, list[str]] = {}
    with open(qrels_path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                qid, _, article, _ = line.split()
                by_article.setdefault(article, []).append(qid)
    out: dict[str, str] = {}
    sizes = dict.fromkeys(HALVES, 0)
    for article in sorted(by_article):
        half = min(HALVES, key=lambda h: sizes[h])
        sizes[half] += len(by_article[article])
        out.update(dict.fromkeys(by_article[article], half))
    return out
