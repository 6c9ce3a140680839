"""Shared fixtures. Web fixtures first: a small Korean test index, the app, its client, `chaja serve`."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# --- web fixtures: web_index, app, client, chaja_server, web_server --------------------------

SCRIPT = "<script>alert(1)</script>"

WEB_ARTICLES = [
    {
        "id": "busan-port", "title": "부산항 컨테이너 물동량 역대 최대", "source": "연합뉴스", "date": "2024-01-05",
        "url": "https://example.com/news/busan-port",
        "sections": [
            {"heading": "", "text": "부산항의 지난해 컨테이너 물동량이 2,300만 개를 넘어 역대 최대를 기록했다. "
                                    "해양수산부는 환적 화물이 크게 늘어난 덕분이라고 설명했다."},
            {"heading": "신항 개발", "text": "부산항 신항에 새 부두가 문을 열면서 하역 능력이 크게 늘었다. "
                                         "항만공사는 자동화 크레인을 더 들여올 계획이다."},
            {"heading": "보안 점검", "text": f"항만 전산망 점검에서 {SCRIPT} 같은 악성 코드가 게시판에 올라온 사실이 확인되었다. "
                                         "보안 담당자는 입력값 검사를 강화하겠다고 밝혔다."},
        ],
    },
    {
        "id": "incheon-airport", "title": "인천공항 이용객 코로나 이전 수준 회복", "source": "한겨레", "date": "2024-02-10",
        "url": "https://example.com/news/incheon-airport",
        "sections": [
            {"heading": "", "text": "인천공항의 국제선 이용객이 코로나 이전 수준을 거의 회복했다. "
                                    "설 연휴에는 하루 이용객이 20만 명을 넘었다."},
            {"heading": "항공 화물", "text": "반도체 수출이 살아나면서 항공 화물도 늘었다. 부산항을 거치는 해상 화물과 달리 "
                                         "항공 화물은 운임이 비싸다."},
        ],
    },
    {
        "id": "news/2024/jeju-tangerine", "title": "제주 감귤 수확 시작", "source": "제주일보", "date": "2023-11-20",
        "url": "javascript:alert(1)",
        "sections": [
            {"heading": "", "text": "제주 서귀포 일대 과수원에서 노지 감귤 수확이 시작되었다. "
                                    "올해는 일조량이 많아 당도가 높다."},
            {"heading": "가격 전망", "text": "농협은 감귤 가격이 지난해보다 조금 오를 것으로 내다봤다."},
        ],
    },
] + [
    {
        "id": f"seoul-weather-{day:02d}", "title": f"서울 날씨 3월 {day}일", "source": "기상청", "date": f"2024-03-{day:02d}",
        "url": f"https://example.com/weather/{day}",
        "sections": [
            {"heading": "", "text": f"3월 {day}일 서울은 대체로 맑은 날씨가 이어지겠다. 낮 최고 기온은 {day + 5}도로 예상된다."},
            {"heading": "미세먼지", "text": "미세먼지 농도는 보통 수준을 보이겠다."},
        ],
    }
    for day in range(1, 13)
]


def write_jsonl(path: Path, articles: list[dict]) -> Path:
    """Write articles as JSON Lines, one article a line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    return path


def build_index(articles_dir: Path, index_dir: Path, word_cache: bool = True) -> Path:
    """Build an index of the articles in a folder (word by word, the default, or in context) and return its folder."""
    from chaja.index.builder import rebuild

    rebuild([articles_dir], index_dir, word_cache=word_cache)
    return index_dir


def engine_over(tmp_path_factory: pytest.TempPathFactory, name: str, articles: list[dict], word_cache: bool = True):
    """Return an Engine over a fresh index of these articles (written as JSON Lines)."""
    from chaja.search import Engine

    folder = tmp_path_factory.mktemp(name)
    write_jsonl(folder / "articles" / "a.jsonl", articles)
    return Engine(build_index(folder / "articles", folder / "index", word_cache))


@pytest.fixture(scope="session")
def web_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the folder of a small index built once from WEB_ARTICLES."""
    articles = tmp_path_factory.mktemp("web-articles")
    write_jsonl(articles / "articles.jsonl", WEB_ARTICLES)
    return build_index(articles, tmp_path_factory.mktemp("web-index"))


@pytest.fixture
def app(web_index: Path):
    """Return the app on the test index."""
    from chaja.web import create_app

    return create_app({"TESTING": True, "INDEX": str(web_index)})


@pytest.fixture
def client(app):
    """Return a test client of the app."""
    return app.test_client()


CHAJA = shutil.which("chaja") or str(Path(sys.executable).with_name("chaja"))  # the installed command


@dataclass
class Served:
    """A `chaja serve` running in a subprocess: its process, base URL and log files."""

    process: subprocess.Popen
    base: str
    access_log: Path
    error_log: Path

    def worker_pids(self) -> set[int]:
        """Return the pids of the worker processes, read from /proc."""
        pids = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # the process ended meanwhile
                continue
            if int(fields[1]) == self.process.pid:
                pids.add(int(stat.parent.name))
        return pids

    def answering_pids(self, marker: str) -> set[int]:
        """Return the pids of the workers that logged a request whose line holds marker."""
        lines = self.access_log.read_text(encoding="utf-8").splitlines()
        return {int(line.rsplit("<", 1)[1].rstrip(">")) for line in lines if marker in line}

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
        """Send sig and return the exit status; kill the server if it does not end within timeout."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(index: Path, logs: Path, *options: str, cwd: Path | None = None, wait: float = 120) -> Served:
    """Start `chaja serve` over index on a free local port; return it once /healthz answers 200."""
    logs.mkdir(parents=True, exist_ok=True)
    port = free_port()
    access_log, error_log = logs / "access.log", logs / "error.log"
    with error_log.open("w") as errors:
        process = subprocess.Popen(
            [CHAJA, "serve", "--index", str(index), "--port", str(port), "--access-log", str(access_log), *options],
            cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
    served = Served(process, f"http://127.0.0.1:{port}", access_log, error_log)
    deadline = time.monotonic() + wait
    workers = int(options[options.index("--workers") + 1]) if "--workers" in options else None
    while True:
        try:
            with urllib.request.urlopen(f"{served.base}/healthz", timeout=5) as r:
                # the app is loaded before the fork, so the first worker answers while the master still forks the next
                if r.status == 200 and (workers is None or len(served.worker_pids()) >= workers):
                    return served
        except OSError:
            pass
        if served.process.poll() is not None or time.monotonic() > deadline:
            served.stop(signal.SIGKILL)
            pytest.fail(f"chaja serve did not start:\n{served.error_log.read_text()}")
        time.sleep(0.1)


@pytest.fixture
def chaja_server(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """Return start(index, *options): run `chaja serve` in a subprocess; it is stopped after the test."""
    running: list[Served] = []

    def start(index: Path, *options: str, cwd: Path | None = None) -> Served:
        running.append(start_server(index, tmp_path / f"server-{len(running)}", *options, cwd=cwd))
        return running[-1]

    yield start
    for served in running:
        served.stop()


@pytest.fixture(scope="session")
def web_server(web_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Return `chaja serve --workers 2` over the test index, shared by the session."""
    served = start_server(web_index, tmp_path_factory.mktemp("web-server"), "--workers", "2")
    yield served
    served.stop()


# --- library fixtures: the bundled corpus indexed once per session -------------------------------

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"


@pytest.fixture
def without_bigrams(monkeypatch):
    """Leave the character bigrams (chaja.search.grams) out of ranking, for a test of another ranking rule alone."""
    from chaja.search import grams

    monkeypatch.setattr(grams, "WEIGHT", 0.0)


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the folder of an index built once from the bundled corpus/."""
    return build_index(CORPUS, tmp_path_factory.mktemp("corpus-index"))


@pytest.fixture(scope="session")
def engine(corpus_index: Path):
    """Return an Engine over the bundled corpus index."""
    from chaja.search import Engine

    return Engine(corpus_index)


# --- OpenSearch: one 3-node test cluster per session (tests/opensearch/cluster.py) -----------------

def _cluster_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("chaja_test_cluster", Path(__file__).parent / "opensearch" / "cluster.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    # With pytest-xdist every OpenSearch test runs in the same worker, so one cluster serves them all.
    if getattr(config.option, "dist", "no") == "load":
        config.option.dist = "loadgroup"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("opensearch"):
            item.add_marker(pytest.mark.xdist_group("opensearch"))


@pytest.fixture(scope="session")
def opensearch_cluster(tmp_path_factory: pytest.TempPathFactory):
    """Return a running 3-node OpenSearch cluster; its nodes are stopped by pid at the end, even on failure."""
    cluster = _cluster_module()
    if reuse := os.environ.get("CHAJA_TEST_OPENSEARCH_CLUSTER"):  # while iterating: a cluster started by cluster.py
        yield cluster.load(Path(reuse))
        return
    running = cluster.start(tmp_path_factory.mktemp("opensearch"), nodes=3)
    try:
        yield running
    finally:
        cluster.stop(running)
