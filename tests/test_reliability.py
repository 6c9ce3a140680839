"""Reliability: incremental updates, one writer at a time, kill -9 at any moment, unwritable and full disks."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from chaja.index import lock, schema, store
from chaja.index.builder import rebuild
from chaja.index.update import update
from chaja.search import Engine
from chaja.web.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
CHAJA = shutil.which("chaja") or str(Path(sys.executable).with_name("chaja"))  # the installed command
QUERIES = ("반도체", "부산항", "마라톤 훈련", '"역대 최대"', "수출 -반도체", "날씨")


def answers(index: Path) -> list[tuple[int, list[str]]]:
    """Return (total, hit ids) of every query in QUERIES, from a freshly opened Engine."""
    engine = Engine(index)
    return [(page.total, [h.id for h in page.hits]) for page in (engine.search(q, size=20) for q in QUERIES)]


def contents(index: Path) -> list[tuple]:
    """Return every section document of the serving generation as sorted tuples of its stored fields."""
    with store.require(index).open().searcher() as s:
        return sorted((f[schema.ID], f[schema.ARTICLE], f[schema.TITLE], f[schema.HEADING], f[schema.TEXT],
                       f[schema.DIGEST], f.get(schema.PATH), f.get(schema.DATE), f[schema.SPANS])
                      for f in s.all_stored_fields())


def file_hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def chaja(*args: str, env: dict | None = None, **kwargs) -> subprocess.Popen:
    """Start the real `chaja` command in a subprocess."""
    return subprocess.Popen([CHAJA, *args], env={**os.environ, **(env or {})}, text=True, **kwargs)


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def write_text_article(path: Path, title: str, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")


def jsonl(path: Path, articles: list[dict]) -> Path:
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def base(corpus_index: Path) -> tuple[Path, str, list]:
    """Return the session's index of the bundled corpus (never written to), its generation and its answers to QUERIES."""
    return corpus_index, store.require(corpus_index).name, answers(corpus_index)


@pytest.fixture
def index_copy(base, tmp_path) -> Path:
    """Return a private copy of the base index, so a test may crash writers on it."""
    shutil.copytree(base[0], tmp_path / "index")
    return tmp_path / "index"


# --- updates -----------------------------------------------------------------------------------

@pytest.fixture
def small(tmp_path) -> Path:
    """Return a folder with three text articles in two subfolders and a JSON Lines file of two."""
    root = tmp_path / "articles"
    write_text_article(root / "news" / "port.txt", "부산항 물동량 증가", "부산항의 컨테이너 물동량이 크게 늘었다.")
    write_text_article(root / "news" / "chip.txt", "반도체 수출 회복", "반도체 수출이 석 달째 늘었다.")
    write_text_article(root / "blog" / "run.txt", "첫 마라톤 완주기", "마라톤 훈련을 16주 동안 했다.")
    jsonl(root / "feed.jsonl", [
        {"id": "feed-1", "title": "제주 감귤 수확", "sections": [{"heading": "", "text": "제주에서 감귤 수확이 시작되었다."}]},
        {"id": "feed-2", "title": "서울 날씨", "sections": [{"heading": "", "text": "서울은 맑은 날씨가 이어지겠다."}]},
    ])
    return root


def test_update_adds_changes_removes_and_a_second_run_changes_nothing(small, tmp_path) -> None:
    index = tmp_path / "index"
    assert run("index", "rebuild", str(small), "--index", str(index)).exit_code == 0
    first = store.require(index)
    before = file_hashes(first.path)

    write_text_article(small / "news" / "chip.txt", "반도체 수출 회복", "반도체 수출이 감소세로 돌아섰다.")
    (small / "news" / "port.txt").unlink()
    write_text_article(small / "blog" / "tea.txt", "녹차 밭 여행", "보성 녹차 밭을 걸었다.")
    jsonl(small / "feed.jsonl", [
        {"id": "feed-1", "title": "제주 감귤 수확", "sections": [{"heading": "", "text": "제주에서 감귤 수확이 시작되었다."}]},
        {"id": "feed-3", "title": "대전 과학 축제", "sections": [{"heading": "", "text": "대전에서 과학 축제가 열렸다."}]},
    ])
    result = run("index", "update", str(small), "--index", str(index))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == ["added 2: blog/tea, feed-3", "changed 1: news/chip", "removed 2: feed-2, news/port"]
    assert re.fullmatch(rf"added 2, changed 1, removed 2, unchanged 2; skipped 0 files; \d+\.\d s -> "
                        rf"{re.escape(str(index))}/gen-\S+", lines[3])
    assert len(lines) == 4
    second = store.require(index)
    assert second.name != first.name
    assert second.meta()["previous"] == first.name
    assert second.meta()["articles"] == 5
    # the serving generation was never written to: its files (hard-linked into the new one) are unchanged
    assert file_hashes(first.path) == before

    # exactly what a rebuild of the same files gives, ids included
    fresh = tmp_path / "fresh"
    rebuild([small], fresh)
    assert contents(index) == contents(fresh)
    assert sorted({c[1] for c in contents(index)}) == ["blog/run", "blog/tea", "feed-1", "feed-3", "news/chip"]
    hit = Engine(index).search("감소세").hits[0]  # in the segment the update added
    assert (hit.id, hit.snippet_html) == ("news/chip", "반도체 수출이 <mark>감소세</mark>로 돌아섰다.")
    both = Engine(index).search("훈련 OR 녹차").hits  # marks from the stored spans of both segments
    assert sorted((h.id, h.snippet_html) for h in both) == [
        ("blog/run", "마라톤 <mark>훈련</mark>을 16주 동안 했다."), ("blog/tea", "보성 <mark>녹차</mark> 밭을 걸었다.")]
    assert Engine(index).search("부산항").total == 0

    again = run("index", "update", str(small), "--index", str(index))
    assert again.exit_code == 0
    assert again.stdout == f"no change: 5 articles unchanged, skipped 0 files; the index still serves {second.name}\n"
    assert store.require(index).name == second.name
    assert sorted(p.name for p in index.iterdir()) == sorted(["CURRENT", "LOCK", first.name, second.name])


def test_update_of_one_folder_keeps_other_paths_and_the_ids_of_the_build(small, tmp_path) -> None:
    index = tmp_path / "index"
    other = tmp_path / "other"
    write_text_article(other / "hanji.txt", "한지 유네스코 등재 추진", "전주 한지가 유네스코 등재를 추진한다.")
    rebuild([small, other], index)
    (other / "hanji.txt").unlink()  # gone, but its folder is not updated: the article stays
    (small / "blog" / "run.txt").unlink()
    write_text_article(small / "blog" / "swim.txt", "수영 강습 후기", "새벽 수영 강습을 석 달 다녔다.")

    report = update([small / "blog"], index)  # a subfolder: ids stay relative to the folder indexed first
    assert (report.added, report.changed, report.removed, report.unchanged) == (["blog/swim"], [], ["blog/run"], 0)
    ids = sorted({c[1] for c in contents(index)})
    assert ids == ["blog/swim", "feed-1", "feed-2", "hanji", "news/chip", "news/port"]


def test_update_skips_an_id_that_another_path_holds(small, tmp_path) -> None:
    index = tmp_path / "index"
    rebuild([small / "feed.jsonl"], index)
    extra = jsonl(tmp_path / "extra.jsonl", [
        {"id": "feed-1", "title": "다른 감귤 기사", "sections": [{"heading": "", "text": "다른 내용이다."}]}])
    report = update([extra], index)
    assert report.changes == 0
    assert [(s.path, s.reason) for s in report.skipped] == [
        (str(extra), f"duplicate article id 'feed-1' (also in {small / 'feed.jsonl'}, not updated now)")]


def test_an_index_an_older_chaja_wrote_is_refused_with_how_to_rebuild_it(small, tmp_path) -> None:
    from whoosh import index as whoosh_index

    index = tmp_path / "index"
    rebuild([small], index)
    gen = store.require(index)
    for f in gen.path.iterdir():  # the same generation, its Whoosh index written without stored spans
        if f.is_file() and f.name != store.META:
            f.unlink()
    older = schema.make_schema()
    older.remove(schema.SPANS)
    writer = whoosh_index.create_in(str(gen.path), older).writer()
    writer.add_document(id="port#0", article="port", section=0, title="부산항 물동량 증가", heading="",
                        text="부산항의 컨테이너 물동량이 크게 늘었다.")
    writer.commit()
    message = (f"Error: the index in {index} was built by an older chaja, without the term spans that marks are "
               "made from; rebuild it with `chaja index rebuild`\n")
    for args, code in ((("search", "부산항"), 2), (("index", "update", str(small)), 1)):
        result = run(*args, "--index", str(index))
        assert (result.exit_code, result.stderr) == (code, message)
    rebuild([small], index)
    assert [h.id for h in Engine(index).search("부산항").hits] == ["news/port"]


def test_update_without_an_index_says_how_to_build_one(small, tmp_path) -> None:
    result = run("index", "update", str(small), "--index", str(tmp_path / "none"))
    assert result.exit_code == 1
    assert result.stderr == (f"Error: no index at {tmp_path / 'none'}; build one with `chaja index rebuild` "
                             "(or pass --index DIR)\n")


# --- one writer, many readers --------------------------------------------------------------------

def test_a_second_writer_waits_then_names_the_holder(small, tmp_path) -> None:
    index = tmp_path / "index"
    with lock.hold(index, command="chaja index rebuild corpus"):
        since = json.loads((index / lock.LOCK).read_text())["since"]
        started = time.monotonic()
        result = run("index", "rebuild", str(small), "--index", str(index), "--wait", "0.5")
        waited = time.monotonic() - started
        assert result.exit_code == 1
        assert result.stderr == (f"Error: the index {index} is being written by pid {os.getpid()} "
                                 f"(`chaja index rebuild corpus`, since {since}); gave up after 0.5 s — wait for it "
                                 "to finish (or pass a longer --wait)\n")
        assert waited >= 0.5  # it waited; how much longer a busy machine took is not this test's business
        with pytest.raises(lock.IndexBusy):
            update([small], index, wait=0)
    assert not index.joinpath("CURRENT").exists()  # neither writer touched the index
    with lock.hold(index, wait=0):  # released on exit
        pass


def test_a_killed_holder_leaves_no_stale_lock(tmp_path) -> None:
    index = tmp_path / "index"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from pathlib import Path; "
                               "from chaja.index import lock\nwith lock.hold(Path(sys.argv[1]), command='holder'):\n"
                               " print('held', flush=True); time.sleep(60)", str(index)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "held\n"
    with pytest.raises(lock.IndexBusy, match=rf"pid {holder.pid} \(`holder`, since "):
        with lock.hold(index, wait=0.2):
            pass
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with lock.hold(index, wait=0):
        assert json.loads((index / lock.LOCK).read_text())["pid"] == os.getpid()


def test_prune_keeps_the_serving_generation_and_its_predecessor(small, tmp_path) -> None:
    index = tmp_path / "index"
    names = []
    for _ in range(3):
        rebuild([small], index)
        names.append(store.require(index).name)
    assert sorted(p.name for p in index.glob("gen-*")) == names[1:]
    # a generation newer by name that never became CURRENT (a run killed mid-publish) goes, and does
    # not push the predecessor out as "the newest two by name" would
    orphan = index / "gen-99991231T000000-000000000"
    shutil.copytree(index / names[2], orphan)
    store.prune(index)
    assert sorted(p.name for p in index.glob("gen-*")) == names[1:]
    rebuild([small], index)
    assert sorted(p.name for p in index.glob("gen-*")) == [names[2], store.require(index).name]


# --- crashes ------------------------------------------------------------------------------------

def wait_for(condition, seconds: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="session")
def bigger(tmp_path_factory) -> Path:
    """Return a JSON Lines corpus of 120 generated articles that takes a few seconds to index."""
    lines = [line for p in sorted(CORPUS.rglob("*.txt")) for line in p.read_text(encoding="utf-8").splitlines()
             if len(line) > 40]
    articles = [{"id": f"gen-{i:04d}", "title": f"생성 기사 {i}",
                 "sections": [{"heading": f"소제목 {j}", "text": "\n".join(lines[(i + j + k) % len(lines)] for k in range(4))}
                              for j in range(4)]}
                for i in range(120)]
    return jsonl(tmp_path_factory.mktemp("bigger") / "bigger.jsonl", articles)


def first_message(proc: subprocess.Popen) -> str:
    """Return the first stderr line of proc that is not a progress line (a slow build prints those)."""
    line = proc.stderr.readline()
    while re.fullmatch(r"indexed [\d,]+ articles? \([\d.]+/s\)\n", line):
        line = proc.stderr.readline()
    return line


@pytest.mark.slow
def test_kill_9_at_any_moment_leaves_the_index_answering_as_before(base, index_copy, bigger, tmp_path) -> None:
    _, serving, expected = base
    reader = Engine(index_copy)  # a long-lived reader, like a server's
    assert reader.generation == serving

    def killed(proc: subprocess.Popen) -> None:
        assert proc.poll() is None, "the writer finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        assert proc.wait() == -signal.SIGKILL
        assert store.require(index_copy).name == serving
        assert answers(index_copy) == expected
        assert [(p.total, [h.id for h in p.hits]) for p in (reader.search(q, size=20) for q in QUERIES)] == expected

    builds = lambda: list(index_copy.glob(".build-*"))  # noqa: E731

    # early: as soon as the build folder exists
    proc = chaja("index", "rebuild", str(bigger), "--index", str(index_copy), stderr=subprocess.DEVNULL)
    dead = wait_for(builds, what="a build folder")
    killed(proc)
    assert builds() == dead  # left behind until the next writer takes the lock

    # mid-way: with a batch analysed and written, more to come
    proc = chaja("index", "rebuild", str(bigger), "--index", str(index_copy), stderr=subprocess.PIPE,
                 env={"CHAJA_TEST_PAUSE_AT": "write", "CHAJA_TEST_PAUSE_SECONDS": "60"})
    assert first_message(proc) == "chaja: paused at write\n"
    assert builds() and builds() != dead  # the new writer removed the dead one's folder
    killed(proc)

    # around the publish: the Whoosh index complete, then the folder renamed but CURRENT not yet switched
    for stage in ("publish", "switch"):
        proc = chaja("index", "rebuild", str(CORPUS / "blog"), "--index", str(index_copy), stderr=subprocess.PIPE,
                     env={"CHAJA_TEST_PAUSE_AT": stage, "CHAJA_TEST_PAUSE_SECONDS": "60"})
        assert first_message(proc) == f"chaja: paused at {stage}\n"
        if stage == "publish":  # meanwhile another writer waits, then gives up naming this one
            result = run("index", "update", str(CORPUS), "--index", str(index_copy), "--wait", "0.2")
            assert result.exit_code == 1
            assert re.fullmatch(rf"Error: the index {re.escape(str(index_copy))} is being written by pid {proc.pid} "
                                rf"\(`chaja index rebuild {re.escape(str(CORPUS / 'blog'))} --index "
                                rf"{re.escape(str(index_copy))}`, since \S+\); gave up after 0.2 s — wait for it to "
                                rf"finish \(or pass a longer --wait\)\n", result.stderr), result.stderr
        killed(proc)
    orphans = [p for p in index_copy.glob("gen-*") if p.name != serving]
    assert len(orphans) == 1  # renamed at "switch", never made CURRENT

    # an update killed between its rename and the switch
    (tmp_path / "extra.txt").write_text("추가 기사\n\n새로 추가한 기사의 본문이다.\n", encoding="utf-8")
    proc = chaja("index", "update", str(tmp_path / "extra.txt"), "--index", str(index_copy), stderr=subprocess.PIPE,
                 env={"CHAJA_TEST_PAUSE_AT": "switch", "CHAJA_TEST_PAUSE_SECONDS": "60"})
    assert first_message(proc) == "chaja: paused at switch\n"
    killed(proc)

    # the next run succeeds and cleans up what the killed ones left
    proc = chaja("index", "rebuild", str(CORPUS), "--index", str(index_copy), stdout=subprocess.PIPE,
                 stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert out.startswith("indexed 27 articles, 135 sections; skipped 0 files;")
    new = store.require(index_copy).name
    assert sorted(p.name for p in index_copy.iterdir()) == sorted(["CURRENT", "LOCK", serving, new])
    assert answers(index_copy) == expected
    assert wait_for(lambda: reader.generation == new, what="the reader to follow the new generation")


# --- unwritable folders and full disks -----------------------------------------------------------

def test_an_index_path_that_cannot_be_a_folder_fails_in_one_line(small, tmp_path) -> None:
    (tmp_path / "file").write_text("not a folder")
    for command in ("rebuild", "update"):
        result = run("index", command, str(small), "--index", str(tmp_path / "file" / "index"))
        assert result.exit_code == 1
        assert result.stderr == (f"Error: cannot write the index folder {tmp_path / 'file' / 'index'}: Not a "
                                 "directory; check the path and that you may write there\n")


def mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here ({done.stderr.strip()}); this test needs root with CAP_SYS_ADMIN")


@pytest.mark.slow
def test_a_read_only_index_folder_fails_in_one_line_and_keeps_serving(base, index_copy, small) -> None:
    _, serving, expected = base
    mount("--bind", str(index_copy), str(index_copy))
    try:
        mount("-o", "remount,ro,bind", str(index_copy))
        result = run("index", "rebuild", str(small), "--index", str(index_copy))
        assert result.exit_code == 1
        assert result.stderr == (f"Error: cannot write the index folder {index_copy}: Read-only file system; "
                                 "check the path and that you may write there\n")
        assert store.require(index_copy).name == serving
        assert answers(index_copy) == expected
    finally:
        subprocess.run(["umount", "--lazy", str(index_copy)], check=True)  # lazy: open searchers may hold files


@pytest.mark.slow
def test_a_full_disk_fails_in_one_line_and_keeps_serving(base, small, bigger, tmp_path) -> None:
    _, _, expected = base
    disk = tmp_path / "disk"
    disk.mkdir()
    mount("-t", "tmpfs", "-o", "size=1200k", "tmpfs", str(disk))
    try:
        index = disk / "index"
        shutil.copytree(base[0], index)
        serving = store.require(index).name
        result = run("index", "rebuild", str(bigger), "--index", str(index))
        assert result.exit_code == 1
        *progress, error = result.stderr.splitlines()
        # the search arrays are written when the generation is published, after the articles' progress lines
        assert [line.startswith("indexed ") for line in progress] == [True] * len(progress)
        assert error == (f"Error: cannot write the new index in {index} (No space left on device); free "
                         "disk space or make the folder writable — the previous index is unchanged and keeps serving")
        assert store.require(index).name == serving
        assert answers(index) == expected
        assert not list(index.glob(".build-*"))
    finally:
        subprocess.run(["umount", "--lazy", str(disk)], check=True)  # lazy: open searchers may hold files
