"""Bring an index up to date with its article files without a full rebuild.

The update never touches the serving generation: it hard-links that generation's Whoosh files
into a new build folder, applies the changes there with a Whoosh writer, writes new search arrays
from the old generation's arrays and the new articles' analysis (unchanged articles are not
analysed again) and publishes the result, so CURRENT switches atomically. Hard links are safe
because Whoosh never rewrites an existing file: segments are written once under fresh random
names, deletions live in the new table of contents (``_MAIN_<n>.toc``, written to a temporary
name and renamed), and merged segments are unlinked, which only removes this folder's link.
The write itself is chaja.index.pipeline's, shared with the rebuild.
"""

from __future__ import annotations

import os
import time
from contextlib import ExitStack
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import arrays, lock, schema, store
from .article import Article, Skipped
from .pipeline import BuildError, NewGeneration, analysed_batches, bounded_items, digest, duplicate
from .readers import read_paths


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
    report = UpdateReport()
    started = time.perf_counter()
    serving = store.require(root)
    meta = serving.meta()
    built_from = meta.get("paths", [])
    old_ix = serving.open()  # refuses a generation an older chaja wrote
    indexed = indexed_articles(old_ix)
    old_ix.close()
    manifest = arrays.read_manifest(serving.path / arrays.FOLDER)
    user_words = tuple(tuple(w) for w in manifest["user_words"])
    word_cache = bool(manifest.get("word_cache", False))  # analysed as the rebuild analysed
    seen: dict[str, str] = {}

    def to_index(items: Iterable[Article | Skipped]) -> Iterator[Article | Skipped]:
        """Yield the new and changed articles (and what could not be read); count the unchanged."""
        for item in bounded_items(items, report.notes):
            if isinstance(item, Skipped):
                yield item
                continue
            old = indexed.get(item.id)
            if old is not None and item.id not in seen and not _under(old.path, paths):
                yield Skipped(item.path or item.id, f"duplicate article id {item.id!r} (also in {old.path}, not updated now)")
                continue
            skipped = duplicate(item, seen)
            if skipped:
                yield skipped
            elif old is not None and old.digest == digest(item) and old.path == os.path.abspath(item.path or ""):
                report.unchanged += 1
            else:
                yield item

    with ExitStack() as stack:  # a generation is written only once something changed
        new: NewGeneration | None = None

        def writing() -> NewGeneration:
            nonlocal new
            if new is None:
                new = stack.enter_context(NewGeneration(root, user_words, serving, word_cache=word_cache))
            return new

        for batch in analysed_batches(to_index(read_paths(paths, root=_id_roots(built_from))), user_words,
                                      word_cache):
            for item in batch:
                if isinstance(item, Skipped):
                    report.skipped.append(item)
                    continue
                if item.article.id in indexed:
                    writing().delete(item.article.id)
                    report.changed.append(item.article.id)
                else:
                    report.added.append(item.article.id)
                writing().add(item)
            if progress:
                report.seconds = time.perf_counter() - started
                progress(report)
        report.removed = sorted(a for a, old in indexed.items() if a not in seen and _under(old.path, paths))
        for article_id in report.removed:
            writing().delete(article_id)
        report.seconds = time.perf_counter() - started
        if new is None:
            report.generation = serving.name
            return report
        articles = len(indexed) + len(report.added) - len(report.removed)
        if articles == 0:
            raise BuildError(f"the update would remove every article from the index {root}; the previous index is "
                             "unchanged (use `chaja index rebuild` to start over)")
        gen = new.publish({
            **{k: v for k, v in meta.items() if k != "previous"},
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "paths": built_from + [p for p in paths if not _under(p, built_from)],
            "updated": {"added": len(report.added), "changed": len(report.changed),
                        "removed": len(report.removed), "skipped": len(report.skipped),
                        "seconds": round(report.seconds, 3)},
        })
    report.generation = gen.name
    return report
