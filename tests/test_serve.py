"""`chaja serve` as a real subprocess: worker processes, a rebuild while serving, shutdown on a signal."""

from __future__ import annotations

import json
import signal
import socket
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest

from chaja.index.builder import rebuild

from conftest import WEB_ARTICLES, Served, build_index, write_jsonl

pytestmark = pytest.mark.slow

SET_B = [{
    "id": "ulsan-whale", "title": "울산 앞바다에 밍크고래 출현", "source": "경상일보", "date": "2024-04-02",
    "sections": [{"heading": "", "text": "울산 장생포 앞바다에서 밍크고래 한 마리가 관광객들에게 목격되었다. "
                                         "해경은 고래를 보호하기 위해 선박 접근을 막았다."}],
}]


def get_json(url: str) -> tuple[int, dict]:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.status, json.loads(r.read())


def ask_every_worker(served: Served, path: str, marker: str, workers: int = 2, rounds: int = 50) -> list[tuple]:
    """GET path (tagged with marker) 4 at a time until `workers` processes have answered; return the answers.

    The tag only marks the requests in the access log, which names the worker that answered each.
    """
    answers: list[tuple] = []
    with ThreadPoolExecutor(4) as pool:
        for n in range(rounds):
            urls = [f"{served.base}{path}{'&' if '?' in path else '?'}{marker}={n}-{i}" for i in range(4)]
            answers += pool.map(get_json, urls)
            if len(served.answering_pids(f"{marker}=")) >= workers:
                return answers
    pytest.fail(f"only workers {served.answering_pids(f'{marker}=')} answered {len(answers)} requests")


def test_serve_answers_from_two_worker_processes(web_server: Served, web_index: Path) -> None:
    workers = web_server.worker_pids()
    assert len(workers) == 2 and web_server.process.pid not in workers
    answers = ask_every_worker(web_server, f"/api/search?q={quote('부산항')}", "two-workers")
    assert {(status, tuple(h["id"] for h in body["hits"])) for status, body in answers} == {
        (200, ("busan-port", "incheon-airport"))}
    assert web_server.answering_pids("two-workers=") == workers
    generation = web_index.joinpath("CURRENT").read_text().strip()
    status, health = get_json(f"{web_server.base}/healthz")
    assert (status, health["status"], health["generation"], type(health["warm"])) == (200, "ok", generation, bool)


def raw_status(served: Served, request: bytes) -> int:
    """Send one raw HTTP request and return the status code of the answer."""
    host, port = served.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(request)
        return int(s.makefile("rb").readline().split()[1])


def test_a_pasted_passage_in_the_address_is_searched_up_to_the_request_line_bound(web_server: Served) -> None:
    passage = "부산항의 컨테이너 물동량이 역대 최대를 기록했다. " * 39  # 1,092 characters, 8.1 KB in the address
    target = f"/api/search?q={quote(passage)}"
    assert len(f"GET {target} HTTP/1.1") == 8139  # under gunicorn's bound of 8190
    status, body = get_json(f"{web_server.base}{target}")
    assert (status, [h["id"] for h in body["hits"]][:1]) == (200, ["busan-port"])


@pytest.mark.parametrize(("request_bytes", "status"), [
    (b"GET /api/search?q=" + b"%EB%B6%80" * 910 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),  # 8,217-byte line
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 8200 + b"\r\n\r\n", 431),  # one huge header
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: 1\r\n" % i for i in range(60)) + b"\r\n", 431),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 200),
])
def test_request_line_and_headers_are_bounded(web_server: Served, request_bytes: bytes, status: int) -> None:
    assert raw_status(web_server, request_bytes) == status


def test_rebuild_while_serving_switches_every_worker_without_a_failed_request(tmp_path: Path, chaja_server) -> None:
    index = build_index(write_jsonl(tmp_path / "a" / "a.jsonl", WEB_ARTICLES).parent, tmp_path / "index")
    write_jsonl(tmp_path / "b" / "b.jsonl", WEB_ARTICLES + SET_B)
    served = chaja_server(index, "--workers", "2")
    base = served.base
    whale = f"{base}/api/search?q={quote('고래')}"
    status, body = get_json(whale)
    assert (status, body["total"]) == (200, 0)
    old_generation = get_json(f"{base}/healthz")[1]["generation"]

    statuses: list[int | str] = []
    done, hammering = threading.Event(), threading.Event()

    def hammer() -> None:
        urls = [f"{base}/api/search?q={quote('부산항')}", f"{base}/?q={quote('날씨')}", f"{base}/articles/busan-port",
                whale]
        while not done.is_set():
            for url in urls:
                try:
                    with urllib.request.urlopen(url, timeout=10) as r:
                        r.read()
                        statuses.append(r.status)
                except Exception as e:  # recorded, then asserted below
                    statuses.append(f"{url}: {e!r}")
                hammering.set()

    threads = [threading.Thread(target=hammer) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        assert hammering.wait(30)
        before = len(statuses)
        report = rebuild([tmp_path / "b"], index)
        # keep requesting until every worker has switched: each looks for a new generation every 0.2 s
        for n in range(100):
            answers = ask_every_worker(served, "/healthz", f"after-rebuild-{n}", rounds=200)
            if {body["generation"] for _, body in answers} == {report.generation}:  # both workers answered
                break
        during = len(statuses) - before
    finally:
        done.set()
        for t in threads:
            t.join(timeout=30)

    assert report.generation != old_generation
    assert during > 0  # requests ran while the workers switched
    assert [s for s in statuses if s != 200] == []
    # every worker now answers from the new generation
    answers = ask_every_worker(served, "/healthz", "after-rebuild")
    assert {(status, body["generation"]) for status, body in answers} == {(200, report.generation)}
    assert served.answering_pids("after-rebuild=") == served.worker_pids()
    answers = ask_every_worker(served, f"/api/search?q={quote('고래')}", "whale")
    assert {(status, tuple(h["id"] for h in body["hits"])) for status, body in answers} == {(200, ("ulsan-whale",))}


def test_serve_builds_from_corpus_then_sigterm_stops_every_process_with_exit_0(tmp_path: Path, chaja_server) -> None:
    write_jsonl(tmp_path / "corpus" / "a.jsonl", WEB_ARTICLES[:2])
    served = chaja_server(tmp_path / "index", "--workers", "2", cwd=tmp_path)  # no index yet: built from ./corpus
    status, body = get_json(f"{served.base}/api/search?q={quote('인천공항')}")
    assert (status, [h["id"] for h in body["hits"]]) == (200, ["incheon-airport"])
    workers = served.worker_pids()
    assert len(workers) == 2

    assert served.stop(signal.SIGTERM) == 0  # it exited by itself: stop() kills, giving -9, only after 15 s
    assert [pid for pid in workers if Path(f"/proc/{pid}").exists()] == []
    log = served.error_log.read_text()
    assert "Handling signal: term" in log and "Shutting down: Master" in log
    assert "Traceback" not in log


def mapped_files(pid: int) -> set[str]:
    """Return the paths of the files a process maps (/proc/PID/maps)."""
    lines = Path(f"/proc/{pid}/maps").read_text().splitlines()
    return {line.split(maxsplit=5)[5] for line in lines if len(line.split(maxsplit=5)) == 6}


def test_the_workers_map_the_same_search_arrays_and_share_kiwi_loaded_before_the_fork(web_server: Served,
                                                                                     web_index: Path) -> None:
    ask_every_worker(web_server, f"/api/search?q={quote('부산항 신항')}", "mapped")
    arrays = web_index / web_index.joinpath("CURRENT").read_text().strip() / "arrays"
    wanted = {str(arrays / f"{name}.npy") for name in ("impact.docs", "impact.scores", "text.docs", "terms.blob",
                                                        "article_of")}
    workers = sorted(web_server.worker_pids())
    assert [wanted - mapped_files(pid) for pid in workers] == [set(), set()]
    # the master loaded Kiwi (its native library is mapped) and the arrays, and runs no Kiwi threads
    master = web_server.process.pid
    assert any("_kiwipiepy" in path for path in mapped_files(master))
    assert wanted <= mapped_files(master)
    status = dict(line.split(":\t", 1) for line in Path(f"/proc/{master}/status").read_text().splitlines())
    assert status["Threads"].strip() == "1"
