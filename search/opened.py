"""An open index generation: its memory-mapped search arrays and, per thread, a Whoosh searcher for stored fields."""

from __future__ import annotations

import functools
import threading

from chaja.index import arrays, store
from chaja.index.analysis import kiwi_for

from . import context
from .postings import Postings


class OpenGeneration:
    """One generation opened for searching; shared by all threads of a process.

    Everything search reads is mapped from the generation's arrays, so opening costs a few file
    maps and every process shares the pages. Opening a Whoosh searcher reads the segment's tables,
    so each thread keeps its own searcher for stored fields as long as this generation serves.
    """

    def __init__(self, gen: store.Generation):
        self.gen = gen
        self.name = gen.name
        self.ix = gen.open()  # refuses a generation without arrays of this format
        folder = gen.path / arrays.FOLDER
        self.postings = Postings(folder)
        self.user_words = tuple(tuple(w) for w in self.postings.manifest["user_words"])
        self.word_cache = bool(self.postings.manifest.get("word_cache", False))  # chaja.index.wordcache
        self.article_of = arrays.load(folder, "article_of")  # per section, its article's number in article_ids
        self.article_start = arrays.load(folder, "article_start")
        self.dates = arrays.load(folder, "dates")
        self.whoosh_doc = arrays.load(folder, "whoosh_doc")
        self.article_ids = arrays.Strings.open(folder, "article_ids")
        self._local = threading.local()
        kiwi_for(self.user_words)  # load Kiwi now, not inside the first search
        self.warmed = threading.Event()  # nothing to warm: kept for callers that wait for it
        self.warmed.set()
        self.stats: dict | None = None  # Engine.stats() of this generation, computed on first use

    @functools.cached_property
    def leads(self):
        """Return which sections are their article's first (context.leads), made on first use: 1 byte a section."""
        return context.leads(self.article_start, len(self.article_of))

    def searcher(self):
        """Return this thread's Whoosh searcher over this generation (stored fields by Whoosh document number)."""
        s = getattr(self._local, "searcher", None)
        if s is None:
            s = self._local.searcher = self.ix.searcher()
        return s

    def stored_fields(self, section: int) -> dict:
        """Return the stored fields of a section (by its number in the arrays)."""
        return self.searcher().stored_fields(int(self.whoosh_doc[section]))

    def sections_of(self, article_id: str) -> range:
        """Return the section numbers of an article, in section order (empty if the id is unknown)."""
        a = self.article_ids.find(article_id)
        return range(0) if a < 0 else range(int(self.article_start[a]), int(self.article_start[a + 1]))
