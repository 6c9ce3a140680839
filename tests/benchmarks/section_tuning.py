"""Tune which section a hit names: field weights, BM25 per field and a share of the article's lead, in one pass.

For each question of one half (quality.py's --half) it computes once each field's part of every
section's BM25F score (title, heading, text at weight 1, with the engine's clauses and filters), then
ranks the sections under every variant of a small grid as Engine.search ranks them (search/engine.py:
coordinated scores for questions, complete matches first for keywords, search/context.py's share of
the lead) without building hits, and scores three views like quality.py: every section a hit
(section), one hit per article named by its best section (best-section) and articles (article; unlike
Engine.search, copies of one story are not folded). Quicker than one quality.py run per variant;
the variant chosen is then measured by quality.py itself.

Run: python tests/benchmarks/section_tuning.py --index-dir DIR --half tune [--limit N] [--grid NAME]
     [--bigrams --grid "1,0.7,1,0.1,self,win12d47647:2:30,gram0.05:100;..."]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from data import HALVES, KORQUAD, half_of  # noqa: E402
from quality import NAMES, QRELS, row  # noqa: E402

from chaja.index.arrays import FIELDS  # noqa: E402
from chaja.search import Engine, backoff, partial, proximity, scoring  # noqa: E402
from chaja.search.engine import STRICT_WORDS  # noqa: E402
from chaja.search.evaluate import read_qrels, read_queries  # noqa: E402

K = 100  # hits a run keeps, as quality.py asks for (size=100)


def field_parts(engine: Engine, parsed, k1b: dict[str, tuple[float, float]]):
    """Return ({field: score of that field alone at weight 1}, count, share) over every section."""
    gen = engine._current()
    saved_weights, saved_bm25 = dict(scoring.WEIGHTS), scoring.bm25
    parts = {}
    try:
        for f in FIELDS:
            scoring.WEIGHTS.update({g: float(g == f) for g in FIELDS})
            k1, b = k1b.get(f, (scoring.K1, scoring.FIELD_B.get(f, scoring.B)))
            scoring.bm25 = lambda tf, length, avg, df, n, *_, k1=k1, b=b: saved_bm25(tf, length, avg, df, n, k1, b)
            parts[f], count, share = scoring.matched(gen.postings, parsed.clauses)
    finally:
        scoring.WEIGHTS.update(saved_weights)
        scoring.bm25 = saved_bm25
    return parts, count, share


class Query:
    """What every variant of one question starts from: field parts, matches, the sections it may list."""

    def __init__(self, engine: Engine, text: str, k1b: dict, bigrams=None):
        gen = engine._current()
        self.bigrams, self.text, self.grams = bigrams, text, {}  # bigrams.py's scores of every section, by max_df
        parsed = engine._parse(gen, text)
        self.n = n = len(parsed.clauses)
        self.docs = np.zeros(0, np.int64)
        self.postings, self.clauses = gen.postings, parsed.clauses
        self.features: dict = {}  # (variant, proximity kind, candidates) -> (candidate indices, feature)
        if not n:
            return
        self.parts, count, self.share = field_parts(engine, parsed, k1b)
        allowed = engine._allowed(gen, parsed)
        self.complete = count == n
        self.tiered = partial.tiered(parsed)
        listed = self.complete | partial.eligible(gen.postings, parsed, count) if n > STRICT_WORDS or self.tiered \
            else self.complete
        docs = np.flatnonzero(listed)
        self.docs = docs[allowed[docs]]

    def gram(self, max_df: float) -> np.ndarray:
        if max_df not in self.grams:
            self.grams[max_df] = self.bigrams.scores(self.text, max_df)
        return self.grams[max_df]

    def shown(self, idx: np.ndarray, weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """Return (the AND score, the score a hit shows) of the sections idx under these field weights."""
        raw = sum(np.float32(weights[f]) * self.parts[f][idx] for f in FIELDS)
        if self.n > STRICT_WORDS:
            c = scoring.coordinated(raw, self.share[idx])
            return c, c
        if self.tiered:
            return raw, np.where(self.complete[idx], raw, scoring.coordinated(raw, self.share[idx]))
        return raw, raw


def feature(q: Query, kind: str, candidates: np.ndarray) -> np.ndarray:
    """Return a proximity feature of the candidate sections (ascending section numbers).

    pair: proximity.pair_proximity; winW: proximity.window_cover of width W; rwinW: that cover over the
    share of the query the section matches at all (how concentrated its matched words stand); sqKIND: KIND squared;
    KINDdN: KIND without the terms in more than N sections of the text field.
    """
    if kind.startswith("sq"):
        return feature(q, kind[2:], candidates) ** 2
    kind, _, max_df = kind.partition("d")  # KINDdN: terms in more than N sections left out
    occ = proximity.occurrences(q.postings, q.clauses, candidates, max_df=int(max_df) if max_df else None)
    weights = proximity.shares(q.postings, q.clauses)
    if kind == "pair":
        return proximity.pair_proximity(occ, weights, len(candidates))
    if kind.startswith("win"):
        return proximity.window_cover(occ, weights, len(candidates), int(kind[3:]))
    if kind.startswith("rwin"):
        cover = proximity.window_cover(occ, weights, len(candidates), int(kind[4:]))
        return cover / np.maximum(q.share[candidates].astype(np.float64), 1e-9)
    raise ValueError(f"unknown proximity kind {kind!r}")


def ranking_key(q: Query, docs: np.ndarray, raw: np.ndarray, shown: np.ndarray) -> np.ndarray:
    """Return Engine.search's ranking key of docs: complete matches first for keywords, else the score."""
    key = raw.astype(np.float64)
    if q.tiered and q.n <= STRICT_WORDS and not q.complete[docs].all():
        part = ~q.complete[docs]
        key = np.where(part, shown, raw + float(shown[part].max()) + 1.0)
    return key


def ranked(q: Query, lead_of: np.ndarray, article_of: np.ndarray, weights: dict, mu: float, mode: str,
           prox: str = "", gram: str = "") -> np.ndarray:
    """Return the query's listed sections best first (the first K articles' worth at least) under one variant.

    prox, "KIND:WEIGHT:N" (or empty): the best N sections by the variant's key get their scores multiplied
    by 1 + WEIGHT x the proximity feature KIND (see feature()). gram, "gramWEIGHT[:N]" (or empty): every
    listed section's score gains WEIGHT x its character-bigram score (bigrams.py), and the best N sections
    by that score join the list if they are not in it (a backoff for recall); "gramWEIGHT@M": only the
    best M sections by the engine's own key gain it; "gramWEIGHT/SHARE": the bigrams in more than SHARE of the
    sections are left out.
    """
    docs = q.docs
    weight, extra, best, max_df = 0.0, 0, 0, 1.0
    if gram:
        gram, _, best = gram.partition("@")
        gram, _, max_df = gram.partition("/")
        weight, _, n = gram.removeprefix("gram").partition(":")
        weight, extra, best, max_df = float(weight), int(n or 0), int(best or 0), float(max_df or 1.0)
        if extra:
            docs = np.union1d(docs, np.argpartition(-q.gram(max_df), extra - 1)[:extra])
    if not len(docs):
        return docs
    raw, shown = q.shown(docs, weights)
    if weight:
        backoff_score = np.float32(weight) * q.gram(max_df)[docs]
        if best and best < len(docs):  # only the best sections by the engine's own key get it
            key = ranking_key(q, docs, raw, shown)
            keep = np.zeros(len(docs), bool)
            keep[np.argpartition(-key, best - 1)[:best]] = True
            backoff_score = np.where(keep, backoff_score, np.float32(0))
        raw, shown = raw + backoff_score, shown + backoff_score
    if mu:
        leads = lead_of[docs]
        _, lead_shown = q.shown(leads, weights)
        boost = np.float32(mu) * lead_shown
        if mode == "others":  # the lead itself keeps its own score
            boost = np.where(leads == docs, np.float32(0), boost)
        elif mode == "self":  # only the lead adds a share of its own score: a prior for the lead
            boost = np.where(leads == docs, boost, np.float32(0))
        elif mode == "max":  # the article's best section instead of its lead
            best = np.zeros(int(article_of.max()) + 1, np.float32)
            np.maximum.at(best, article_of[docs], shown)
            boost = np.float32(mu) * best[article_of[docs]]
        raw, shown = raw + boost, shown + boost
    key = ranking_key(q, docs, raw, shown)
    if prox:
        kind, w, n = prox.split(":")
        cached = (tuple(weights.values()), mu, mode, kind, n, gram)
        if cached not in q.features:
            top = np.sort(np.argpartition(-key, int(n) - 1)[: int(n)]) if int(n) < len(docs) else np.arange(len(docs))
            q.features[cached] = top, feature(q, kind, docs[top])
        top, f = q.features[cached]
        factor = (1.0 + float(w) * f).astype(np.float32)
        raw, shown = raw.copy(), shown.copy()
        raw[top] *= factor
        shown[top] *= factor
        key = ranking_key(q, docs, raw, shown)
    take = min(len(docs), 30 * K)
    while True:
        top = np.argpartition(-key, take - 1)[:take] if take < len(docs) else np.arange(len(docs))
        order = docs[top[np.lexsort((docs[top], article_of[docs[top]], -key[top]))]]
        if take == len(docs) or len(np.unique(article_of[order])) >= K:
            return order
        take = min(len(docs), take * 4)

GRIDS = {
    # (title, heading, text) weights x lead share mu x mode
    "lead": [((1.0, 0.7, 1.0), mu, mode) for mode in ("all", "others", "max") for mu in (0.0, 0.1, 0.2, 0.3, 0.5)],
    "prior": [((1.0, 0.7, 1.0), mu, "self") for mu in (0.0, 0.05, 0.1, 0.2, 0.3)],
    "weights": [((t, h, 1.0), 0.0, "all") for t in (0.5, 1.0, 1.5) for h in (0.3, 0.7, 1.0, 1.5)],
    # today's ranking (leads x1.1) with each proximity feature at a few weights, on the best 300 sections
    "proximity": [((1.0, 0.7, 1.0), 0.1, "self", "")] + [
        ((1.0, 0.7, 1.0), 0.1, "self", f"{kind}:{w:g}:300")
        for kind, ws in (("pair", (0.5, 1, 2)), ("win8", (0.2, 0.5, 1)), ("win16", (0.2, 0.5, 1)),
                         ("rwin8", (0.2, 0.5)), ("rwin16", (0.2, 0.5)))
        for w in ws],
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", type=Path, required=True)
    ap.add_argument("--half", choices=(*HALVES, "all"), default="tune")
    ap.add_argument("--limit", type=int, default=0, help="only the first N questions of the half")
    ap.add_argument("--grid", default="lead", help=f"one of {', '.join(GRIDS)}, or variants as "
                    "t,h,x,mu,mode[,prox];... (e.g. 1,0.7,1,0.2,all or 1,0.7,1,0.1,self,win16:0.5:300)")
    ap.add_argument("--k1b", default="", help="BM25 per field, e.g. text=1.2/0.9,title=1.6/0.5 (default: the index's)")
    ap.add_argument("--no-backoff", action="store_true", help="without search/backoff.py's second way to match names")
    ap.add_argument("--backoff", help="only these kinds of search/backoff.py's alternatives (comma-separated)")
    ap.add_argument("--bigrams", action="store_true",
                    help="score the character-bigram field of bigrams.py, for variants with a gram part")
    args = ap.parse_args()
    backoff.KINDS = frozenset() if args.no_backoff else frozenset(args.backoff.split(",")) if args.backoff else backoff.KINDS
    grid = GRIDS.get(args.grid) or [
        ((float(t), float(h), float(x)), float(mu), mode, *rest)
        for t, h, x, mu, mode, *rest in (v.split(",") for v in args.grid.split(";"))]
    # the optional parts: a proximity variant, then a bigram variant (either may be "-" or left out)
    grid = [(w, mu, mode, *[p if p != "-" else "" for p in (*rest, "", "")[:2]]) for w, mu, mode, *rest in grid]
    k1b = {f: tuple(float(v) for v in kb.split("/")) for f, _, kb in (p.partition("=") for p in args.k1b.split(",") if p)}

    halves = half_of()
    queries = {q: t for q, t in read_queries(KORQUAD / "queries.tsv").items() if args.half in ("all", halves.get(q))}
    if args.limit:
        queries = dict(itertools.islice(queries.items(), args.limit))
    engine = Engine(args.index_dir)
    gen = engine._current()
    bigrams = None
    if args.bigrams:
        from bigrams import Bigrams

        bigrams = Bigrams.of_index(args.index_dir)
    article_of = np.asarray(gen.article_of)
    start = np.asarray(gen.article_start)
    lead_of = start[article_of]
    ids = gen.article_ids
    runs = {v: {"section": {}, "best-section": {}, "article": {}} for v in range(len(grid))}
    cpu = time.process_time()
    for qid, text in queries.items():
        q = Query(engine, text, k1b, bigrams)
        for v, (w, mu, mode, prox, gram) in enumerate(grid):
            order = ranked(q, lead_of, article_of, dict(zip(FIELDS, w)), mu, mode, prox, gram)
            _, first = np.unique(article_of[order], return_index=True)
            best = order[np.sort(first)][:K]
            runs[v]["section"][qid] = [f"{ids[int(article_of[d])]}#{int(d - lead_of[d])}" for d in order[:K].tolist()]
            runs[v]["best-section"][qid] = [f"{ids[int(article_of[d])]}#{int(d - lead_of[d])}" for d in best.tolist()]
            runs[v]["article"][qid] = [ids[int(article_of[d])] for d in best.tolist()]
    print(f"{len(queries)} questions of the {args.half} half, k1/b {k1b or 'as indexed'}, "
          f"{time.process_time() - cpu:.0f} s CPU", flush=True)
    qrels = {level: read_qrels(QRELS["section" if level != "article" else "article"])
             for level in ("section", "best-section", "article")}
    print(f"{'t,h,x':14} {'mu':>5} {'mode':7} {'proximity':16} {'bigrams':12} " + " ".join(f"{lv[:4]:>4}:{NAMES[m][:5]:6}" for lv in qrels
                                                          for m in ("nDCG@10", "R@100")))
    for v, (w, mu, mode, prox, gram) in enumerate(grid):
        cells = []
        for level, qr in qrels.items():
            r = row("chaja", "", level, qr, runs[v][level], len(queries))
            cells += [f"{r['nDCG@10']:11.4f}", f"{r['R@100']:11.4f}"]
        print(f"{','.join(f'{x:g}' for x in w):14} {mu:5g} {mode:7} {prox or '-':16} {gram or '-':12} " + " ".join(cells),
              flush=True)


if __name__ == "__main__":
    main()
