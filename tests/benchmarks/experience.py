"""The search experience's cost and quality: autocomplete lookups, typo correction, facets.

(a) /api/suggest's library call (Engine.suggest) on prefixes a person types on the way to the
    index's own words: syllable prefixes, an unfinished last syllable, 초성, the English layout.
(b) Typo correction on korquad1-dev questions with one vowel of one word changed: the share of
    questions whose target article is in the top 10 as typed, as the engine answers (it corrects
    only when nothing is found), and when the reader follows the suggestion; and how many of the
    unchanged, correct questions get a suggestion (a wrong correction) or a changed result.
(c) What facets and corrections add to a search: their own time inside each query, against
    the query's total, at p50/p95 (and the correction's longest): the questions, their first two words,
    and the questions of at most CORRECT_WORDS words, which are corrected even when they find something.

Run: python tests/benchmarks/experience.py [--distractors 1000] [--index DIR] [--questions N]
The default index is korquad1-dev plus the first 1,000 kowiki-volume articles, built once
under /tmp/chaja-bench/experience-kq+N. Needs ../shared/data (or $CHAJA_SHARED_DATA).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from data import BENCH_DIR, KORQUAD, kowiki_paths  # noqa: E402

from chaja.index import store  # noqa: E402
from chaja.index.builder import rebuild
from chaja.search import Engine, engine as engine_module, jamo

MEDIALS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
LATIN = {v: k for k, v in zip("qwertyuiopasdfghjklzxcvbnmQWERTOP",
                              "ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔㅁㄴㅇㄹㅎㅗㅓㅏㅣㅋㅌㅊㅍㅠㅜㅡㅃㅉㄸㄲㅆㅒㅖ")}


def bench_index(n: int) -> Path:
    """Return an index of korquad1-dev plus the first n kowiki articles, building it if missing."""
    root = BENCH_DIR / f"experience-kq+{n}"
    if store.current(root) is not None:
        return root
    paths = [KORQUAD / "corpus.jsonl", *(kowiki_paths(n) if n else [])]
    print(f"building {root} ...", flush=True)
    report = rebuild(paths, root)
    print(f"built {report.articles:,} articles in {report.seconds:.0f} s", flush=True)
    return root


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def typed_prefixes(word: str) -> list[str]:
    """Return what a person types on the way to word: syllable prefixes, unfinished syllables, 초성, layout."""
    out = []
    for k in range(1, len(word) + 1):
        out.append(word[:k])
        if k < len(word) and jamo.is_syllable(word[k]):
            out.append(word[:k] + jamo.initials(word[k]))  # the next syllable's first key
    if len(word) >= 2 and all(jamo.is_syllable(c) for c in word):
        out.append(jamo.initials(word))
        keys = jamo.keystrokes(word)
        out.append("".join(LATIN.get(c, c) for c in keys[: max(2, len(keys) // 2)]))
    return out


def measure_suggest(engine: Engine, samples: int, rng: random.Random) -> None:
    vocabulary = engine.vocabulary()
    words = [vocabulary.entry(i) for i in rng.sample(range(len(vocabulary)), min(samples, len(vocabulary)))]
    prefixes = [p for w in words for p in typed_prefixes(w[:12])]
    engine.suggest("워밍업")
    times, cpu, empty = [], [], 0
    for p in prefixes:
        started, started_cpu = time.perf_counter(), time.thread_time()
        found = engine.suggest(p, 10)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)  # without the time other processes held the core
        empty += not found
    print(f"(a) suggest: {len(prefixes):,} prefixes of {len(words):,} vocabulary entries ({len(vocabulary):,} in all): "
          f"p50 {percentile(times, 50):.3f} ms, p95 {percentile(times, 95):.3f} ms, max {max(times):.2f} ms "
          f"(CPU time p50 {percentile(cpu, 50):.3f} ms, p95 {percentile(cpu, 95):.3f} ms); {empty} without a suggestion; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def with_typo(question: str, rng: random.Random) -> str | None:
    """Return the question with one vowel of one Hangul word (not its last syllable) changed, or None."""
    words = question.split()
    choices = [i for i, w in enumerate(words) if len(w) >= 3 and all(jamo.is_syllable(c) for c in w[:-1])]
    if not choices:
        return None
    i = rng.choice(choices)
    word = words[i]
    k = rng.randrange(len(word) - 1)
    n = ord(word[k]) - 0xAC00
    vowel = n % 588 // 28
    other = rng.choice([v for v in range(len(MEDIALS)) if v != vowel])
    words[i] = word[:k] + chr(0xAC00 + n - vowel * 28 + other * 28) + word[k + 1:]
    return " ".join(words)


def targets() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for line in (KORQUAD / "qrels.tsv").read_text(encoding="utf-8").splitlines():
        qid, _, doc, rel = line.split("\t")
        if int(rel) > 0:
            out.setdefault(qid, set()).add(doc)
    return out


def top10(engine: Engine, query: str, **options) -> set[str]:
    return {h.id for h in engine.search(query, size=10, **options).hits}


def measure_typos(engine: Engine, limit: int, rng: random.Random) -> None:
    """Measure with every question corrected (the engine corrects long ones only when they find nothing)."""
    default, engine_module.CORRECT_WORDS = engine_module.CORRECT_WORDS, 1_000
    try:
        _measure_typos(engine, limit, rng)
    finally:
        engine_module.CORRECT_WORDS = default


def _measure_typos(engine: Engine, limit: int, rng: random.Random) -> None:
    qrels = targets()
    questions = [line.split("\t", 1) for line in (KORQUAD / "queries.tsv").read_text(encoding="utf-8").splitlines()]
    questions = [(qid, text) for qid, text in questions if qid in qrels][:limit]
    found = {"correct": 0, "typo as typed": 0, "typo, engine": 0, "typo, suggestion followed": 0}
    changed_correct = corrected_typos = recovered = typos = 0
    wrong = []
    for qid, text in questions:
        page = engine.search(text, size=10)
        found["correct"] += bool({h.id for h in page.hits} & qrels[qid])
        if page.suggestion is not None:
            changed_correct += 1
            wrong.append((text, page.suggestion))
        typo = with_typo(text, rng)
        if typo is None:
            continue
        typos += 1
        found["typo as typed"] += bool(top10(engine, typo, correct=False) & qrels[qid])
        auto = engine.search(typo, size=10)
        found["typo, engine"] += bool({h.id for h in auto.hits} & qrels[qid])
        corrected_typos += auto.corrected
        followed = top10(engine, auto.suggestion) if auto.suggestion else {h.id for h in auto.hits}
        found["typo, suggestion followed"] += bool(followed & qrels[qid])
        recovered += auto.suggestion == text
    n = len(questions)
    print(f"(b) typos: {n:,} korquad1-dev questions, {typos:,} with one vowel changed; target in the top 10:")
    print(f"    correct questions {found['correct'] / n:.3f}")
    for key in ("typo as typed", "typo, engine", "typo, suggestion followed"):
        print(f"    {key:26} {found[key] / typos:.3f}")
    print(f"    suggestion equals the question before the typo: {recovered / typos:.3f}; searched corrected "
          f"(nothing found as typed): {corrected_typos / typos:.3f}")
    print(f"    correct questions given a suggestion (a wrong correction): {changed_correct} of {n} = "
          f"{changed_correct / n:.2%}")
    for text, suggestion in wrong[:8]:
        print(f"      {text}  ->  {suggestion}")


def measure_query_costs(engine: Engine, limit: int) -> None:
    """Time each query, and inside it facets.count and the correction, by wrapping both (behaviour unchanged).

    The questions are longer than CORRECT_WORDS, so the engine asks for no correction unless
    nothing is found; the short queries are their first two words.
    """
    spent = {"facets": 0.0, "correction": 0.0}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started
        return wrapper

    engine_module.facets.count = timed("facets", engine_module.facets.count)
    engine._suggestion = timed("correction", engine._suggestion)
    questions = [line.split("\t", 1)[1] for line in (KORQUAD / "queries.tsv").read_text(encoding="utf-8").splitlines()]
    short = [q for q in questions if len(q.split()) <= engine_module.CORRECT_WORDS]  # corrected even when found
    for label, texts in (("questions", questions[:limit]), ("their first two words", [" ".join(q.split()[:2]) for q in questions[:limit]]),
                         (f"questions of at most {engine_module.CORRECT_WORDS} words", short)):
        _time_queries(engine, texts, spent, label)


def _time_queries(engine: Engine, texts: list[str], spent: dict, label: str) -> None:
    rows = []
    for text in texts:
        spent.update(facets=0.0, correction=0.0)
        started = time.perf_counter()
        engine.search(text, size=10)
        total = time.perf_counter() - started
        rows.append((total * 1000, spent["facets"] * 1000, spent["correction"] * 1000))
    totals = [r[0] for r in rows]
    without_facets = [r[0] - r[1] for r in rows]
    without_either = [r[0] - r[1] - r[2] for r in rows]
    p95 = percentile(totals, 95)
    print(f"(c) {len(rows):,} korquad1-dev {label}: query p50 {percentile(totals, 50):.2f} ms, p95 {p95:.2f} ms; "
          f"without facets p95 {percentile(without_facets, 95):.2f} ms (+{p95 / percentile(without_facets, 95) - 1:.1%}); "
          f"without facets and correction p95 {percentile(without_either, 95):.2f} ms; "
          f"facets alone p50 {percentile([r[1] for r in rows], 50):.3f} ms, p95 {percentile([r[1] for r in rows], 95):.3f} ms; "
          f"correction alone p50 {percentile([r[2] for r in rows], 50):.3f} ms, p95 {percentile([r[2] for r in rows], 95):.3f} ms, "
          f"max {max(r[2] for r in rows):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--distractors", type=int, default=1000, help="kowiki articles beside korquad1-dev")
    parser.add_argument("--index", type=Path, help="measure this index instead (skips (b) unless it holds korquad1-dev)")
    parser.add_argument("--questions", type=int, default=3000, help="korquad1-dev questions for (b) and (c)")
    parser.add_argument("--words", type=int, default=2000, help="vocabulary entries whose prefixes (a) types")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    root = args.index or bench_index(args.distractors)
    engine = Engine(root)
    engine.warm(600)
    meta = store.require(root).meta()
    print(f"index {root}: {meta.get('articles'):,} articles, {meta.get('sections'):,} sections")
    if engine.vocabulary() is None:
        sys.exit(f"{root} has no vocabulary; rebuild it with this chaja (`chaja index rebuild`)")
    rng = random.Random(args.seed)
    measure_suggest(engine, args.words, rng)
    measure_typos(engine, args.questions, random.Random(args.seed))
    measure_query_costs(engine, min(args.questions, 2000))


if __name__ == "__main__":
    main()
