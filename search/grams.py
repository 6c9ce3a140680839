"""Score every section by the question's character bigrams (chaja.index.grams), beside the morphemes.

Added at WEIGHT to the score of each section the query lists (it never lists a section by itself), so
a name Kiwi read otherwise, or a typo, still counts for the sections that spell it. Chosen on half of
korquad1-dev's questions among 60,000 kowiki articles and held out on the other half (section nDCG@10
+0.0146 there; tests/benchmarks/README.md, "A character-bigram field").
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from chaja.index import grams
from chaja.index.arrays import load

# The question's bigram score counts half: with the morphemes' at weight 1, both about equal (0.3-0.8
# measured within 0.002 of each other; 1.2 lower).
WEIGHT = 0.5
# Bigrams in more than this share of the sections ("하는", "에서") and more than COMMON sections are
# left out: half the cost, no loss (section nDCG@10 0.9213 against 0.9212 with every bigram, held out).
# A small archive keeps them all (it costs little there).
MAX_SHARE = 0.2
COMMON = 10_000


class GramPostings:
    """A generation's bigram postings, memory-mapped."""

    def __init__(self, folder: Path, sections: int):
        self.codes = load(folder, "gram.codes")
        self.start = load(folder, "gram.start")
        self.docs = load(folder, "gram.docs")
        self.scores = load(folder, "gram.scores")
        self.sections = sections

    def scores_of(self, texts: list[str], docs: np.ndarray) -> np.ndarray | None:
        """Return WEIGHT x the BM25 score of each of docs for the bigrams of texts (each distinct bigram once), or None.

        texts: the query's words without their particles and endings (query.Parsed.texts), so that 협력을 and
        협력의 rank alike. docs: the sections the query lists, the only ones whose scores count.
        """
        asked = np.unique(np.concatenate([grams.codes(t) for t in texts])) if texts else np.zeros(0, np.int32)
        if not len(asked) or not len(self.codes) or not WEIGHT:
            return None
        at = np.searchsorted(self.codes, asked)
        found = at < len(self.codes)
        at = at[found][self.codes[at[found]] == asked[found]]
        out = np.zeros(self.sections, dtype=np.float32)
        for a, b in zip(self.start[at].tolist(), self.start[at + 1].tolist()):
            if not too_common(b - a, self.sections):
                out[self.docs[a:b]] += self.scores[a:b]
        # the listed sections only: at 240,000 articles they are a tenth of the sections (tests/benchmarks/README.md)
        spelled = out[docs]
        spelled *= np.float32(WEIGHT)
        return spelled


def too_common(df: int, sections: int) -> bool:
    """Tell whether a bigram in df of the sections is left out of a query (MAX_SHARE, COMMON); both backends ask."""
    return df > max(MAX_SHARE * sections, COMMON)


def tokens_of(texts: list[str]) -> list[str]:
    """Return the distinct bigrams of a query's words as strings (the OpenSearch field's tokens), sorted."""
    return sorted({t for text in texts for t in grams.tokens(text)})
