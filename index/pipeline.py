"""The one write pipeline of rebuild and update: read, bound, analyse once, write Whoosh and the arrays, publish.

Each text is analysed once (Kiwi's batch API on one thread, the picking of content morphemes on another) and its morphemes are
handed as values to the two writers: the stored spans in Whoosh and the search arrays.
"""

from __future__ import annotations

import hashlib
import os
import queue
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from . import arrays, batches, schema, spans, store, vocabulary, wordcache
from .analysis import Morpheme
from .arrays_write import Collector
from .article import Article, Skipped

BATCH = 64  # articles analysed together by Kiwi's batch API
# While a build runs, Python hands the GIL between threads every half millisecond instead of every
# 5 ms: the thread that takes each of Kiwi's results, one at a time, otherwise waits up to 5 ms for
# the picking and writing threads, and Kiwi's worker threads wait for it (2,000 articles: 81-88 s
# against 92-96 s).
SWITCH_SECONDS = 0.0005
WRITER_MB = 256  # Whoosh's indexing pool; bounds memory whatever the corpus size
# Segments stay as separate files: Whoosh copies a compound file's parts into memory for
# every searcher it opens (hundreds of MB per searcher on a large index).
MAX_SECTIONS = 2_000  # an article with more sections keeps its first MAX_SECTIONS, with a note
_NOT_LINKED = {store.META, "PID"}  # rewritten for the new generation, never shared


class BuildError(RuntimeError):
    """The build could not produce an index; the previous one keeps serving."""


class Analysed(NamedTuple):
    """An article with the morphemes of its title and of each section's heading and text."""

    article: Article
    title: list[Morpheme]
    sections: list[tuple[list[Morpheme], list[Morpheme]]]


def digest(article: Article) -> str:
    """Return the content hash used to tell a changed article from an unchanged one."""
    h = hashlib.blake2b(digest_size=16)
    for part in (article.title, article.date or "", article.source or "", article.url or "", article.text):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def bounded(article: Article) -> tuple[Article | Skipped, str | None]:
    """Return the article as it will be indexed (at most MAX_SECTIONS sections) and a note if it was cut.

    An article without sections becomes a Skipped: it would leave nothing in the index.
    """
    where = article.path or article.id
    if not article.sections:
        return Skipped(where, f"article {article.id!r} has no sections; there is nothing to index"), None
    notes = list(article.notes)  # what its reader noted, such as a date it could not read
    if len(article.sections) > MAX_SECTIONS:
        notes.append(f"{where}: article {article.id!r} has {len(article.sections):,} sections; indexed the first "
                     f"{MAX_SECTIONS:,}")
        article = replace(article, sections=article.sections[:MAX_SECTIONS])
    return article, "; ".join(notes) or None


def bounded_items(items: Iterable[Article | Skipped], notes: list[str]) -> Iterator[Article | Skipped]:
    """Yield items with oversized articles cut down (noted in notes) and empty ones skipped."""
    for item in items:
        if isinstance(item, Article):
            item, note = bounded(item)
            if note:
                notes.append(note)
        yield item


def duplicate(article: Article, seen: dict[str, str]) -> Skipped | None:
    """Return a Skipped if an article of this id came before (seen maps ids to where); else record it."""
    where = article.path or article.id
    if article.id in seen:
        return Skipped(where, f"duplicate article id {article.id!r} (also in {seen[article.id]})")
    seen[article.id] = where
    return None


def write_error(root: Path, error: OSError, had_index: bool = True) -> BuildError:
    """Return the one-line error for a failed write into the index folder."""
    return BuildError(f"cannot write the new index in {root} ({error.strerror or error}); free disk space or "
                      "make the folder writable — " + ("the previous index is unchanged and keeps serving"
                                                       if had_index else "no index was made"))


def _texts(articles: list[Article]) -> list[str]:
    """Return the texts analysed of each article: its title, then each section's heading and text."""
    texts = []
    for a in articles:
        texts.append(a.title)
        for s in a.sections:
            texts.extend((s.heading, s.text))
    return texts


def _read(articles: list[Article], user_words: tuple, word_cache: bool) -> batches.Read | wordcache.ByWord:
    """Have Kiwi read the articles' texts (with word_cache, each distinct word once)."""
    return (wordcache.read_by_word if word_cache else batches.read_in_context)(_texts(articles), user_words)


def _assembled(articles: list[Article], read: batches.Read | wordcache.ByWord) -> list[Analysed]:
    """Return the articles with the content morphemes picked from what Kiwi read of them."""
    found = iter(read.morphemes())
    return [Analysed(a, next(found), [(next(found), next(found)) for _ in a.sections]) for a in articles]


def analyse(articles: list[Article], user_words: tuple = (), word_cache: bool = False) -> list[Analysed]:
    """Analyse the articles' titles, headings and texts in one Kiwi batch (with word_cache, each distinct word once)."""
    return _assembled(articles, _read(articles, user_words, word_cache))


def _ahead(source: Iterable, work, name: str) -> Iterator:
    """Yield work(item) of each item of source, computed on a thread of its own up to two items ahead."""
    q: queue.Queue = queue.Queue(maxsize=2)
    failure: list[BaseException] = []
    done = object()

    def produce():
        try:
            for item in source:
                q.put(work(item))
        except BaseException as e:  # handed to the consumer, which re-raises it
            failure.append(e)
        finally:
            q.put(done)

    threading.Thread(target=produce, daemon=True, name=name).start()
    while (result := q.get()) is not done:
        yield result
    if failure:
        raise failure[0]


def chunked(items: Iterable, size: int) -> Iterator[list]:
    """Yield the items in lists of size (the last one shorter)."""
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def analysed_batches(items: Iterable[Article | Skipped], user_words: tuple,
                     word_cache: bool = False) -> Iterator[list[Analysed | Skipped]]:
    """Yield batches of read items with every article analysed.

    Three threads, a batch apart: Kiwi reads a batch (its own worker threads doing the work), the
    batch before it is picked (Python), and the caller writes the one before that. Picking used to
    follow Kiwi on one thread, so Kiwi's threads stood idle while it ran. The GIL's switch interval is
    SWITCH_SECONDS until the last batch is taken.
    """

    def read(batch: list) -> tuple:
        articles = [a for a in batch if isinstance(a, Article)]
        return batch, articles, _read(articles, user_words, word_cache)

    def picked(job: tuple) -> list[Analysed | Skipped]:
        batch, articles, kiwi_read = job
        done = iter(_assembled(articles, kiwi_read))
        return [item if isinstance(item, Skipped) else next(done) for item in batch]

    switch = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_SECONDS)
    try:
        yield from _ahead(_ahead(chunked(items, BATCH), read, "chaja-kiwi"), picked, "chaja-pick")
    finally:
        sys.setswitchinterval(switch)


def documents(analysed: Analysed, sha: str | None = None) -> Iterator[dict]:
    """Yield the Whoosh documents of an analysed article: one per section."""
    article = analysed.article
    sha = sha or digest(article)
    title = spans.encode(analysed.title)
    for i, (sec, (heading, text)) in enumerate(zip(article.sections, analysed.sections)):
        doc = {
            schema.ID: schema.section_id(article.id, i),
            schema.ARTICLE: article.id,
            schema.SECTION: i,
            schema.TITLE: article.title,
            schema.HEADING: sec.heading,
            schema.TEXT: sec.text,
            schema.DIGEST: sha,
            schema.SPANS: (title, spans.encode(heading), spans.encode(text)),
        }
        for name, value in ((schema.DATE, article.date), (schema.SOURCE, article.source),
                            (schema.URL, article.url),
                            (schema.PATH, article.path and os.path.abspath(article.path))):
            if value:
                doc[name] = value
        yield doc


class NewGeneration:
    """A generation being written: a Whoosh writer for stored fields and a collector for the arrays.

    Use as a context manager: leaving it by an exception cancels the writer and removes the build
    folder (an OSError becomes a BuildError saying the previous index keeps serving).
    """

    def __init__(self, root: Path, user_words: tuple = (), base: store.Generation | None = None,
                 had_index: bool = True, word_cache: bool = False):
        from whoosh import index as whoosh_index

        self.root, self.base, self.had_index = root, base, had_index
        self.collector = Collector(user_words, word_cache)
        self.dropped: set[str] = set()
        # A rebuild counts the vocabulary's words as it writes, beside Kiwi, instead of reading every
        # stored field back when it publishes (a tenth of a 2,000-article rebuild's time, Kiwi idle).
        self.tally = vocabulary.Tally() if base is None else None
        self.sections = 0
        self.build = store.new_build_dir(root)
        try:
            if base is None:
                ix = whoosh_index.create_in(str(self.build), schema.make_schema())
            else:  # Whoosh never rewrites a file, so the serving generation's files are shared by hard links
                for f in base.path.iterdir():
                    if f.is_file() and f.name not in _NOT_LINKED and not f.name.endswith("WRITELOCK"):
                        os.link(f, self.build / f.name)
                ix = whoosh_index.open_dir(str(self.build))
            self.writer = ix.writer(limitmb=WRITER_MB, compound=False)
        except OSError as e:
            store.discard(self.build)
            raise write_error(root, e, had_index) from e
        except BaseException:
            store.discard(self.build)
            raise

    def __enter__(self) -> NewGeneration:
        return self

    def __exit__(self, kind, error, tb) -> None:
        if error is None:
            return
        try:
            if self.writer is not None:
                self.writer.cancel()
        except OSError as cancelling:  # a full disk fails the cancel too; the folder goes anyway
            error = error if isinstance(error, OSError) else cancelling
        finally:
            store.discard(self.build)
        if isinstance(error, OSError):
            raise write_error(self.root, error, self.had_index) from error

    def add(self, analysed: Analysed) -> int:
        """Write an analysed article's sections; return how many."""
        a = analysed.article
        docs = list(documents(analysed))
        for doc in docs:
            self.writer.add_document(**doc)
        if self.tally is not None:
            self.tally.add(a.id, docs)
        self.collector.add(a.id, a.date, a.source, analysed.title, analysed.sections)
        self.sections += len(docs)
        return len(docs)

    def delete(self, article_id: str) -> None:
        """Remove an article of the base generation (before adding its new version, if any)."""
        self.writer.delete_by_term(schema.ARTICLE, article_id)
        self.dropped.add(article_id)

    def publish(self, meta: dict) -> store.Generation:
        """Commit the Whoosh index, write the arrays and make this the serving generation."""
        from whoosh import index as whoosh_index

        if self.base is not None:
            self.collector.keep(self.base.path / arrays.FOLDER, self.dropped)
            self.writer.commit(optimize=False)
        else:
            self.writer.commit()
        self.writer = None
        ix = whoosh_index.open_dir(str(self.build))
        try:
            # autocomplete and corrections read the vocabulary; written first, so a rebuild's tally is
            # let go before the arrays' sort, the build's peak
            vocabulary.write(self.build, ix, self.tally)
            self.tally = None
            with ix.reader() as reader:
                written = self.collector.write(self.build, reader)
        finally:
            ix.close()
        (self.build / "PID").unlink(missing_ok=True)
        return store.publish(self.root, self.build, {**meta, "sections": written["sections"],
                                                     "articles": written["articles"]}, writer_locked=True)
