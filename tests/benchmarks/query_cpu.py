"""CPU time of Engine.search per korquad1-dev question, a cProfile of the slow tail, and the pages for comparison.

CPU time (time.process_time) rather than wall-clock, because on a shared machine other jobs
stretch wall times. The same questions each run: --skip N untimed warm-up questions, then the
next --limit questions timed one at a time. With --profile, the slowest 5% of them (by CPU time)
run again under cProfile and the top functions print. With --pages FILE every page is written as
one JSON line (hit ids, sections, order, scores, total, snippets and marks, facets), so that two
versions of the engine can be compared exactly (--compare A B).

Run: python tests/benchmarks/query_cpu.py --index-dir /tmp/chaja-bench/kq+60000 [--skip 200] [--limit 1000]
     [--profile] [--pages out.jsonl [--variants]]
     python tests/benchmarks/query_cpu.py --compare before.jsonl after.jsonl
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import json
import pstats
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from data import KORQUAD  # noqa: E402

from chaja.search import Engine  # noqa: E402
from chaja.search.evaluate import percentile, read_queries  # noqa: E402
from chaja.web.server import tune_gc  # noqa: E402

K = 10


def page_record(q: str, page) -> dict:
    """Return everything a result page shows, as plain JSON values (took_ms left out: it is a time)."""
    record = dataclasses.asdict(page)
    record.pop("took_ms", None)
    record["q"] = q
    return record


def variants(q: str) -> list[tuple[str, dict]]:
    """Return other requests made of a question, for comparing the paths a question alone does not take."""
    words = q.split()
    return [(" ".join(words[:2]), {}), (" ".join(words[:3]), {"sort": "date"}), (q, {"source": "wikipedia"}),
            (q, {"group": "section", "page": 2}), (" ".join(words[:3]) + " -" + words[-1], {}),
            (" ".join(words[:2]), {"date_from": "2000-01-01"})]


def run(engine: Engine, texts: list[str], pages: Path | None, more: bool = False) -> list[float]:
    """Search each text once; return the CPU milliseconds of each, writing the pages if asked.

    With more, every fifth text's variants() are searched too (written, not timed).
    """
    out = open(pages, "w", encoding="utf-8") if pages else None
    ms = []
    for i, q in enumerate(texts):
        t0 = time.process_time()
        page = engine.search(q, size=K)
        ms.append((time.process_time() - t0) * 1000)
        if out:
            out.write(json.dumps(page_record(q, page), ensure_ascii=False, sort_keys=True) + "\n")
            for text, options in variants(q) if more and i % 5 == 0 else ():
                record = page_record(text, engine.search(text, size=K, **options)) | {"options": options}
                out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    if out:
        out.close()
    return ms


def compare(a: Path, b: Path) -> int:
    """Print how many pages differ between two --pages files (and the first few differences); return that count."""
    left = a.read_text(encoding="utf-8").splitlines()
    right = b.read_text(encoding="utf-8").splitlines()
    if len(left) != len(right):
        print(f"{a} has {len(left)} pages, {b} has {len(right)}")
    differ = 0
    for i, (x, y) in enumerate(zip(left, right)):
        if x != y:
            differ += 1
            if differ <= 5:
                px, py = json.loads(x), json.loads(y)
                keys = [k for k in px if px[k] != py.get(k)]
                print(f"page {i} ({px['q']!r}) differs in {keys}")
    print(f"{min(len(left), len(right))} pages compared, {differ} differ")
    return differ


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", type=Path)
    ap.add_argument("--skip", type=int, default=200, help="untimed warm-up questions first (default %(default)s)")
    ap.add_argument("--limit", type=int, default=1000, help="questions timed after them (default %(default)s)")
    ap.add_argument("--profile", action="store_true", help="profile the slowest 5%% again under cProfile")
    ap.add_argument("--pages", type=Path, help="write every timed page as a JSON line here")
    ap.add_argument("--variants", action="store_true",
                    help="with --pages, also write variants of every fifth question (keywords, filters, sort, group)")
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"), help="compare two --pages files")
    args = ap.parse_args()
    if args.compare:
        sys.exit(1 if compare(*args.compare) else 0)
    if not args.index_dir:
        ap.error("--index-dir is needed")
    texts = list(read_queries(KORQUAD / "queries.tsv").values())
    warm, timed = texts[: args.skip], texts[args.skip : args.skip + args.limit]
    engine = Engine(args.index_dir)
    engine.warm()
    tune_gc()
    run(engine, warm, None)
    ms = run(engine, timed, args.pages, args.variants)
    print(f"{len(ms)} questions (after {len(warm)} warm-up): CPU ms per query p50 {percentile(ms, 50):.2f}  "
          f"p95 {percentile(ms, 95):.2f}  p99 {percentile(ms, 99):.2f}  mean {sum(ms) / len(ms):.2f}")
    if args.profile:
        cut = percentile(ms, 95)
        slow = [q for q, m in zip(timed, ms) if m >= cut]
        words = sorted(len(q.split()) for q in slow)
        print(f"slowest {len(slow)} (>= {cut:.1f} ms): median {words[len(words) // 2]} words; "
              f"all timed: median {sorted(len(q.split()) for q in timed)[len(timed) // 2]} words")
        profile = cProfile.Profile()
        profile.enable()
        run(engine, slow, None)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
