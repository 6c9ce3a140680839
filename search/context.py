"""Which section: every section of an article shares in how well the article's lead matches.

An article's title and its lead (its first section) describe every section of it: a question about
one paragraph of an article often names the article's subject in words that only the lead holds.
The title is already in every section document (index/arrays_write.py); the lead's match is added
here, at query time, as a share of the lead's own score.
"""

from __future__ import annotations

import numpy as np

# The share of its article's lead score a section adds to its own (the lead adds it to itself too, so
# the order of an article's sections stays its own and an article with a matching lead rises).
LEAD_SHARE = 0.0


def lead_of(article_of: np.ndarray, article_start: np.ndarray) -> np.ndarray:
    """Return, per section, the number of its article's first section."""
    return np.asarray(article_start)[np.asarray(article_of)]


def lead_share(shown: np.ndarray, leads: np.ndarray, share: float = LEAD_SHARE) -> np.ndarray:
    """Return what each section adds to its score: share times its article's lead's score (dense)."""
    return np.float32(share) * shown[leads]
