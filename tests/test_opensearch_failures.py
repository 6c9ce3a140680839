"""The OpenSearch backend when a node dies: searches go on, a rebuild fails and leaves the old index serving."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
import urllib.request

import pytest
from click.testing import CliRunner

from chaja.web.cli import main

from conftest import CHAJA, WEB_ARTICLES, _cluster_module, write_jsonl

pytestmark = pytest.mark.opensearch

QUERIES = {"부산항": ["busan-port", "incheon-airport"], "감귤 수확": ["news/2024/jeju-tangerine"],
           "미세먼지 농도": [f"seoul-weather-{d:02d}" for d in range(1, 11)]}


def location(cluster, name: str) -> str:
    return f"opensearch://{','.join(cluster.hosts)}/{name}"


def get(cluster, path: str):
    """GET a cluster API path as JSON from the first node that answers."""
    for node in cluster.nodes:
        try:
            with urllib.request.urlopen(f"{node.url}{path}", timeout=10) as r:
                return json.load(r)
        except OSError:
            continue
    raise AssertionError(f"no node answers {path}")


def alias_index(cluster, alias: str) -> str:
    (name,) = get(cluster, f"/_alias/{alias}")
    return name


@pytest.fixture
def restart_after(opensearch_cluster):
    """Yield a list to put killed nodes in; start them again after the test and wait for green."""
    killed = []
    yield killed
    cluster = _cluster_module()
    for node in killed:
        cluster.restart(opensearch_cluster, node)


def test_searches_survive_a_node_killed_with_sigkill(opensearch_cluster, tmp_path, restart_after):
    from chaja.search import Engine

    write_jsonl(tmp_path / "web.jsonl", WEB_ARTICLES)
    loc = location(opensearch_cluster, "failover")
    assert CliRunner().invoke(main, ["index", "rebuild", str(tmp_path), "--index", loc]).exit_code == 0
    engine = Engine(loc)
    expected = {q: engine.search(q).total for q in QUERIES}
    assert all(ids == [h.id for h in engine.search(q).hits] for q, ids in QUERIES.items())
    results, failures, stop = [], [], threading.Event()

    def stream():
        while not stop.is_set():
            for q, ids in QUERIES.items():
                try:
                    page = engine.search(q)
                    results.append(([h.id for h in page.hits] == ids and page.total == expected[q], time.monotonic()))
                except Exception as e:  # recorded, and the assert below fails on it
                    failures.append(repr(e))

    worker = threading.Thread(target=stream)
    worker.start()
    try:
        time.sleep(2)
        victim = opensearch_cluster.nodes[0]
        killed_at = time.monotonic()
        _cluster_module().kill(victim, signal.SIGKILL)
        restart_after.append(victim)
        time.sleep(8)
    finally:
        stop.set()
        worker.join()
    after = [ok for ok, at in results if at > killed_at]
    assert failures == []
    assert len(after) >= 10 and all(after)
    assert all(ok for ok, _ in results)
    # no document lost: every section of every article is still found
    assert engine.stats()["sections"] == sum(len(a["sections"]) for a in WEB_ARTICLES)
    assert engine.stats()["articles"] == len(WEB_ARTICLES)


def test_a_node_lost_during_a_rebuild_fails_it_and_the_alias_keeps_serving(opensearch_cluster, tmp_path, restart_after):
    from chaja.search import Engine

    small, big = tmp_path / "small", tmp_path / "big"
    write_jsonl(small / "web.jsonl", WEB_ARTICLES)
    loc = location(opensearch_cluster, "survivor")
    assert CliRunner().invoke(main, ["index", "rebuild", str(small), "--index", loc]).exit_code == 0
    old = alias_index(opensearch_cluster, "survivor")
    sentence = "항구에 들어온 배가 컨테이너를 내리고 다시 바다로 나갔다. 선원들은 날씨가 좋아 일찍 출항했다고 말했다. "
    write_jsonl(big / "many.jsonl", [
        {"id": f"ship-{i}", "title": f"항구 소식 {i}", "sections": [{"heading": "", "text": sentence * 3},
                                                                {"heading": "날씨", "text": sentence * 2}]}
        for i in range(2000)])
    log = tmp_path / "rebuild.log"
    with log.open("w") as err:
        rebuild = subprocess.Popen([CHAJA, "index", "rebuild", str(big), "--index", loc], stdout=subprocess.DEVNULL,
                                   stderr=err)
    try:
        new, deadline = None, time.monotonic() + 120
        while new is None and time.monotonic() < deadline and rebuild.poll() is None:
            # the new index is not refreshed while it loads: count what it indexed, not what it shows
            stats = get(opensearch_cluster, "/survivor-2*/_stats/indexing")["indices"]
            new = next((name for name, s in stats.items()
                        if name != old and s["primaries"]["indexing"]["index_total"] >= 600), None)
            time.sleep(0.2)
        assert new, f"the rebuild never loaded 600 documents:\n{log.read_text()}"
        shards = get(opensearch_cluster, f"/_cat/shards/{new}?format=json")
        holder = next(s["node"] for s in shards if s["prirep"] == "p")
        victim = next(n for n in opensearch_cluster.nodes if n.name == holder)
        _cluster_module().kill(victim, signal.SIGKILL)
        restart_after.append(victim)
        assert rebuild.wait(timeout=240) == 1
    finally:
        if rebuild.poll() is None:
            rebuild.kill()
            rebuild.wait()
    last = log.read_text().strip().splitlines()[-1]
    assert last.startswith(f"Error: a node left the OpenSearch cluster and the new index {new} lost ") and f"the new index {new} lost " in last
    assert last.endswith("the alias still serves the previous index — start the node again and rerun the rebuild")
    assert alias_index(opensearch_cluster, "survivor") == old
    page = Engine(loc).search("부산항")
    assert [h.id for h in page.hits] == QUERIES["부산항"]
