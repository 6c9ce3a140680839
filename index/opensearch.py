"""An OpenSearch cluster as an index location: its address, client, index settings and alias.

A location ``opensearch://HOST:PORT[,HOST:PORT...]/NAME`` (``opensearch+https://`` for TLS) names
an alias NAME that serves searches. Every rebuild writes a fresh physical index ``NAME-<stamp>``
and moves the alias to it in one ``_aliases`` call once it is complete, so a failed or interrupted
rebuild leaves the old index serving. User name and password come from $CHAJA_OPENSEARCH_USER and
$CHAJA_OPENSEARCH_PASSWORD, a CA bundle for TLS from $CHAJA_OPENSEARCH_CA_CERTS.

Documents are section documents as in the embedded index (chaja.index.schema), but their title,
heading and text fields hold chaja's own Kiwi morphemes joined by spaces, analysed by a
``whitespace`` tokenizer: a morpheme's position in OpenSearch is its position in Kiwi's output,
which is the position the embedded index keeps (compound parts included), so phrases match alike.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from . import grams, schema
from .store import IndexUnavailable

SCHEMES = {"opensearch": False, "opensearch+https": True}  # scheme -> TLS
SHARDS = 2
REPLICAS = 1
SOURCE_KEY = "source_key"  # analysis.source_term of the source, as the embedded schema's source field matches it
# Between the readings of one position in an indexed field (token() keeps it out of a morpheme).
# Not a C0 separator such as U+001E: Java counts U+001C-U+001F as whitespace, so the whitespace
# tokenizer would split the readings apart onto positions of their own.
READINGS = "\u2063"
STORED = "stored"  # original title, heading and text, url, path and spans: returned, never searched
GRAM = "gram"  # the section's character bigrams (chaja.index.grams), space-separated
MAX_RESULT_WINDOW = 100_000  # page 1,000 of 100 hits, as Engine.search allows
RETRIES = 5
COPY_RATE = 5 * 2**20  # bytes a second a replica is assumed to copy at, at least (a busy 2-core machine)
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
T = TypeVar("T")


@dataclass(frozen=True)
class Location:
    """An OpenSearch index location: the cluster's hosts, TLS or not, and the alias that serves."""

    hosts: tuple[str, ...]
    https: bool
    alias: str

    def __str__(self) -> str:
        scheme = "opensearch+https" if self.https else "opensearch"
        return f"{scheme}://{','.join(self.hosts)}/{self.alias}"

    @property
    def parts_index(self) -> str:
        """Return the index where the parts of a split rebuild record that they are done."""
        return f"{self.alias}-parts"

    @property
    def pending_alias(self) -> str:
        """Return the alias naming the index that the parts of a split rebuild write into."""
        return f"{self.alias}-pending"


class ShardsLost(IndexUnavailable):
    """A new index lost a shard with the node that held it (it has no replicas while it loads)."""

    def __init__(self, index: str, health: dict):
        super().__init__(f"a node left the OpenSearch cluster and the new index {index} lost "
                         f"{health['unassigned_shards']} shard(s) with their documents ({health['number_of_nodes']} "
                         "nodes left); the alias still serves the previous index — start the node again and rerun "
                         "the rebuild")


def location(index: str | os.PathLike | None = None) -> Location | None:
    """Return the OpenSearch location named by index (else $CHAJA_INDEX), or None for an index folder."""
    text = str(index or os.environ.get("CHAJA_INDEX") or "")
    scheme, sep, rest = text.partition("://")
    if not sep or scheme not in SCHEMES:
        return None
    hosts, _, alias = rest.partition("/")
    hosts = tuple(h for h in hosts.split(",") if h)
    if not hosts or not all(re.fullmatch(r"[\w.-]+:\d+", h) for h in hosts) or not _NAME.match(alias):
        raise IndexUnavailable(f"cannot read the index location {text!r}; write opensearch://HOST:PORT/NAME "
                               "with a lower-case NAME (several hosts separated by commas)")
    return Location(hosts, SCHEMES[scheme], alias)


def client(loc: Location, timeout: float = 30):
    """Return an OpenSearch client for the location; it retries another host when one is down."""
    from opensearchpy import OpenSearch

    user, password = os.environ.get("CHAJA_OPENSEARCH_USER"), os.environ.get("CHAJA_OPENSEARCH_PASSWORD")
    hosts = [{"host": h.rsplit(":", 1)[0], "port": int(h.rsplit(":", 1)[1])} for h in loc.hosts]
    return OpenSearch(
        hosts, use_ssl=loc.https, verify_certs=loc.https, ca_certs=os.environ.get("CHAJA_OPENSEARCH_CA_CERTS"),
        http_auth=(user, password) if user else None, timeout=timeout, max_retries=2, retry_on_timeout=True,
        retry_on_status=(502, 503, 504), http_compress=not _loopback(loc),
    )


def _loopback(loc: Location) -> bool:
    """Say whether every host is this machine, where gzip on each request costs CPU and saves nothing.

    opensearch-py compresses at gzip's level 9: loading 60,000 articles into a local cluster spent
    half the loader's time in it (py-spy).
    """
    return all(h.rsplit(":", 1)[0].strip("[]") in ("127.0.0.1", "localhost", "::1") for h in loc.hosts)


def unreachable(loc: Location, error: Exception) -> IndexUnavailable:
    """Return the one-line error for a cluster that cannot be reached or refused a request."""
    reason = getattr(error, "error", None) or type(error).__name__
    info = getattr(error, "info", None)
    if isinstance(info, dict) and isinstance(info.get("error"), dict):
        reason = info["error"].get("reason") or reason
    elif isinstance(info, Exception):
        reason = str(info).split(": ")[-1][:200]
    return IndexUnavailable(f"cannot reach the OpenSearch cluster at {','.join(loc.hosts)} ({reason}); "
                            "check that it runs and that the address in --index or CHAJA_INDEX is right")


def retrying(loc: Location, call: Callable[[], T], tries: int = RETRIES, first_wait: float = 0.5) -> T:
    """Run call, retrying with exponential backoff on 429, 5xx and lost connections; IndexUnavailable at the end."""
    from opensearchpy.exceptions import ConnectionError as Unreachable, TransportError

    wait = first_wait
    for attempt in range(tries):
        try:
            return call()
        except Unreachable as e:
            error = e
        except TransportError as e:
            if not isinstance(e.status_code, int) or (e.status_code != 429 and e.status_code < 500):
                raise
            error = e
        if attempt < tries - 1:
            time.sleep(wait)
            wait = min(wait * 2, 10)
    raise unreachable(loc, error) from error


def new_index_name(loc: Location) -> str:
    """Return a fresh physical index name; names sort in build order."""
    now = time.time_ns()
    return f"{loc.alias}-{time.strftime('%Y%m%dt%H%M%S', time.gmtime(now // 10**9))}-{now % 10**9:09d}"


def body(meta: dict, shards: int = SHARDS, replicas: int = REPLICAS) -> dict:
    """Return the settings and mappings of a physical index, with chaja's build information in _meta."""
    from chaja.search.scoring import K1

    from .arrays_write import field_b

    def searched(field: str) -> dict:
        return {"type": "text", "analyzer": "chaja_morphemes", "similarity": f"chaja_bm25_{field}", "norms": True}
    return {
        "settings": {
            "index": {
                "number_of_shards": shards,
                "number_of_replicas": 0,  # while loading; replicas are added once it is complete
                "refresh_interval": "-1",
                "max_result_window": MAX_RESULT_WINDOW,
                # the same BM25 as the embedded index (chaja.search.scoring); field weights are query boosts
                # a field's length counts every reading, as the embedded index's does (Lucene by default
                # leaves out the tokens that share a position)
                # (b per field, as the embedded index's impacts: chaja.index.arrays_write.field_b)
                "similarity": {**{f"chaja_bm25_{f}": {"type": "BM25", "k1": K1, "b": field_b(f), "discount_overlaps": False}
                                  for f in schema.SEARCHED},
                               "chaja_bm25_gram": {"type": "BM25", "k1": grams.K1, "b": grams.B}},
                "analysis": {
                    "tokenizer": {"chaja_spaces": {"type": "whitespace", "max_token_length": 1024}},
                    # the readings of one position, joined by READINGS, become tokens at that position
                    "filter": {"chaja_readings": {"type": "pattern_capture", "preserve_original": False,
                                                  "patterns": [f"([^{READINGS}]+)"]}},
                    "analyzer": {"chaja_morphemes": {"type": "custom", "tokenizer": "chaja_spaces",
                                                     "filter": ["chaja_readings"]},
                                 "chaja_grams": {"type": "custom", "tokenizer": "chaja_spaces"}},
                },
            },
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": {**meta, "replicas": replicas},
            "properties": {
                schema.ARTICLE: {"type": "keyword"},
                schema.SECTION: {"type": "integer"},
                **{f: searched(f) for f in schema.SEARCHED},
                GRAM: {"type": "text", "analyzer": "chaja_grams", "similarity": "chaja_bm25_gram", "index_options": "freqs"},
                schema.DATE: {"type": "keyword"},
                schema.SOURCE: {"type": "keyword", "index": False},
                SOURCE_KEY: {"type": "keyword"},
                schema.DIGEST: {"type": "keyword", "index": False},
                STORED: {"type": "object", "enabled": False},
            },
        },
    }


def serving_index(es, loc: Location) -> str | None:
    """Return the physical index the alias names, or None when there is none yet."""
    from opensearchpy.exceptions import NotFoundError

    try:
        names = sorted(es.indices.get_alias(name=loc.alias))
    except NotFoundError:
        return None
    return names[-1] if names else None


def switch_alias(es, loc: Location, new: str, also_remove: Sequence[dict] = ()) -> str | None:
    """Point the alias at new in one atomic _aliases call; return the index it named before."""
    old = serving_index(es, loc)
    actions = [{"add": {"index": new, "alias": loc.alias}}, *also_remove]
    if old:
        actions.insert(0, {"remove": {"index": old, "alias": loc.alias}})
    es.indices.update_aliases(body={"actions": actions})
    return old


def prune(es, loc: Location, keep: Sequence[str]) -> None:
    """Delete this alias's physical indexes other than keep (the serving one, its predecessor, a pending one)."""
    pending = _pending(es, loc)
    for name in es.indices.get(index=f"{loc.alias}-2*", expand_wildcards="all", ignore_unavailable=True):
        if name not in keep and name not in pending:
            es.indices.delete(index=name, ignore_unavailable=True)


def _pending(es, loc: Location) -> list[str]:
    from opensearchpy.exceptions import NotFoundError

    try:
        return list(es.indices.get_alias(name=loc.pending_alias))
    except NotFoundError:
        return []


def meta(es, index: str) -> dict:
    """Return chaja's build information kept in an index's mapping _meta."""
    mapping = es.indices.get_mapping(index=index)
    return next(iter(mapping.values()))["mappings"].get("_meta", {})


def make_complete(es, index: str, replicas: int, timeout: float = 120) -> None:
    """Refresh a loaded index, add its replicas and wait until every copy is allocated."""
    es.indices.put_settings(index=index, body={"index": {"number_of_replicas": replicas, "refresh_interval": "1s"}})
    es.indices.refresh(index=index)
    es.indices.flush(index=index)
    # replicas are copies of the primaries' files: a large index gets the time that copying takes on a busy machine
    stored = es.indices.stats(index=index, metric="store")["_all"]["primaries"]["store"]["size_in_bytes"]
    timeout = max(timeout, stored * replicas / COPY_RATE)
    health = wait_status(es, index, "green" if replicas else "yellow", timeout, red_fails=True)
    if health.get("timed_out"):
        raise IndexUnavailable(f"the new index {index} did not get all its {replicas} replica(s) within {timeout:.0f} s "
                               f"(cluster health {health.get('status')}, {health.get('number_of_nodes')} nodes); "
                               "the alias still names the previous index")


def wait_status(es, index: str, status: str, timeout: float, red_fails: bool = False) -> dict:
    """Wait up to timeout seconds for an index's health to reach status; return the last health (timed_out if not).

    With red_fails, a red index (a primary shard lost with the node that held it) fails at once.
    """
    wanted = ("green",) if status == "green" else ("green", "yellow")
    deadline = time.monotonic() + timeout
    while True:
        health = es.cluster.health(index=index)
        if health["status"] in wanted:
            return health
        if red_fails and health["status"] == "red" and not health.get("initializing_shards"):
            raise ShardsLost(index, health)
        if time.monotonic() > deadline:
            return {**health, "timed_out": True}
        time.sleep(0.5)
