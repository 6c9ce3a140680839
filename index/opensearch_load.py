"""Rebuild, update and publish an index on an OpenSearch cluster (see chaja.index.opensearch).

Kiwi analyses here, with the same batches as the embedded builder (every local core); the
cluster only stores the morphemes. The index's _meta keeps ``word_cache`` (chaja.index.wordcache)
beside its user words, so an update and the queries read text as its rebuild did; an index without
the key was analysed in context. `--part K/N` splits a rebuild over N processes or machines:
each analyses the articles whose id hashes to its part and loads them into one pending index;
`chaja index publish` moves the alias once every part has recorded that it is done.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from . import analysis, schema
from . import opensearch as osx
from .article import Article, Skipped
from .builder import BuildReport
from .counts import skipped_summary
from .opensearch_docs import documents
from .pipeline import Analysed, BuildError, analysed_batches, bounded_items, chunked, digest, duplicate
from .readers import read_paths
from .store import IndexUnavailable
from .update import UpdateReport, _id_roots, _under

CHUNK = 500  # section documents per bulk request
CHUNK_BYTES = 8 * 1024 * 1024


def in_part(article_id: str, part: tuple[int, int] | None) -> bool:
    """Tell whether an article belongs to part K of N (1-based), by a stable hash of its id."""
    if part is None:
        return True
    k, n = part
    return int.from_bytes(hashlib.blake2b(article_id.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                          "big") % n == k - 1


def word_cache_of(meta: dict) -> bool:
    """Tell whether an index's _meta says it was analysed word by word (an index without the key was not)."""
    return bool(meta.get("word_cache", False))


def _load(es, loc: osx.Location, index: str, actions: Iterable[dict]) -> None:
    """Bulk-load actions in bounded chunks; 429 is retried by the helper, 5xx and lost nodes here."""
    from opensearchpy import helpers

    for chunk in chunked(actions, CHUNK):
        # A chunk is sent again whole after a failure: documents have fixed ids, so that is safe.
        def send():
            _check_shards(es, index)
            try:
                for _ in helpers.streaming_bulk(es, chunk, index=index, chunk_size=CHUNK, max_chunk_bytes=CHUNK_BYTES,
                                                max_retries=osx.RETRIES, initial_backoff=1, max_backoff=16,
                                                raise_on_error=True, raise_on_exception=True):
                    pass
            except helpers.BulkIndexError as e:
                _check_shards(es, index)
                first = next(iter(e.errors[0].values()), {}) if e.errors else {}
                raise BuildError(f"OpenSearch refused {len(e.errors)} documents of the new index {index} "
                                 f"({first.get('error', first)})") from e
        osx.retrying(loc, send)


def _check_shards(es, index: str) -> None:
    """Raise ShardsLost when the index is red: while it loads it has no replicas, so a lost node loses documents."""
    health = es.cluster.health(index=index)
    if health["status"] == "red":
        raise osx.ShardsLost(index, health)


@contextmanager
def _alias_unchanged(loc: osx.Location) -> Iterator[None]:
    """Turn a cluster failure inside into a one-line BuildError saying the alias still names the previous index."""
    from opensearchpy.exceptions import OpenSearchException

    try:
        yield
    except OpenSearchException as e:
        raise BuildError(f"{osx.unreachable(loc, e)}; the alias {loc.alias} still names the previous index") from e
    except osx.ShardsLost as e:  # its message already says what happened to the alias
        raise BuildError(str(e)) from e
    except IndexUnavailable as e:
        raise BuildError(f"{e}; the alias {loc.alias} still names the previous index") from e


def rebuild(paths: Iterable[str | os.PathLike], loc: osx.Location, *, user_dictionary: str | None = None,
            part: tuple[int, int] | None = None, shards: int = osx.SHARDS, replicas: int = osx.REPLICAS,
            progress: Callable[[BuildReport], None] | None = None, word_cache: bool = True) -> BuildReport:
    """Index the articles under paths into a fresh physical index and move the alias to it.

    With ``word_cache`` (the default) each distinct word of a batch is analysed once, as the
    embedded rebuild does (chaja.index.wordcache); False analyses every word in its sentence. With
    a part (K, N), load only that part into the pending index shared by all parts and leave the
    alias alone; `publish` moves it when all N parts are done.
    """
    paths = [str(p) for p in paths]
    user_words = analysis.read_user_dictionary(user_dictionary) if user_dictionary else ()
    meta = {"built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "paths": [os.path.abspath(p) for p in paths],
            "user_dictionary": os.path.abspath(user_dictionary) if user_dictionary else None,
            "user_words": [list(w) for w in user_words], "word_cache": word_cache, "parts": part[1] if part else 1}

    def batches(report: BuildReport) -> Iterable[list[Analysed | Skipped]]:
        mine = (item for item in read_paths(paths) if not isinstance(item, Article) or in_part(item.id, part))
        return analysed_batches(bounded_items(mine, report.notes), user_words, word_cache)

    return load_new(loc, meta, batches, lambda r: f"no readable article in {', '.join(paths)} "
                                                  f"({skipped_summary(r.skipped)} skipped)",
                    part=part, shards=shards, replicas=replicas, progress=progress)


def load_new(loc: osx.Location, meta: dict, batches: Callable[[BuildReport], Iterable[list[Analysed | Skipped]]],
             nothing: Callable[[BuildReport], str], *, part: tuple[int, int] | None = None, shards: int = osx.SHARDS,
             replicas: int = osx.REPLICAS, progress: Callable[[BuildReport], None] | None = None) -> BuildReport:
    """Load the analysed articles of batches(report) into a fresh physical index and move the alias to it.

    With a part (K, N), load them into the pending index shared by all parts and leave the alias
    alone. nothing(report) says why no article came, if none did.
    """
    from opensearchpy.exceptions import OpenSearchException

    es = osx.client(loc)
    report = BuildReport()
    started = time.perf_counter()
    with _alias_unchanged(loc):
        index = _pending_index(es, loc, meta, shards, replicas) if part else osx.new_index_name(loc)
        if not part:
            osx.retrying(loc, lambda: es.indices.create(index=index, body=osx.body(meta, shards, replicas)))
        report.generation = index
        osx.retrying(loc, lambda: osx.wait_status(es, index, "yellow", 60))
        try:
            _load(es, loc, index, _actions(batches(report), report, started, progress))
            if report.articles == 0 and not part:
                raise BuildError(f"{nothing(report)}; the previous index is unchanged")
            if part:
                done = {"part": part[0], "of": part[1], "articles": report.articles, "sections": report.sections}
                osx.retrying(loc, lambda: es.index(index=loc.parts_index, id=str(part[0]), body=done, refresh=True))
            else:
                osx.retrying(loc, lambda: osx.make_complete(es, index, replicas))
                report.seconds = time.perf_counter() - started
                _publish(es, loc, index, report)
        except BaseException:
            if not part:  # best effort: a cluster that is down keeps it until the next rebuild prunes it
                try:
                    es.indices.delete(index=index, ignore_unavailable=True)
                except OpenSearchException:
                    pass
            raise
    report.seconds = time.perf_counter() - started
    return report


def _actions(batches: Iterable[list[Analysed | Skipped]], report: BuildReport, started: float,
             progress) -> Iterator[dict]:
    """Yield the bulk actions of every analysed article, recording what was skipped."""
    seen: dict[str, str] = {}
    for batch in batches:
        for item in batch:
            if isinstance(item, Skipped):
                report.skipped.append(item)
                continue
            if skipped := duplicate(item.article, seen):
                report.skipped.append(skipped)
                continue
            for doc_id, doc in documents(item):
                report.sections += 1
                yield {"_id": doc_id, "_source": doc}
            report.articles += 1
        if progress:
            report.seconds = time.perf_counter() - started
            progress(report)


def _pending_index(es, loc: osx.Location, meta: dict, shards: int, replicas: int) -> str:
    """Return the index the parts of a split rebuild share, creating it (named by the pending alias) if needed."""
    from opensearchpy.exceptions import RequestError

    pending = osx.retrying(loc, lambda: osx._pending(es, loc))
    if not pending:
        name = osx.new_index_name(loc)
        create = osx.body(meta, shards, replicas)
        create["aliases"] = {loc.pending_alias: {}}
        try:
            osx.retrying(loc, lambda: es.indices.create(index=name, body=create))
        except RequestError:  # another part created one first
            pass
        pending = osx.retrying(loc, lambda: osx._pending(es, loc))
    index = sorted(pending)[0]  # two parts that raced both use the older one; publish drops the other
    started = word_cache_of(osx.retrying(loc, lambda: osx.meta(es, index)))
    if started != word_cache_of(meta):  # the parts' texts would be read two ways in one index
        raise BuildError(f"the split rebuild pending for {loc} reads words {_reading(started)}, this part "
                         f"{_reading(not started)}; run every part with the same --word-cache or --in-context")
    return index


def _reading(word_cache: bool) -> str:
    return "one by one (--word-cache)" if word_cache else "in context (--in-context)"


def publish(loc: osx.Location) -> BuildReport:
    """Move the alias to the pending index of a split rebuild once every part is done."""
    from opensearchpy.exceptions import NotFoundError

    es = osx.client(loc)
    report = BuildReport()
    with _alias_unchanged(loc):
        pending = sorted(osx.retrying(loc, lambda: osx._pending(es, loc)))
        if not pending:
            raise BuildError(f"no split rebuild is pending for {loc}; run `chaja index rebuild --part K/N` first")
        index = pending[0]
        parts = osx.meta(es, index).get("parts", 1)
        try:
            done = osx.retrying(loc, lambda: es.search(index=loc.parts_index, body={"size": 1000}))["hits"]["hits"]
        except NotFoundError:
            done = []
        numbers = {int(h["_id"]) for h in done}
        if missing := sorted(set(range(1, parts + 1)) - numbers):
            raise BuildError(f"parts {', '.join(map(str, missing))} of {parts} are not done yet; run them, then publish "
                             "again — the alias still names the previous index")
        report.articles = sum(h["_source"]["articles"] for h in done)
        report.sections = sum(h["_source"]["sections"] for h in done)
        if report.articles == 0:
            raise BuildError("the parts indexed no article; the alias still names the previous index")
        osx.retrying(loc, lambda: osx.make_complete(es, index, osx.meta(es, index).get("replicas", osx.REPLICAS)))
        report.generation = index
        _publish(es, loc, index, report, [{"remove": {"index": p, "alias": loc.pending_alias}} for p in pending])
        es.indices.delete(index=loc.parts_index, ignore_unavailable=True)
    return report


def _publish(es, loc: osx.Location, index: str, report: BuildReport, also: list[dict] = ()) -> None:
    """Record the counts in the new index's _meta, switch the alias to it and drop older indexes."""
    es.indices.put_mapping(index=index, body={"_meta": {**osx.meta(es, index), "articles": report.articles,
                                                        "sections": report.sections,
                                                        "seconds": round(report.seconds, 3)}})
    previous = osx.switch_alias(es, loc, index, also)
    osx.prune(es, loc, keep=[index, previous] if previous else [index])


def indexed_articles(es, index: str) -> dict[str, tuple[str, str | None]]:
    """Return every article of an index with its digest and source path (from its first section)."""
    out: dict[str, tuple[str, str | None]] = {}
    after = None
    while True:
        query = {"size": 5000, "query": {"term": {schema.SECTION: 0}}, "sort": [{schema.ARTICLE: "asc"}],
                 "_source": [schema.ARTICLE, schema.DIGEST, f"{osx.STORED}.{schema.PATH}"]}
        if after:
            query["search_after"] = after
        hits = es.search(index=index, body=query)["hits"]["hits"]
        for h in hits:
            s = h["_source"]
            out[s[schema.ARTICLE]] = (s.get(schema.DIGEST, ""), s.get(osx.STORED, {}).get(schema.PATH))
        if len(hits) < 5000:
            return out
        after = hits[-1]["sort"]


def section_ids(es, index: str, article_ids: list[str]) -> Iterator[str]:
    """Yield the document ids of every section of these articles."""
    for start in range(0, len(article_ids), 1000):
        after = None
        while True:
            query = {"size": 5000, "query": {"terms": {schema.ARTICLE: article_ids[start : start + 1000]}},
                     "sort": [{schema.ARTICLE: "asc"}, {schema.SECTION: "asc"}], "_source": False}
            if after:
                query["search_after"] = after
            hits = es.search(index=index, body=query)["hits"]["hits"]
            yield from (h["_id"] for h in hits)
            if len(hits) < 5000:
                break
            after = hits[-1]["sort"]


def update(paths: Iterable[str | os.PathLike], loc: osx.Location) -> UpdateReport:
    """Add new, re-index changed (by content hash) and delete vanished articles under paths, in place.

    OpenSearch applies the changes to the serving index, visible at the refresh that ends the
    update; articles from files outside paths stay as they are.
    """
    from opensearchpy.exceptions import OpenSearchException

    paths = [os.path.abspath(p) for p in paths]
    report = UpdateReport()
    started = time.perf_counter()
    es = osx.client(loc)
    try:
        index = osx.retrying(loc, lambda: osx.serving_index(es, loc))
        if index is None:
            raise IndexUnavailable(f"no index at {loc}; build one with `chaja index rebuild --index {loc}`")
        meta = osx.meta(es, index)
        user_words = tuple(tuple(w) for w in meta.get("user_words", []))
        word_cache = word_cache_of(meta)  # analysed as the rebuild analysed
        indexed = osx.retrying(loc, lambda: indexed_articles(es, index))
        seen: dict[str, str] = {}

        def to_index(items):
            """Yield the new and changed articles (and what could not be read); count the unchanged."""
            for item in bounded_items(items, report.notes):
                if isinstance(item, Skipped):
                    yield item
                    continue
                old = indexed.get(item.id)
                if old is not None and item.id not in seen and not _under(old[1], paths):
                    yield Skipped(item.path or item.id,
                                  f"duplicate article id {item.id!r} (also in {old[1]}, not updated now)")
                    continue
                if skipped := duplicate(item, seen):
                    yield skipped
                elif old is not None and old[0] == digest(item) and old[1] == os.path.abspath(item.path or ""):
                    report.unchanged += 1
                else:
                    yield item

        def actions():
            for batch in analysed_batches(to_index(read_paths(paths, root=_id_roots(meta.get("paths", [])))), user_words,
                                          word_cache):
                for item in batch:
                    if isinstance(item, Skipped):
                        report.skipped.append(item)
                        continue
                    article = item.article
                    if article.id in indexed:
                        report.changed.append(article.id)
                        # a changed article may have fewer sections now: drop those it no longer has
                        keep = {schema.section_id(article.id, i) for i in range(len(article.sections))}
                        for doc_id in section_ids(es, index, [article.id]):
                            if doc_id not in keep:
                                yield {"_op_type": "delete", "_id": doc_id}
                    else:
                        report.added.append(article.id)
                    for doc_id, doc in documents(item):
                        yield {"_id": doc_id, "_source": doc}
            report.removed = sorted(a for a, (_, p) in indexed.items() if a not in seen and _under(p, paths))
            if report.removed and len(report.removed) == len(indexed) and not report.added:
                raise BuildError(f"the update would remove every article from {loc}; nothing was removed "
                                 "(use `chaja index rebuild` to start over)")

        _load(es, loc, index, actions())
        # without OpenSearch's reindex module there is no _delete_by_query: delete the sections by id
        _load(es, loc, index, ({"_op_type": "delete", "_id": doc_id} for doc_id in section_ids(es, index, report.removed)))
        osx.retrying(loc, lambda: es.indices.refresh(index=index))
        report.generation = index
    except OpenSearchException as e:
        raise BuildError(str(osx.unreachable(loc, e))) from e
    report.seconds = time.perf_counter() - started
    return report
