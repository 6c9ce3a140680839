"""An open index generation: its Whoosh index, per-thread searchers and per-document arrays."""

from __future__ import annotations

import logging
import threading
from functools import cached_property

import numpy as np

from chaja.index import schema, store
from chaja.index.analysis import kiwi_for

from . import scoring
from .postings import Postings

log = logging.getLogger(__name__)

# Terms in at least this many sections are loaded when a generation opens, most common first,
# up to WARM_POSTINGS postings: reading a common term's postings from Whoosh's blocks costs
# milliseconds, which the first queries to use it would otherwise pay (korquad1-dev among
# 60,000 articles: 15,367 such terms, 13.3 M of the 15.9 M text postings, 16 s of one core, 230 MB).
WARM_DOC_FREQUENCY = 100
WARM_POSTINGS = 16_000_000


class OpenGeneration:
    """One generation opened for searching; shared by all threads of a process.

    Opening a Whoosh searcher reads the segment's tables, so each thread keeps its own
    searcher for as long as this generation serves instead of opening one per request.
    """

    def __init__(self, gen: store.Generation):
        self.gen = gen
        self.name = gen.name
        self.ix = gen.open()
        self.user_words = self.ix.schema[schema.TEXT].analyzer.user_words
        self._local = threading.local()
        self._reader = self.ix.reader()  # read by Postings and the per-document arrays
        self.postings = Postings(self._reader)
        kiwi_for(self.user_words)  # load Kiwi now, not inside the first search
        self.warmed = threading.Event()
        self.stats: dict | None = None  # Engine.stats() of this generation, computed on first use
        threading.Thread(target=self._warm, name=f"warm {self.name}", daemon=True).start()

    def _warm(self) -> None:
        """Load the scores of the most common terms; searches run meanwhile."""
        try:
            self.article_of, self.dates  # noqa: B018  (built on first use, which would be the first search)
            field = self.ix.schema[schema.TEXT]
            with self.ix.reader() as reader:  # its own files, so the lexicon is read without the lock
                common = sorted(((info.doc_frequency(), field.from_bytes(term))
                                 for term, info in reader.iter_field(schema.TEXT)
                                 if info.doc_frequency() >= WARM_DOC_FREQUENCY), reverse=True)
            budget = WARM_POSTINGS
            for frequency, term in common:
                budget -= frequency
                if budget < 0:
                    break
                scoring.term_impacts(self.postings, term, schema.SEARCHED)
        except Exception as e:  # a generation pruned while warming: searches read what they need anyway
            log.warning("could not warm %s: %s", self.name, e)
        finally:
            self.warmed.set()

    def searcher(self):
        """Return this thread's searcher over this generation."""
        s = getattr(self._local, "searcher", None)
        if s is None:
            s = self._local.searcher = self.ix.searcher()
        return s

    def _column(self, field: str) -> list:
        with self.postings.read_lock:
            return list(self._reader.column_reader(field))

    @cached_property
    def article_ids(self) -> list[str]:
        """Return the distinct article ids, sorted."""
        return sorted(set(self._column(schema.ARTICLE)))

    @cached_property
    def article_of(self) -> np.ndarray:
        """Return the ordinal (in article_ids) of every document's article."""
        ordinal = {a: i for i, a in enumerate(self.article_ids)}
        return np.array([ordinal[a] for a in self._column(schema.ARTICLE)], dtype=np.int32)

    @cached_property
    def dates(self) -> np.ndarray:
        """Return the date of every document ("" when unknown), as comparable strings."""
        return np.array([d or "" for d in self._column(schema.DATE)], dtype="U10")
