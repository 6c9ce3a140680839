"""Build a new index generation from article files, then switch readers to it atomically."""

from __future__ import annotations

import hashlib
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import analysis, schema, store
from .article import Article, Skipped
from .readers import read_paths

BATCH = 64  # articles analysed together by Kiwi's batch API
WRITER_MB = 256  # Whoosh's indexing pool; bounds memory whatever the corpus size


class BuildError(RuntimeError):
    """The build could not produce an index; the previous one keeps serving."""


@dataclass
class BuildReport:
    """What a build did: counts, skipped inputs with reasons, and timing."""

    articles: int = 0
    sections: int = 0
    skipped: list[Skipped] = field(default_factory=list)
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


def documents(article: Article, sha: str | None = None) -> Iterator[dict]:
    """Yield the Whoosh documents of an article: one per section."""
    sha = sha or digest(article)
    for i, sec in enumerate(article.sections):
        doc = {
            schema.ID: schema.section_id(article.id, i),
            schema.ARTICLE: article.id,
            schema.SECTION: i,
            schema.TITLE: article.title,
            schema.HEADING: sec.heading,
            schema.TEXT: sec.text,
            schema.DIGEST: sha,
        }
        for name, value in ((schema.DATE, article.date), (schema.SOURCE, article.source),
                            (schema.URL, article.url), (schema.PATH, article.path)):
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
            workers: int | None = None, user_dictionary: str | None = None,
            progress: Callable[[BuildReport], None] | None = None) -> BuildReport:
    """Index the articles under paths into a new generation and make it the serving one."""
    root = store.index_dir(index)
    paths = [str(p) for p in paths]
    if workers:
        analysis.set_workers(workers)
    user_words = analysis.read_user_dictionary(user_dictionary) if user_dictionary else ()
    report = BuildReport()
    started = time.perf_counter()
    build = store.new_build_dir(root)
    try:
        from whoosh import index as whoosh_index

        ix = whoosh_index.create_in(str(build), schema.make_schema(user_words))
        writer = ix.writer(limitmb=WRITER_MB)
        seen: dict[str, str] = {}
        try:
            for batch in analysed_batches(read_paths(paths), user_words):
                for item in batch:
                    if isinstance(item, Skipped):
                        report.skipped.append(item)
                        continue
                    if item.id in seen:
                        report.skipped.append(Skipped(item.path or item.id, f"duplicate article id {item.id!r} (also in {seen[item.id]})"))
                        continue
                    seen[item.id] = item.path or item.id
                    for doc in documents(item):
                        writer.add_document(**doc)
                        report.sections += 1
                    report.articles += 1
                if progress:
                    report.seconds = time.perf_counter() - started
                    progress(report)
        except BaseException:
            writer.cancel()
            raise
        if report.articles == 0:
            writer.cancel()
            raise BuildError(f"no readable article in {', '.join(paths)} ({len(report.skipped)} files skipped); the previous index is unchanged")
        writer.commit()
        ix.close()
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
        })
        report.generation = gen.name
        return report
    except BaseException:
        store.discard(build)
        raise
    finally:
        analysis.forget_prefetched()
