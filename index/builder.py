"""Build a new index generation from article files, then switch readers to it atomically."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import analysis, lock, store, synonyms
from .article import Skipped
from .counts import skipped_summary
from .pipeline import (MAX_SECTIONS, BuildError, NewGeneration, analysed_batches, bounded_items, digest,  # noqa: F401
                       duplicate)
from .readers import read_paths


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


def rebuild(paths: Iterable[str | os.PathLike], index: str | os.PathLike | None = None, *,
            workers: int | None = None, user_dictionary: str | None = None, synonyms_file: str | None = None,
            progress: Callable[[BuildReport], None] | None = None, wait: float = lock.DEFAULT_WAIT,
            word_cache: bool = True) -> BuildReport:
    """Index the articles under paths into a new generation and make it the serving one.

    With ``word_cache`` (the default) each distinct word of a batch is analysed once
    (chaja.index.wordcache); False analyses every word in its sentence. The generation keeps the
    setting, so updates and queries analyse the same way.

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
            return _rebuild(root, paths, user_words, user_dictionary, progress, groups, synonyms_file, word_cache)
        except BaseException:
            if store.current(root) is None:  # a first build that failed leaves no folder that looks like an index
                lock.remove_unused(root, folder=created)
            raise


def _rebuild(root: Path, paths: list[str], user_words: tuple, user_dictionary: str | None,
             progress: Callable[[BuildReport], None] | None, groups: tuple = (),
             synonyms_file: str | None = None, word_cache: bool = True) -> BuildReport:
    report = BuildReport()
    started = time.perf_counter()
    seen: dict[str, str] = {}
    had_index = store.current(root) is not None
    with NewGeneration(root, user_words, had_index=had_index, word_cache=word_cache) as new:
        for batch in analysed_batches(bounded_items(read_paths(paths), report.notes), user_words, word_cache):
            for item in batch:
                skipped = item if isinstance(item, Skipped) else duplicate(item.article, seen)
                if skipped:
                    report.skipped.append(skipped)
                    continue
                report.sections += new.add(item)
                report.articles += 1
            if progress:
                report.seconds = time.perf_counter() - started
                progress(report)
            store._test_pause("write")  # a test kills the writer here, with a batch written
        if report.articles == 0:
            raise BuildError(f"no readable article in {', '.join(paths)} ({skipped_summary(report.skipped)} skipped); "
                             + ("the previous index is unchanged" if had_index else "no index was made"))
        if groups:
            synonyms.write(new.build, groups)
        report.seconds = time.perf_counter() - started
        gen = new.publish({
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "paths": [os.path.abspath(p) for p in paths],
            "skipped": len(report.skipped),
            "seconds": round(report.seconds, 3),
            "user_dictionary": os.path.abspath(user_dictionary) if user_dictionary else None,
            "user_words": len(user_words),
            "synonyms": os.path.abspath(synonyms_file) if synonyms_file else None,
            "synonym_groups": len(groups),
            "word_cache": word_cache,
        })
    report.seconds = time.perf_counter() - started  # with the arrays written at publishing
    report.generation = gen.name
    return report
