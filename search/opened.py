"""An open index generation: its Whoosh index, per-thread searchers and per-document arrays."""

from __future__ import annotations

import threading
from functools import cached_property

import numpy as np

from chaja.index import schema, store
from chaja.index.analysis import kiwi_for

from .postings import Postings


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
