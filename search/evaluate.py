"""Measure search quality on judged queries: nDCG@10, R@100 and RR@10, computed by ir_measures."""

from __future__ import annotations

import os
import statistics
from dataclasses import dataclass, field

import ir_measures
from ir_measures import R, RR, nDCG

MEASURES = (nDCG @ 10, R @ 100, RR @ 10)
LEVELS = ("article", "section")


@dataclass
class EvalReport:
    """Quality and latency of one engine on one set of judged queries."""

    measures: dict[str, float]  # "nDCG@10", "R@100", "RR@10", averaged over the judged queries
    queries: int  # queries run
    judged: int  # queries run that have a judgment (the ones the measures average over)
    no_hit: int  # queries that returned nothing
    p50_ms: float
    p95_ms: float
    level: str = "article"
    k: int = 100
    run: dict[str, list[str]] = field(default_factory=dict, repr=False)  # qid -> docids, best first

    def to_json(self, run: bool = True) -> dict:
        """Return the report as JSON-ready data; run=False leaves out the ranked docids per query."""
        out = {
            "level": self.level, "k": self.k, "queries": self.queries, "judged": self.judged, "no_hit": self.no_hit,
            "measures": {m: round(v, 4) for m, v in self.measures.items()},
            "p50_ms": round(self.p50_ms, 3), "p95_ms": round(self.p95_ms, 3),
        }
        if run:
            out["run"] = self.run
        return out


def read_queries(path: str | os.PathLike) -> dict[str, str]:
    """Read a queries file of qid<TAB>query lines; raise ValueError naming the first bad line."""
    queries: dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            qid, tab, text = line.partition("\t")
            if not tab or not qid.strip() or not text.strip():
                raise ValueError(f"{path}:{lineno}: expected a query id, a tab and the query text, got {line[:60]!r}")
            if qid in queries:
                raise ValueError(f"{path}:{lineno}: query id {qid!r} appears twice; give every query its own id")
            queries[qid] = text
    if not queries:
        raise ValueError(f"{path}: no queries; write one qid<TAB>query a line")
    return queries


def read_qrels(path: str | os.PathLike) -> dict[str, dict[str, int]]:
    """Read a TREC qrels file ("qid 0 docid relevance" lines); raise ValueError naming the first bad line."""
    # Checked line by line here because ir_measures.read_trec_qrels fails without a line number.
    qrels: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 4:
                raise ValueError(f"{path}:{lineno}: expected 4 fields 'qid 0 docid relevance', got {len(parts)}")
            qid, _, docid, rel = parts
            try:
                qrels.setdefault(qid, {})[docid] = int(rel)
            except ValueError:
                raise ValueError(f"{path}:{lineno}: relevance must be a whole number, not {rel!r}") from None
    if not qrels:
        raise ValueError(f"{path}: no judgments; write one 'qid 0 docid relevance' a line")
    return qrels


def percentile(values: list[float], p: int) -> float:
    """Return the p-th percentile (1-99) of values, 0.0 for none."""
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def evaluate(engine, queries: dict[str, str], qrels_path: str | os.PathLike, level: str = "article",
             k: int = 100) -> EvalReport:
    """Run every query through engine.search and score the ranked results against the qrels."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    qrels = read_qrels(qrels_path)
    judged = {qid: qrels[qid] for qid in queries if qid in qrels}
    if not judged:
        raise ValueError(f"none of the {len(queries)} query ids has a judgment in {qrels_path}; "
                         "check that the queries and qrels files belong together")
    run: dict[str, list[str]] = {}
    took: list[float] = []
    for qid, text in queries.items():
        page = engine.search(text, size=k, group=level)  # section level: every section is a hit
        took.append(page.took_ms)
        if level == "section":
            run[qid] = [f"{hit.id}#{hit.section.index}" for hit in page.hits]
        else:
            run[qid] = [hit.id for hit in page.hits]
    # Scores from the rank, not hit.score: rounded scores tie, and ir_measures would reorder ties.
    scored = {qid: {d: float(len(docs) - i) for i, d in enumerate(docs)} for qid, docs in run.items()}
    # Queries with no hits are absent from `scored`; ir_measures counts every judged query, so they score 0.
    agg = ir_measures.calc_aggregate(MEASURES, judged, {q: s for q, s in scored.items() if s})
    return EvalReport(
        measures={str(m): float(agg[m]) for m in MEASURES}, queries=len(queries), judged=len(judged),
        no_hit=sum(1 for docs in run.values() if not docs), p50_ms=percentile(took, 50), p95_ms=percentile(took, 95),
        level=level, k=k, run=run,
    )
