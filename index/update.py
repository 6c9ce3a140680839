"""Bring an index up to date with its article files without a full rebuild.

The update never touches the serving generation: it hard-links that generation's files into a
new build folder, applies the changes there with a Whoosh writer and publishes the result, so
CURRENT switches atomically. Hard links are safe because Whoosh never rewrites an existing
file: segments are written once under fresh random names, deletions live in the new table of
contents (``_MAIN_<n>.toc``, written to a temporary name and renamed), and merged segments are
unlinked, which only removes this folder's link.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import analysis, lock, schema, store
from .article import Article, Skipped
from .builder import BuildError, WRITER_MB, add_article, analysed_batches, bounded, digest, published, write_error
from .readers import read_paths

_NOT_LINKED = {store.META, "PID"}  # rewritten for the new generation, never shared


@dataclass
class UpdateReport:
    """What an update did, by article id, and what it could not read."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    generation: str = ""  # the serving generation afterwards (the old one when nothing changed)

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)


@dataclass(frozen=True)
class _Indexed:
    digest: str
    path: str | None


def indexed_articles(ix) -> dict[str, _Indexed]:
    """Return every article in a Whoosh index with the digest and source path stored with it."""
    out: dict[str, _Indexed] = {}
    with ix.searcher() as s:
        for fields in s.all_stored_fields():
            if fields[schema.ARTICLE] not in out:
                out[fields[schema.ARTICLE]] = _Indexed(fields.get(schema.DIGEST, ""), fields.get(schema.PATH))
    return out


def _under(path: str | None, folders: list[str]) -> bool:
    if not path:
        return False
    path = os.path.abspath(path)
    return any(path == f or path.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


def _id_roots(built_from: list[str]) -> list[Path]:
    """Return the folders that article ids were made relative to when the index was built."""
    return [Path(p) if os.path.isdir(p) else Path(p).parent for p in built_from]


def update(paths: Iterable[str | os.PathLike], index: str | os.PathLike | None = None, *,
           wait: float = lock.DEFAULT_WAIT, progress: Callable[[UpdateReport], None] | None = None) -> UpdateReport:
    """Add new, re-index changed and drop vanished articles under paths, in a new generation.

    Articles whose source file lies outside every given path are kept as they are. Raise
    store.IndexUnavailable if there is no index yet, lock.IndexBusy if another writer holds it.
    """
    root = store.index_dir(index)
    paths = [os.path.abspath(p) for p in paths]
    with lock.hold(root, wait):
        store.require(root)
        store.prune(root, writer_locked=True)
        return _update(root, paths, progress)


def _update(root: Path, paths: list[str], progress) -> UpdateReport:
    from whoosh import index as whoosh_index

    report = UpdateReport()
    started = time.perf_counter()
    serving = store.require(root)
    meta = serving.meta()
    built_from = meta.get("paths", [])
    old_ix = serving.open()
    user_words = old_ix.schema[schema.TEXT].analyzer.user_words
    indexed = indexed_articles(old_ix)
    old_ix.close()

    seen: dict[str, str] = {}

    def to_index(items: Iterable[Article | Skipped]) -> Iterator[Article | Skipped]:
        """Yield the new and changed articles (and what could not be read); count the unchanged."""
        for item in items:
            if isinstance(item, Article):
                item, note = bounded(item)
                if note:
                    report.notes.append(note)
            if isinstance(item, Skipped):
                yield item
                continue
            where = item.path or item.id
            if item.id in seen:
                yield Skipped(where, f"duplicate article id {item.id!r} (also in {seen[item.id]})")
                continue
            old = indexed.get(item.id)
            if old is not None and not _under(old.path, paths):
                yield Skipped(where, f"duplicate article id {item.id!r} (also in {old.path}, not updated now)")
                continue
            seen[item.id] = where
            if old is not None and old.digest == digest(item) and old.path == os.path.abspath(item.path or ""):
                report.unchanged += 1
            else:
                yield item

    build: Path | None = None
    writer = None
    try:
        try:
            for batch in analysed_batches(to_index(read_paths(paths, root=_id_roots(built_from))), user_words):
                for item in batch:
                    if isinstance(item, Skipped):
                        report.skipped.append(item)
                        continue
                    if writer is None:
                        build, writer = _open_copy(root, serving)
                    if item.id in indexed:
                        writer.delete_by_term(schema.ARTICLE, item.id)
                        report.changed.append(item.id)
                    else:
                        report.added.append(item.id)
                    add_article(writer, item)
                if progress:
                    report.seconds = time.perf_counter() - started
                    progress(report)
            report.removed = sorted(a for a, old in indexed.items() if a not in seen and _under(old.path, paths))
            if report.removed and writer is None:
                build, writer = _open_copy(root, serving)
            for article_id in report.removed:
                writer.delete_by_term(schema.ARTICLE, article_id)
        except BaseException:
            if writer is not None:
                writer.cancel()
            raise
        report.seconds = time.perf_counter() - started
        if writer is None:
            report.generation = serving.name
            return report
        articles = len(indexed) + len(report.added) - len(report.removed)
        if articles == 0:
            writer.cancel()
            raise BuildError(f"the update would remove every article from the index {root}; the previous index is "
                             "unchanged (use `chaja index rebuild` to start over)")
        writer.commit(optimize=False)
        ix = whoosh_index.open_dir(str(build))
        sections = ix.doc_count()
        ix.close()
        published(build)
        (build / "PID").unlink(missing_ok=True)
        gen = store.publish(root, build, {
            **{k: v for k, v in meta.items() if k != "previous"},
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "paths": built_from + [p for p in paths if not _under(p, built_from)],
            "articles": articles,
            "sections": sections,
            "updated": {"added": len(report.added), "changed": len(report.changed), "removed": len(report.removed),
                        "skipped": len(report.skipped), "seconds": round(report.seconds, 3)},
        }, writer_locked=True)
        report.generation = gen.name
        return report
    except OSError as e:
        if build is not None:
            store.discard(build)
        raise write_error(root, e) from e
    except BaseException:
        if build is not None:
            store.discard(build)
        raise
    finally:
        analysis.forget_prefetched()


def _open_copy(root: Path, serving: store.Generation):
    """Hard-link the serving generation's index files into a new build folder; return it and a writer there."""
    from whoosh import index as whoosh_index

    build = store.new_build_dir(root)
    try:
        for f in serving.path.iterdir():
            if f.is_file() and f.name not in _NOT_LINKED and not f.name.endswith("WRITELOCK"):
                os.link(f, build / f.name)
        return build, whoosh_index.open_dir(str(build)).writer(limitmb=WRITER_MB, compound=False)
    except BaseException:
        store.discard(build)
        raise
