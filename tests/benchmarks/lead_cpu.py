"""CPU time of Engine.search with and without search/context.py's lead boost (or search/proximity.py, search/backoff.py,
search/grams.py, or questions read word by word), on the same questions; or of two indexes of the same articles.

The machine is shared, so wall-clock times are noise: this times each question's search in CPU
seconds of this process (time.process_time), the two settings interleaved question by question
(the order alternating), after one warm-up pass, and prints p50/p95 of each. --compare query reads
each question in context and word by word (Engine.query_by_word, chaja.index.wordcache), and also
times the parsing alone.

Run: python tests/benchmarks/lead_cpu.py --index-dir DIR [--limit N] [--size 10] [--compare lead|proximity|backoff|grams|query]
     [--serve-kiwi] [--other-index DIR2]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from data import KORQUAD  # noqa: E402

from chaja.index import analysis  # noqa: E402
from chaja.search import Engine, backoff, context, grams, proximity  # noqa: E402
from chaja.search.evaluate import read_queries  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", type=Path, required=True)
    ap.add_argument("--limit", type=int, default=500)
    ap.add_argument("--size", type=int, default=10)
    ap.add_argument("--compare", choices=("lead", "proximity", "backoff", "grams", "query"), default="lead",
                    help="lead: without and with the lead boost; proximity: without and with proximity (lead boost on); "
                         "backoff: without and with search/backoff.py's alternatives; "
                         "grams: without and with search/grams.py's character bigrams; "
                         "query: questions read in context and word by word")
    ap.add_argument("--other-index", type=Path, help="instead of a setting, compare with another index of the same "
                    "articles (e.g. rescore.py's copy with other BM25 settings)")
    ap.add_argument("--serve-kiwi", action="store_true",
                    help="load Kiwi without worker threads, as `chaja serve` does (their CPU counts in process time)")
    args = ap.parse_args()
    if args.serve_kiwi:
        analysis.set_workers(0)
    texts = list(itertools.islice(read_queries(KORQUAD / "queries.tsv").values(), args.limit))
    engine = Engine(args.index_dir)
    if args.other_index:
        return compare_indexes(texts, engine, Engine(args.other_index), args.size)
    if args.compare == "query":
        module, attribute = engine, "query_by_word"
        settings = {"questions in context": False, "questions word by word": True}
        parsing: dict[str, list[float]] = {name: [] for name in settings}
    else:
        module, attribute = {"lead": (context, "LEAD_BOOST"), "proximity": (proximity, "WEIGHT"),
                             "backoff": (backoff, "KINDS"), "grams": (grams, "WEIGHT")}[args.compare]
        default = getattr(module, attribute)
        off = {"lead": 1.0, "proximity": 0.0, "backoff": frozenset(), "grams": 0.0}[args.compare]
        show = (lambda v: ",".join(sorted(v)) or "none") if args.compare == "backoff" else (lambda v: f"{v:g}")
        settings = {f"{attribute} {show(off)} (off)": off, f"{attribute} {show(default)}": default}
    took: dict[str, list[float]] = {name: [] for name in settings}
    for text in texts[:50]:
        engine.search(text, size=args.size)
    for i, text in enumerate(texts):
        order = list(settings.items())[:: 1 if i % 2 else -1]
        for name, value in order:
            setattr(module, attribute, value)
            started = time.process_time()
            engine.search(text, size=args.size)
            took[name].append((time.process_time() - started) * 1000)
            if args.compare == "query":  # the parsing alone (Kiwi and the query's clauses), as search parses
                started = time.process_time()
                engine._parse(engine._current(), text)
                parsing[name].append((time.process_time() - started) * 1000)
    rows = list(took.items()) + ([(f"{name}, parse only", ms) for name, ms in parsing.items()]
                                 if args.compare == "query" else [])
    for name, ms in rows:
        q = statistics.quantiles(ms, n=100, method="inclusive")
        print(f"{name:36} {len(ms)} questions  CPU ms p50 {q[49]:7.2f}  p95 {q[94]:7.2f}  mean {statistics.mean(ms):7.2f}")


def compare_indexes(texts: list[str], engine: Engine, other: Engine, size: int) -> None:
    """Print CPU ms of Engine.search on two indexes, interleaved question by question (the order alternating)."""
    engines = {str(engine.root): engine, str(other.root): other}
    took: dict[str, list[float]] = {name: [] for name in engines}
    for e in engines.values():
        for text in texts[:50]:
            e.search(text, size=size)
    for i, text in enumerate(texts):
        for name, e in list(engines.items())[:: 1 if i % 2 else -1]:
            started = time.process_time()
            e.search(text, size=size)
            took[name].append((time.process_time() - started) * 1000)
    for name, ms in took.items():
        q = statistics.quantiles(ms, n=100, method="inclusive")
        print(f"{name:36} {len(ms)} questions  CPU ms p50 {q[49]:7.2f}  p95 {q[94]:7.2f}  mean {statistics.mean(ms):7.2f}")


if __name__ == "__main__":
    main()
