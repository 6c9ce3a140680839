"""Which questions lose their section from chaja's first 100 (every section a hit) while Lucene-nori keeps it, and why.

For korquad1-dev's questions among kowiki distractors it runs chaja's section list (Engine.search,
size=100, group="section", as quality.py asks) and compares it with a saved Lucene-nori run (one text
field per section document, nori at its best; ``--save-nori FILE`` writes one, about 12 minutes at
60,000 articles). For every question whose judged section nori has in its first 100 and chaja has not,
it looks at the section and the question's clauses (the engine's parse) and names a cause, the first
that holds:

- ``short AND``: a question of up to three clauses whose section lacks one of them (not listed);
- ``no clause``: the section matches none of the clauses;
- ``unknown word``: a clause the section lacks has a term no section holds (df 0): a typo, or a word
  the question reads into morphemes the index never made;
- ``read differently``: a clause the section lacks is written in its text (the clause's terms joined
  are a substring of the title, heading or text): Kiwi read the same letters differently there;
- ``other words``: the section lacks a clause whose word it does not hold (a paraphrase);
- ``outranked``: the section has every clause and still ranks below 100.

Prints the counts and every miss (question, clauses with the section's match and each term's df,
chaja's rank up to 1,000, nori's rank), and writes them as JSON.

Run: python tests/benchmarks/recall_misses.py --index-dir DIR --nori-run FILE [--save-nori] [--half tune|test]
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from data import HALVES, KORQUAD, half_of  # noqa: E402

from chaja.index import schema  # noqa: E402
from chaja.search import Engine, scoring  # noqa: E402
from chaja.search.engine import STRICT_WORDS  # noqa: E402
from chaja.search.evaluate import read_qrels, read_queries  # noqa: E402

K = 100
DEEP = 10  # pages of K looked through for chaja's rank of a missed section


def save_nori(path: Path, n: int) -> None:
    """Write Lucene-nori's one-field section run (qid -> "article#k" ids, best first) at korquad1-dev + n."""
    import nori
    import quality

    queries = read_queries(KORQUAD / "queries.tsv")
    articles = list(quality.read_articles(KORQUAD / "corpus.jsonl")) + list(quality.kowiki(n))
    with nori.NoriIndex() as ix:
        ix.add_all(quality.one_field_section_docs(articles))
        results = ix.search_batch(list(queries.values()), k=quality.NORI_SECTIONS_K, warmup=0)
    ranked = {qid: [d for d, _ in hits] for qid, (_, hits) in zip(queries, results)}
    path.write_text(json.dumps(ranked, ensure_ascii=False), encoding="utf-8")


def terms_of(clause) -> list[str]:
    """Return every term a clause names, in each alternative."""
    if clause.any_of:
        return [t for alternative in clause.any_of for c in alternative for t in terms_of(c)]
    return list(clause.terms)


def deep_rank(engine: Engine, text: str, docid: str) -> int | None:
    """Return the 1-based rank of docid in chaja's section list, looking up to DEEP x K deep (None: deeper)."""
    for page in range(1, DEEP + 1):
        hits = engine.search(text, page=page, size=K, group="section", correct=False).hits
        for i, h in enumerate(hits):
            if f"{h.id}#{h.section.index}" == docid:
                return (page - 1) * K + i + 1
        if len(hits) < K:
            return None
    return None


def diagnose(engine: Engine, text: str, docid: str) -> dict:
    """Return the clauses of a question and how the judged section meets them, with a cause."""
    gen = engine._current()
    parsed = engine._parse(gen, text)
    article, _, k = docid.rpartition("#")
    sections = gen.sections_of(article)
    d = sections[int(k)]
    f = gen.stored_fields(d)
    written = " ".join((f[schema.TITLE], f[schema.HEADING], f[schema.TEXT]))
    clauses = []
    for c in parsed.clauses:
        ids, _ = scoring.clause_scores(gen.postings, c)
        terms = terms_of(c)
        df = {t: max(gen.postings.df(fl, t) for fl in schema.SEARCHED) for t in terms}
        joined = ["".join(c.terms)] if not c.any_of else ["".join(a.terms) for alt in c.any_of for a in alt]
        clauses.append({"terms": terms, "matched": bool(np.isin(d, ids)), "df": df,
                        "written": any(j and j in written for j in joined)})
    lacking = [c for c in clauses if not c["matched"]]
    if not lacking:
        cause = "outranked"
    elif len(lacking) == len(clauses):
        cause = "no clause"
    elif len(clauses) <= STRICT_WORDS:
        cause = "short AND"
    elif any(any(v == 0 for v in c["df"].values()) for c in lacking):
        cause = "unknown word"
    elif any(c["written"] for c in lacking):
        cause = "read differently"
    else:
        cause = "other words"
    return {"clauses": clauses, "cause": cause, "section": d}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", type=Path, required=True)
    ap.add_argument("--nori-run", type=Path, required=True, help="Lucene-nori's saved section run (JSON)")
    ap.add_argument("--save-nori", type=int, metavar="N", help="first write nori's run at korquad1-dev + N articles")
    ap.add_argument("--half", choices=HALVES)
    ap.add_argument("--out", type=Path, default=HERE / "results" / "recall_misses.json")
    args = ap.parse_args()
    if args.save_nori is not None:
        save_nori(args.nori_run, args.save_nori)
    nori_run = json.loads(args.nori_run.read_text(encoding="utf-8"))
    queries = read_queries(KORQUAD / "queries.tsv")
    if args.half:
        halves = half_of()
        queries = {q: t for q, t in queries.items() if halves.get(q) == args.half}
    qrels = read_qrels(KORQUAD / "qrels-sections.tsv")
    engine = Engine(args.index_dir)
    misses, both = [], 0
    for qid, text in queries.items():
        judged = [d for d, rel in qrels.get(qid, {}).items() if rel > 0]
        hits = engine.search(text, size=K, group="section").hits
        found = {f"{h.id}#{h.section.index}" for h in hits}
        for docid in judged:
            if docid in found:
                continue
            nori_ranked = nori_run.get(qid, [])[:K]
            if docid not in nori_ranked:
                both += 1
                continue
            miss = {"qid": qid, "question": text, "docid": docid, "nori_rank": nori_ranked.index(docid) + 1,
                    "chaja_rank": deep_rank(engine, text, docid), **diagnose(engine, text, docid)}
            misses.append(miss)
    counts = collections.Counter(m["cause"] for m in misses)
    print(f"{len(queries)} questions: {len(misses)} sections nori has in its first {K} and chaja not; "
          f"{both} neither has")
    for cause, n in counts.most_common():
        print(f"  {cause:18} {n}")
    for m in sorted(misses, key=lambda m: m["cause"]):
        print(f"\n[{m['cause']}] {m['qid']} {m['question']}  -> {m['docid']}  chaja rank {m['chaja_rank']}, "
              f"nori {m['nori_rank']}")
        for c in m["clauses"]:
            df = " ".join(f"{t}:{v}" for t, v in c["df"].items())
            print(f"    {'+' if c['matched'] else '-'}{' (written)' if c['written'] and not c['matched'] else ''} {df}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"counts": counts, "neither": both, "misses": misses}, ensure_ascii=False,
                                   indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
