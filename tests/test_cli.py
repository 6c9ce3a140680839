"""The chaja command: exit codes, exact messages, and help for every command."""

from __future__ import annotations

import json
import re

import click
import pytest
from click.testing import CliRunner

from chaja.web.cli import main


@pytest.fixture
def runner():
    return CliRunner()


def all_commands(group=main, prefix=()):
    for name, command in group.commands.items():
        yield prefix + (name,)
        if isinstance(command, click.Group):
            yield from all_commands(command, prefix + (name,))


@pytest.mark.parametrize("path", list(all_commands()), ids=" ".join)
def test_every_command_has_help(runner, path):
    result = runner.invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    assert result.output.startswith(f"Usage: main {' '.join(path)}")
    command = main
    for name in path:
        command = command.commands[name]
    assert command.help and command.help.strip()


def test_search_prints_marked_results_and_exits_0(runner, corpus_index):
    from chaja.search.results import PARTIAL_NOTICE

    result = runner.invoke(main, ["search", "기준금리를 동결했다", "--index", str(corpus_index)])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("검색 결과 2건 (1/1쪽, ")
    assert lines[2] == "1. 한국은행, [기준금리] 3.5% [동결]… \"집값·가계부채 더 지켜봐야\"  (2024-08-22 · 한빛일보)"
    assert lines[3] == "   news/bok-base-rate-freeze §0"
    assert "[기준금리]를 연 3.5%로 [동결]했다" in lines[4]
    # then the article with 기준금리 alone, after a line that says so
    assert lines[5:9] == ["", PARTIAL_NOTICE, "", "2. 원·달러 환율 1,440원 돌파… 2년 1개월 만에 최고치  (2024-12-10 · 한빛일보)"]


def test_search_past_the_last_page_says_where_the_results_end(runner, corpus_index):
    result = runner.invoke(main, ["search", "김장", "--page", "9", "--index", str(corpus_index)])
    assert (result.exit_code, result.output) == (1, "검색 결과 1건은 1쪽까지 있습니다. 9쪽에는 결과가 없습니다.\n")


def test_search_relaxed_notice_and_marked_heading_read_as_on_the_page(runner, corpus_index, client):
    from chaja.search.results import RELAXED_NOTICE

    # 잠수함: in no article (우주선 is: 우주 + 선, as the rocket blog reads word by word, tests/test_wordcache.py)
    result = runner.invoke(main, ["search", "김장 키트 잠수함", "--index", str(corpus_index)])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == RELAXED_NOTICE == "모든 검색어를 포함한 결과가 없어 일부 검색어만 일치하는 결과를 보여 드립니다."
    assert lines[4] == "   archive-007 §2 절임배추·[김장] [키트] 인기"
    assert f'<p class="notice relaxed">{RELAXED_NOTICE}</p>' in client.get("/?q=부산항 감귤").text


def test_search_json_is_the_api_shape(runner, corpus_index, engine):
    result = runner.invoke(main, ["search", "김장", "--json", "--index", str(corpus_index)])
    assert result.exit_code == 0
    data = json.loads(result.output)
    expected = engine.search("김장").to_json()
    data.pop("took_ms"), expected.pop("took_ms")
    assert data == expected
    assert "김장" in result.output  # Korean is not \\u-escaped


def test_search_with_no_hit_exits_1(runner, corpus_index):
    result = runner.invoke(main, ["search", "우주정거장 도킹", "--index", str(corpus_index)])
    assert result.exit_code == 1
    assert result.output == "검색 결과가 없습니다.\n"


def test_search_json_with_no_hit_still_prints_the_result(runner, corpus_index):
    result = runner.invoke(main, ["search", "은 는", "--json", "--index", str(corpus_index)])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert (data["total"], data["hits"]) == (0, [])
    assert data["message"] == "검색할 수 있는 낱말이 없습니다. 조사나 기호만으로는 검색할 수 없습니다."


def test_search_usage_and_index_errors_exit_2(runner, corpus_index, tmp_path):
    result = runner.invoke(main, ["search", "김장", "--size", "500", "--index", str(corpus_index)])
    assert result.exit_code == 2
    assert result.output == "Error: size must be a whole number from 1 to 100, such as size=2; got '500'\n"
    missing = tmp_path / "nothing"
    result = runner.invoke(main, ["search", "김장", "--index", str(missing)])
    assert result.exit_code == 2
    assert result.output == f"Error: no index at {missing}; build one with `chaja index rebuild` (or pass --index DIR)\n"
    result = runner.invoke(main, ["search", "김장", "--sort", "random", "--index", str(corpus_index)])
    assert result.exit_code == 2


def test_stats(runner, corpus_index):
    result = runner.invoke(main, ["index", "stats", "--index", str(corpus_index)])
    assert result.exit_code == 0
    rows = dict(line.split(None, 1) for line in result.output.splitlines())
    assert rows["articles"] == "27"
    assert rows["sections"] == "135"
    assert rows["terms"] == "2982"  # distinct terms of the searched fields: changes with the analyzer (2998 in context)
    assert rows["generation"].startswith("gen-")


def test_eval_prints_measures_and_writes_a_report(runner, corpus_index, tmp_path):
    (tmp_path / "q.tsv").write_text("q1\t김장 비용\nq2\t꿀벌이 사라지는 이유\nq3\t우주정거장 도킹\n", encoding="utf-8")
    (tmp_path / "r.tsv").write_text("q1 0 archive-007 1\nq2 0 archive-006 1\nq3 0 archive-001 1\n", encoding="utf-8")
    out = tmp_path / "report.json"
    result = runner.invoke(main, ["eval", "--queries", str(tmp_path / "q.tsv"), "--qrels", str(tmp_path / "r.tsv"),
                                  "--index", str(corpus_index), "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["queries"] == 3 and report["no_hit"] == 1
    assert round(report["measures"]["RR@10"], 4) == round(2 / 3, 4)
    assert "RR@10      0.6667" in result.output


def test_rebuild_summary_and_a_failed_rebuild_that_leaves_the_index(runner, tmp_path):
    good, bad, index = tmp_path / "good", tmp_path / "bad", tmp_path / "ix"
    good.mkdir(), bad.mkdir()
    (good / "a.txt").write_text("김장 비용 올라\n\n올해 김장 비용이 작년보다 올랐다.\n", encoding="utf-8")
    (bad / "empty.txt").write_bytes(b"")
    (bad / "img.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = runner.invoke(main, ["index", "rebuild", str(good), "--index", str(index)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("indexed 1 article, 1 section; skipped 0 files; ")  # progress goes to stderr
    before = (index / "CURRENT").read_text()
    result = runner.invoke(main, ["index", "rebuild", str(bad), "--index", str(index)])
    assert result.exit_code == 1
    assert result.output.splitlines()[-3:] == [
        f"skipped {bad / 'empty.txt'}: file is empty; it holds no article text",
        f"skipped {bad / 'img.html'}: file is binary (it contains NUL bytes), not text or HTML; "
        "remove it or give it the right extension",
        f"Error: no readable article in {bad} (2 files skipped); the previous index is unchanged",
    ]
    assert (index / "CURRENT").read_text() == before
    result = runner.invoke(main, ["search", "김장", "--index", str(index)])
    assert result.exit_code == 0 and "1. [김장] 비용 올라" in result.output


def test_rebuild_counts_files_and_lines_apart_and_keeps_an_article_with_a_bad_date(runner, tmp_path):
    folder, index = tmp_path / "a", tmp_path / "ix"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    feed = folder / "feed.jsonl"
    feed.write_text('{"id": "k1", "title": "김장 비용", "date": "지난주", "sections": [{"heading": "", "text": "김장 비용이 올랐다."}]}\n'
                    '{"id": "k2", "title": "배추 값", "sections": [}\n'
                    '[1, 2]\n', encoding="utf-8")
    result = runner.invoke(main, ["index", "rebuild", str(folder), "--index", str(index)])
    assert result.exit_code == 0, result.output
    progress = re.compile(r"indexed [\d,]+ articles? \([\d.]+/s\)")  # printed every 5 s of a slow build
    assert [line for line in result.stderr.splitlines() if not progress.fullmatch(line)] == [
        f"skipped {folder / 'empty.txt'}: file is empty; it holds no article text",
        f"skipped {feed}:2: line is not valid JSON (Expecting value at column 44, before '}}')",
        f"skipped {feed}:3: line holds a JSON list, not an object with id, title and sections",
        f"note: {feed}:1: article 'k1': \"date\" '지난주' is not a date; indexed without a date (write it as YYYY-MM-DD)",
    ]
    assert result.stdout.startswith("indexed 1 article, 1 section; skipped 1 file and 2 lines; ")
    found = runner.invoke(main, ["search", "김장", "--json", "--index", str(index)])
    assert [(h["id"], h["date"]) for h in json.loads(found.output)["hits"]] == [("k1", None)]


def test_a_first_rebuild_that_fails_leaves_nothing_and_claims_no_previous_index(runner, tmp_path):
    bad, index = tmp_path / "bad", tmp_path / "ix"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    result = runner.invoke(main, ["index", "rebuild", str(bad), "--index", str(index)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == f"Error: no readable article in {bad} (1 file skipped); no index was made"
    assert not index.exists()  # no LOCK, no folder that looks like an index
    index.mkdir()  # a folder that was there before stays, empty
    result = runner.invoke(main, ["index", "rebuild", str(bad), "--index", str(index)])
    assert (result.exit_code, list(index.iterdir())) == (1, [])


def test_rebuild_of_a_missing_path_exits_1_as_the_readme_says(runner, tmp_path):
    for command in ("rebuild", "update"):
        result = runner.invoke(main, ["index", command, str(tmp_path / "nowhere"), "--index", str(tmp_path / "ix")])
        assert (result.exit_code, result.stderr) == (
            1, f"Error: {tmp_path / 'nowhere'} does not exist; pass the article files or folders to index\n")


def test_a_user_dictionary_is_kept_with_the_index_for_queries(runner, tmp_path):
    folder, index = tmp_path / "a", tmp_path / "ix"
    folder.mkdir()
    (folder / "a.txt").write_text("요즘 유행\n\n갓생을 사는 청년들이 늘었다.\n", encoding="utf-8")
    words = tmp_path / "words.txt"
    words.write_text("갓생\tNNG\n", encoding="utf-8")
    result = runner.invoke(main, ["index", "rebuild", str(folder), "--index", str(index), "--user-dict", str(words)])
    assert result.exit_code == 0, result.output
    words.unlink()  # queries use the words the index recorded, not the file
    result = runner.invoke(main, ["search", "갓생", "--index", str(index)])
    assert result.exit_code == 0
    assert "[갓생]을 사는 청년들이" in result.output
    stats = runner.invoke(main, ["index", "stats", "--index", str(index)])
    assert f"user_dictionary  {words}" in stats.output


def test_serve_on_a_port_in_use_fails_in_one_line_before_building_anything(runner, tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(main, ["serve", "--index", str(tmp_path / "none"), "--port", str(port)])
    assert result.exit_code == 2
    assert result.stderr == (f"Error: cannot serve on 127.0.0.1:{port}: the port is in use (another server?); "
                             "choose another with --port\n")
    assert not (tmp_path / "none").exists()  # failed before building an index
    result = runner.invoke(main, ["serve", "--index", str(tmp_path / "none"), "--host", "no-such-host.invalid"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: cannot serve on no-such-host.invalid:5000: unknown host (")
