"""Which section a hit names: an article's lead (its first section) first when it matches about as well.

An article's title and its lead describe every section of it. The title is in every section document
already (index/arrays_write.py), at the weight that measured best; what is left to choose is which of an
article's sections names the hit. A lead matching nearly as well as a later section is the better
name: it is where a reader learns what the article is about, and the question answered there is
as often the article's subject as the later section's detail.
"""

from __future__ import annotations

import numpy as np

# A lead's score is multiplied by this. Tuned on half of korquad1-dev's questions among 60,000 kowiki
# articles (tests/benchmarks/section_tuning.py; x1.05-1.2 each helped, x1.3 less), then measured on the
# other half (README "Ranking variants"): section nDCG@10 0.8950 -> 0.8967, best section per article
# 0.8782 -> 0.8796, article 0.9146 -> 0.9158; x1.2 lowered all three there. Giving every section a
# share of its lead's score instead lowered every view (+0.1 x the lead: section -0.001, +0.5: -0.010).
LEAD_BOOST = 1.1


def leads(article_start: np.ndarray, sections: int) -> np.ndarray:
    """Return which of the sections are the first section of their article, as a mask."""
    start = np.asarray(article_start)
    mask = np.zeros(sections, dtype=bool)
    mask[start[:-1][np.diff(start) > 0]] = True
    return mask


def lead_first(is_lead: np.ndarray, docs: np.ndarray, scores: np.ndarray, shown: np.ndarray,
               boost: float | None = None) -> None:
    """Multiply the scores of the leads (leads()) among docs by boost, in scores and in shown (shown may be scores), in place.

    Only the listed sections' scores count (Engine.search's own arrays, per query): at 240,000 articles they are a
    tenth of all sections, and boosting every lead cost 4 ms a question.
    """
    boost = LEAD_BOOST if boost is None else boost  # read now: a benchmark may change LEAD_BOOST
    if boost == 1.0:
        return
    first = docs[is_lead[docs]]
    scores[first] *= np.float32(boost)
    if shown is not scores:
        shown[first] *= np.float32(boost)
