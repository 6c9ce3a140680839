"""Load an OpenSearch index from an embedded index instead of its article files: no Kiwi runs again.

An embedded generation already holds every section's morphemes (chaja.index.readback reads them
back), so its documents go to the cluster as a rebuild from the files would send them, through the
same bounded bulk loads, retries, alias switch and `--part K/N` split (chaja.index.opensearch_load).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from . import opensearch as osx
from . import readback
from .builder import BuildReport
from .opensearch_load import load_new


def rebuild_from_index(path: str | os.PathLike, loc: osx.Location, *, part: tuple[int, int] | None = None,
                       shards: int = osx.SHARDS, replicas: int = osx.REPLICAS,
                       progress: Callable[[BuildReport], None] | None = None) -> BuildReport:
    """Load the serving generation of the index folder at path into a fresh physical index and move the alias to it.

    The new index records the embedded index's article paths, user words and word_cache, so `chaja
    index update` and query analysis go on as they would after a rebuild from those files. With a part
    (K, N), load only that part, as `rebuild` does.
    """
    opened = readback.open_index(path)  # refused before the cluster is touched
    try:
        built = opened.generation.meta()
        # analysed word by word or in context as the embedded index was, so updates and queries read alike
        meta = {"built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "paths": built.get("paths", []),
                "user_dictionary": built.get("user_dictionary"), "user_words": [list(w) for w in opened.user_words],
                "word_cache": bool(opened.manifest.get("word_cache", False)),
                "parts": part[1] if part else 1, "from_index": str(opened.generation.path)}
        report = load_new(loc, meta, lambda report: readback.analysed_batches(opened, part),
                          lambda report: f"the index at {path} holds no article",
                          part=part, shards=shards, replicas=replicas, progress=progress)
    finally:
        opened.ix.close()
    if groups := built.get("synonym_groups"):
        report.notes.append(f"the {groups} synonym group(s) of {path} were not carried over: the OpenSearch backend "
                            "does not offer synonyms yet")
    return report
