"""Hostile input: any bytes as articles, any text as queries, oversized inputs, and paths that try to escape."""

from __future__ import annotations

import html
import itertools
import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chaja.index.analysis import korean_analyzer, morphemes
from chaja.index.article import Article, Skipped
from chaja.index.builder import MAX_SECTIONS, rebuild
from chaja.index.readers import read_file, read_paths
from chaja.search import Engine
from chaja.web import create_app

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
TOO_LONG = "검색어의 낱말이 너무 많아 앞의 32개만 검색했습니다."  # search/limits.py: words are bounded first


@pytest.fixture(scope="session")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("scratch")


# --- any input, no crash -----------------------------------------------------------------------

_counter = itertools.count()


@FAST
@given(data=st.binary(max_size=4000), suffix=st.sampled_from([".html", ".txt", ".jsonl"]))
def test_any_bytes_read_as_articles_or_skipped(scratch, data, suffix) -> None:
    path = scratch / f"f{next(_counter)}{suffix}"
    path.write_bytes(data)
    items = read_file(path)
    assert all(isinstance(item, (Article, Skipped)) for item in items)
    assert items or suffix == ".jsonl"  # a single-article file always says what became of it
    for item in items:
        if isinstance(item, Skipped):
            assert item.reason and item.path.startswith(str(path))


@FAST
@given(text=st.text(max_size=300))
def test_analyzer_offsets_lie_inside_any_text(text) -> None:
    for m in morphemes(text):
        assert 0 <= m.start < m.end <= len(text), m
        assert text[m.start:m.end].strip(), m
    for token in korean_analyzer()(text, positions=True, chars=True):
        assert 0 <= token.startchar < token.endchar <= len(text)


def marks_exist_in(fragment: str, original: str) -> None:
    for marked in MARK.findall(fragment):
        assert marked and html.unescape(marked) in original, (marked, original[:200])


queries = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(["반도체", "수출", '"역대 최대"', "-부산", "OR", "title:", "date:2024-01-01..",
                              "source:", "(", ")", "*", "\\", "\"", ":", "AND", "NOT", "부산항의", "\x00", "𝕏"]),
             max_size=8).map(" ".join),
)


@FAST
@given(q=queries)
def test_any_query_returns_a_page_whose_marks_wrap_real_text(engine, q) -> None:
    page = engine.search(q)
    assert (page.query, page.page, page.size) == (q, 1, 10)
    assert len(page.hits) == min(page.total, 10)  # the first page holds the first ten of total
    assert len({hit.id for hit in page.hits}) == len(page.hits)  # an article comes back once
    assert not page.relaxed or page.total > 0
    for hit in page.hits:
        marks_exist_in(hit.title_html, hit.title)
        article = engine.article(hit.id)
        marks_exist_in(hit.snippet_html, article.sections[hit.section.index].text)


# --- oversized input ---------------------------------------------------------------------------

def test_a_50_mb_html_file_is_skipped_with_the_reason(tmp_path) -> None:
    big = tmp_path / "big.html"
    with open(big, "wb") as f:
        f.truncate(50 * 2**20)  # sparse: the size is real, the disk is not used
    assert list(read_paths([tmp_path])) == [Skipped(str(big), "file is 50.0 MB, over the 20 MB limit for one "
                                                              "article; split it or convert it to .jsonl")]


def test_an_article_of_100000_sections_keeps_the_first_2000_with_a_note(tmp_path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    record = {"id": "huge", "title": "끝없는 기사",
              "sections": [{"heading": "", "text": f"문단 {i}"} for i in range(100_000)]}
    small = {"id": "small", "title": "짧은 기사", "sections": [{"heading": "", "text": "짧은 본문이다."}]}
    (folder / "a.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n" + json.dumps(small, ensure_ascii=False)
                                    + "\n", encoding="utf-8")
    report = rebuild([folder], tmp_path / "index")
    assert (report.articles, report.sections) == (2, MAX_SECTIONS + 1)
    assert report.notes == [f"{folder / 'a.jsonl'}: article 'huge' has 100,000 sections; indexed the first 2,000"]
    view = Engine(tmp_path / "index").article("huge")
    assert [s.text for s in view.sections[-2:]] == ["문단 1998", "문단 1999"]


def test_a_1_mb_query_is_cut_to_the_limit_with_a_note(engine) -> None:
    page = engine.search("반도체 " * 250_000)
    assert page.notice == TOO_LONG
    assert [h.id for h in page.hits] == [h.id for h in engine.search("반도체").hits]
    assert page.total == engine.search("반도체").total == 3


@pytest.fixture(scope="session")
def client(corpus_index):
    return create_app({"TESTING": True, "INDEX": str(corpus_index)}).test_client()


def test_the_api_cuts_a_1_mb_query_and_refuses_a_huge_page_size(client) -> None:
    response = client.get("/api/search", query_string={"q": "반도체 " * 250_000})
    assert response.status_code == 200
    assert response.json["notice"] == TOO_LONG
    assert response.json["total"] == 3
    response = client.get("/api/search?q=반도체&size=100000")
    assert response.status_code == 400
    assert response.json == {"error": {"code": "bad_request", "message": "size must be a whole number from 1 to 100, such as size=2; got '100000'"}}


# --- paths --------------------------------------------------------------------------------------

def test_article_ids_with_dot_dot_find_nothing(client) -> None:
    response = client.get("/articles/..%2F..%2Fetc%2Fpasswd")
    assert response.status_code == 404
    assert "root:" not in response.get_data(as_text=True)
    response = client.get("/api/articles/..%2F..%2Fetc%2Fpasswd")
    assert response.status_code == 404
    assert response.json == {"error": {"code": "not_found", "message": "no article with id '../../etc/passwd'"}}


def test_symlinks_leading_out_of_a_folder_are_skipped(tmp_path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("비밀 문서\n\n읽으면 안 되는 내용이다.\n", encoding="utf-8")
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "own.txt").write_text("정상 기사\n\n폴더 안의 기사 본문이다.\n", encoding="utf-8")
    os.symlink(outside / "secret.txt", folder / "leak.txt")
    os.symlink(outside, folder / "linked")
    os.symlink(folder / "own.txt", folder / "alias.txt")  # inside the folder: read
    items = list(read_paths([folder]))
    assert [(i.id, i.path) for i in items if isinstance(i, Article)] == [
        ("alias", str(folder / "alias.txt")), ("own", str(folder / "own.txt"))]
    assert [i for i in items if isinstance(i, Skipped)] == [
        Skipped(str(folder / "leak.txt"), f"symbolic link to {outside / 'secret.txt'}, outside {folder}; chaja "
                                          "reads only files inside the folders it is given — pass that file or "
                                          "folder itself"),
        Skipped(str(folder / "linked"), f"symbolic link to {outside}, outside {folder}; chaja reads only files "
                                        "inside the folders it is given — pass that file or folder itself"),
    ]
