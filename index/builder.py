"""Build a new index generation from article files, then switch readers to it atomically."""

from __future__ import annotations

import hashlib
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import analysis, lock, schema, spans, store, synonyms, vocabulary
from .article import Article, Skipped
from .counts import skipped_summary
from .readers import read_paths

BATCH = 64  # articles analysed together by Kiwi's batch API
WRITER_MB = 256  # Whoosh's indexing pool; bounds memory whatever the corpus size
# Segments stay as separate files: Whoosh copies a compound file's parts into memory for
# every searcher it opens (hundreds of MB per searcher on a large index).
MAX_SECTIONS = 2_000  # an article with more sections keeps its first MAX_SECTIONS, with a note


class BuildError(RuntimeError):
    """The build could not produce an index; the previous one keeps serving."""


@dataclass
class BuildReport:
    """What a build did: counts, skipped inputs with reasons, and timing."""

    articles: int = 0
    sections: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was indexed, but not as written
    seconds: float = 0.0
    generation: str = ""

    @property
    def rate(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0


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


def write_error(root: Path, error: OSError, had_index: bool = True) -> BuildError:
    """Return the one-line error for a failed write into the index folder."""
    return BuildError(f"cannot write the new index in {root} ({error.strerror or error}); free disk space or "
                      "make the folder writable — " + ("the previous index is unchanged and keeps serving"
                                                       if had_index else "no index was made"))


def documents(article: Article, user_words: tuple = (), sha: str | None = None) -> Iterator[dict]:
    """Yield the Whoosh documents of an article: one per section."""
    sha = sha or digest(article)
    title = spans.encode(analysis.analysed(article.title, user_words))
    for i, sec in enumerate(article.sections):
        doc = {
            schema.ID: schema.section_id(article.id, i),
            schema.ARTICLE: article.id,
            schema.SECTION: i,
            schema.TITLE: article.title,
            schema.HEADING: sec.heading,
            schema.TEXT: sec.text,
            schema.DIGEST: sha,
            schema.SPANS: (title, *(spans.encode(analysis.analysed(t, user_words)) for t in (sec.heading, sec.text))),
        }
        for name, value in ((schema.DATE, article.date), (schema.SOURCE, article.source),
                            (schema.URL, article.url),
                            (schema.PATH, article.path and os.path.abspath(article.path))):
            if value:
                doc[name] = value
        yield doc


def _texts(articles: Iterable[Article]) -> list[str]:
    out = []
    for a in articles:
        out.append(a.title)
        for s in a.sections:
            out.extend((s.heading, s.text))
    return out


def analysed_batches(items: Iterable[Article | Skipped], user_words: tuple) -> Iterator[list]:
    """Yield batches of read items whose texts Kiwi has already analysed, one batch ahead."""
    q: queue.Queue = queue.Queue(maxsize=2)
    failure: list[BaseException] = []

    def produce():
        try:
            batch: list = []
            for item in items:
                batch.append(item)
                if len(batch) >= BATCH:
                    analysis.prefetch(_texts(a for a in batch if isinstance(a, Article)), user_words)
                    q.put(batch)
                    batch = []
            if batch:
                analysis.prefetch(_texts(a for a in batch if isinstance(a, Article)), user_words)
                q.put(batch)
        except BaseException as e:  # handed to the consumer, which re-raises it
            failure.append(e)
        finally:
            q.put(None)

    threading.Thread(target=produce, daemon=True, name="chaja-analyse").start()
    while (batch := q.get()) is not None:
        yield batch
        analysis.forget_prefetched(_texts(a for a in batch if isinstance(a, Article)))
    if failure:
        raise failure[0]


def rebuild(paths: Iterable[str | os.PathLike], index: str | os.PathLike | None = None, *,
            workers: int | None = None, user_dictionary: str | None = None, synonyms_file: str | None = None,
            progress: Callable[[BuildReport], None] | None = None, wait: float = lock.DEFAULT_WAIT) -> BuildReport:
    """Index the articles under paths into a new generation and make it the serving one.

    Holds the index's writer lock, waiting up to ``wait`` seconds for another writer (lock.IndexBusy).
    The synonym groups of ``synonyms_file`` (chaja.index.synonyms) are kept with the generation.
    """
    root = store.index_dir(index)
    paths = [str(p) for p in paths]
    if workers:
        analysis.set_workers(workers)
    user_words = analysis.read_user_dictionary(user_dictionary) if user_dictionary else ()
    groups = synonyms.read(synonyms_file) if synonyms_file else ()
    created = not root.exists()
    with lock.hold(root, wait):
        store.prune(root, writer_locked=True)
        try:
            return _rebuild(root, paths, user_words, user_dictionary, progress, groups, synonyms_file)
        except BaseException:
            if store.current(root) is None:  # a first build that failed leaves no folder that looks like an index
                lock.remove_unused(root, folder=created)
            raise


def _rebuild(root: Path, paths: list[str], user_words: tuple, user_dictionary: str | None,
             progress: Callable[[BuildReport], None] | None, groups: tuple = (),
             synonyms_file: str | None = None) -> BuildReport:
    from whoosh import index as whoosh_index

    report = BuildReport()
    started = time.perf_counter()
    had_index = store.current(root) is not None
    build = store.new_build_dir(root)
    try:
        ix = whoosh_index.create_in(str(build), schema.make_schema(user_words))
        writer = ix.writer(limitmb=WRITER_MB, compound=False)
        seen: dict[str, str] = {}
        try:
            for batch in analysed_batches(_bounded(read_paths(paths), report), user_words):
                for item in batch:
                    if isinstance(item, Skipped):
                        report.skipped.append(item)
                        continue
                    if item.id in seen:
                        report.skipped.append(Skipped(item.path or item.id, f"duplicate article id {item.id!r} (also in {seen[item.id]})"))
                        continue
                    seen[item.id] = item.path or item.id
                    report.sections += add_article(writer, item)
                    report.articles += 1
                if progress:
                    report.seconds = time.perf_counter() - started
                    progress(report)
                store._test_pause("write")  # a test kills the writer here, with a batch written
        except BaseException:
            writer.cancel()
            raise
        if report.articles == 0:
            writer.cancel()
            raise BuildError(f"no readable article in {', '.join(paths)} ({skipped_summary(report.skipped)} skipped); "
                             + ("the previous index is unchanged" if had_index else "no index was made"))
        writer.commit()
        ix.close()
        published(build)
        if groups:
            synonyms.write(build, groups)
        report.seconds = time.perf_counter() - started
        (build / "PID").unlink(missing_ok=True)
        gen = store.publish(root, build, {
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "paths": [os.path.abspath(p) for p in paths],
            "articles": report.articles,
            "sections": report.sections,
            "skipped": len(report.skipped),
            "seconds": round(report.seconds, 3),
            "user_dictionary": os.path.abspath(user_dictionary) if user_dictionary else None,
            "user_words": len(user_words),
            "synonyms": os.path.abspath(synonyms_file) if synonyms_file else None,
            "synonym_groups": len(groups),
        }, writer_locked=True)
        report.generation = gen.name
        return report
    except OSError as e:
        store.discard(build)
        raise write_error(root, e, had_index) from e
    except BaseException:
        store.discard(build)
        raise
    finally:
        analysis.forget_prefetched()


def published(build: Path) -> None:
    """Write what is derived from a finished Whoosh index into its build folder, just before publishing."""
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(build))
    try:
        vocabulary.write(build, ix)
    finally:
        ix.close()


def _bounded(items: Iterable[Article | Skipped], report: BuildReport) -> Iterator[Article | Skipped]:
    """Yield items with oversized articles cut down (noted in the report) and empty ones skipped."""
    for item in items:
        if isinstance(item, Article):
            item, note = bounded(item)
            if note:
                report.notes.append(note)
        yield item


def add_article(writer, article: Article) -> int:
    """Add an article's section documents to a Whoosh writer; return how many."""
    n = 0
    for doc in documents(article, writer.schema[schema.TEXT].analyzer.user_words):
        writer.add_document(**doc)
        n += 1
    return n
