"""An index generation's analysed articles read back from its stored spans and arrays equal a fresh analysis."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import CORPUS, write_jsonl

from chaja.index import readback, store
from chaja.index.analysis import Morpheme
from chaja.index.article import Article
from chaja.index.builder import rebuild
from chaja.index.pipeline import analyse, bounded_items
from chaja.index.readers import read_paths
from chaja.index.store import IndexUnavailable
from chaja.index.update import update

# Same-position readings (a number's, a Hanja word's), a Hanja reading spread over two positions
# (李舜臣 -> 이순 + 신, the Hanja at the last), compound parts, and one term (경제) at plain and
# Hanja-reading positions alike.
ARTICLES = [
    {"id": "hanja", "title": "大韓民國 經濟 백년사", "date": "2024-05-01", "source": "누리경제",
     "sections": [{"heading": "", "text": "경제 李舜臣 經濟 경제를 말한다. 李舜臣 장군의 이름을 딴 상도 있다."},
                  {"heading": "수출", "text": "관람객이 1만 명을 넘었고 물가는 3.5% 올랐다. ESG 경영 2024년."}]},
    {"id": "compound", "title": "한국농수산식품유통공사 발표", "url": "https://example.kr/a",
     "sections": [{"heading": "", "text": "한국농수산식품유통공사가 국회의원 42.195km 완주를 알렸다."}]},
    {"id": "plain", "title": "제주 감귤 수확", "date": "2024-11-20",
     "sections": [{"heading": "", "text": "노지 감귤 수확이 시작되었다."}, {"heading": "가격", "text": ""}]},
]


def fresh(folder: Path, word_cache: bool) -> dict[str, object]:
    """Return Kiwi's analysis of the articles in folder now (word by word or in context), by article id."""
    articles = [a for a in bounded_items(read_paths([folder]), []) if isinstance(a, Article)]
    return {a.article.id: a for a in analyse(articles, word_cache=word_cache)}


def read_back(index: Path, part=None) -> dict[str, object]:
    opened = readback.open_index(index)
    try:
        return {a.article.id: a for batch in readback.analysed_batches(opened, part, block=2) for a in batch}
    finally:
        opened.ix.close()


@pytest.fixture(scope="module", params=[True, False], ids=["word-cache", "in-context"])
def updated_index(request, tmp_path_factory) -> tuple[Path, Path]:
    """Return (articles folder, index) of an index rebuilt, then updated (so its arrays were partly kept)."""
    root = tmp_path_factory.mktemp("readback")
    write_jsonl(root / "articles" / "a.jsonl", ARTICLES[:2])
    write_jsonl(root / "articles" / "b.jsonl", [{**ARTICLES[2], "title": "감귤"}])
    rebuild([root / "articles"], root / "index", word_cache=request.param)
    write_jsonl(root / "articles" / "b.jsonl", ARTICLES[2:])
    write_jsonl(root / "articles" / "c.jsonl", [{**ARTICLES[0], "id": "copy", "title": "經濟 사본"}])
    assert update([root / "articles"], root / "index").changes
    return root / "articles", root / "index"


def test_read_back_equals_a_fresh_analysis(updated_index):
    folder, index = updated_index
    word_cache = store.require(index).meta()["word_cache"]
    mine, theirs = read_back(index), fresh(folder, word_cache)
    assert sorted(mine) == ["compound", "copy", "hanja", "plain"]
    assert mine == theirs
    assert {a.article.path for a in mine.values()} == {os.path.abspath(a.article.path) for a in theirs.values()}


def test_same_position_readings_come_back_at_their_positions(updated_index):
    _, index = updated_index
    hanja = read_back(index)["hanja"]
    assert [tuple(m) for m in hanja.title] == [("大韓民國", 0, 0, 4), ("대한민국", 0, 0, 4), ("經濟", 1, 5, 7), ("경제", 1, 5, 7),
                                               ("백", 2, 8, 9), ("백년", 2, 8, 10), ("사", 3, 10, 11)]
    assert [tuple(m) for m in hanja.sections[0][1][:7]] == [
        ("경제", 0, 0, 2), ("李舜臣", 2, 3, 6), ("이순", 1, 3, 6), ("신", 2, 3, 6), ("經濟", 3, 7, 9), ("경제", 3, 7, 9),
        ("경제", 4, 10, 12)]
    assert [tuple(m) for m in hanja.sections[1][1][:5]] == [
        ("관람", 0, 0, 2), ("객", 1, 2, 3), ("1", 2, 5, 6), ("1만", 2, 5, 7), ("1만명", 2, 5, 9)]


def test_articles_come_in_the_order_they_were_written(updated_index, corpus_index):
    folder, index = updated_index
    assert list(read_back(index)) == ["hanja", "compound", "plain", "copy"]  # not by id: as the files are read
    assert list(read_back(corpus_index)) == [a.id for a in read_paths([CORPUS]) if isinstance(a, Article)]


def test_parts_split_the_articles(updated_index):
    _, index = updated_index
    first, second = read_back(index, (1, 2)), read_back(index, (2, 2))
    assert not set(first) & set(second) and {**first, **second} == read_back(index)


def test_what_is_not_an_index_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("메모", encoding="utf-8")
    with pytest.raises(IndexUnavailable) as e:
        readback.open_index(tmp_path)
    assert str(e.value) == (f"{tmp_path} holds no chaja index (it has no CURRENT file); give the folder of an index "
                            "built by `chaja index rebuild`")
    with pytest.raises(IndexUnavailable) as e:
        readback.open_index(tmp_path / "notes.txt")
    assert str(e.value) == (f"{tmp_path / 'notes.txt'} is not a folder; give the folder of a chaja index (the --index DIR "
                            "of `chaja index rebuild`)")


def test_spans_and_arrays_that_disagree_are_refused(tmp_path):
    import shutil

    from chaja.index import store
    from chaja.index.pipeline import BuildError

    for name, text in (("one", "노지 감귤 수확이 시작되었다."), ("two", "배추 값이 올랐다.")):
        write_jsonl(tmp_path / name / "a.jsonl", [{"id": "a", "title": "제주 감귤", "sections": [{"heading": "", "text": text}]}])
        rebuild([tmp_path / name], tmp_path / f"{name}-index")
    broken = store.require(tmp_path / "one-index").path / "arrays"  # the other index's arrays under this one's spans
    shutil.rmtree(broken)
    shutil.copytree(store.require(tmp_path / "two-index").path / "arrays", broken)
    with pytest.raises(BuildError) as e:
        read_back(tmp_path / "one-index")
    assert str(e.value) == ("the index's stored spans and search arrays disagree in the text of a#0 (section 0: the term "
                            "'노지' has no positions); rebuild that index from its article files")
