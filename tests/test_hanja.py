"""Hanja and Hangul find each other: the reading is indexed beside the Hanja, a Hanja query also asks for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import engine_over

from chaja.index.analysis import morphemes
from chaja.index.readings import reading

ARTICLES = [
    {"id": "hangul", "title": "대한민국 경제 성장률 발표", "source": "한빛일보", "date": "2025-01-02",
     "sections": [{"heading": "", "text": "대한민국 경제가 지난해 2% 성장했다. 이순신 장군 동상 앞에서 발표가 있었다."}]},
    {"id": "hanja", "title": "大韓民國 經濟 백년사", "source": "누리경제", "date": "2024-05-01",
     "sections": [{"heading": "", "text": "大韓民國의 經濟는 수출로 일어섰다. 李舜臣 장군의 이름을 딴 상도 있다."}]},
    {"id": "other", "title": "제주 감귤 수확", "source": "제주일보", "date": "2024-11-20",
     "sections": [{"heading": "", "text": "노지 감귤 수확이 시작되었다."}]},
]


@pytest.fixture(scope="module")
def hanja_engine(tmp_path_factory: pytest.TempPathFactory):
    return engine_over(tmp_path_factory, "hanja", ARTICLES)


def ids(page) -> list[str]:
    return [h.id for h in page.hits]


def test_readings() -> None:
    assert (reading("大韓民國"), reading("經濟"), reading("李舜臣"), reading("樂園")) == ("대한민국", "경제", "이순신", "낙원")
    assert reading("대한민국") is None and reading("AI") is None


def test_the_reading_is_indexed_at_the_hanja_s_place() -> None:
    assert [tuple(m) for m in morphemes("大韓民國의 經濟")] == [
        ("大韓民國", 0, 0, 4), ("대한민국", 0, 0, 4), ("經濟", 1, 6, 8), ("경제", 1, 6, 8)]
    assert [tuple(m) for m in morphemes("李舜臣 장군")] == [  # 이순신 reads as 이순 + 신: the Hanja stands with the last
        ("李舜臣", 1, 0, 3), ("이순", 0, 0, 3), ("신", 1, 0, 3), ("장군", 2, 4, 6)]
    assert [m.text for m in morphemes("大韓民國의 經濟", hanja=False)] == ["大韓民國", "經濟"]


@pytest.mark.parametrize("query", ["大韓民國", "대한민국", "經濟", "경제", "大韓民國 經濟", "대한민국 경제", "李舜臣", "이순신 장군"])
def test_hanja_and_hangul_find_each_other(hanja_engine, query: str) -> None:
    assert sorted(ids(hanja_engine.search(query))) == ["hangul", "hanja"]


def test_marks_fall_on_the_hanja(hanja_engine) -> None:
    page = hanja_engine.search("경제", sort="date")
    assert [h.title_html for h in page.hits] == ["대한민국 <mark>경제</mark> 성장률 발표", "大韓民國 <mark>經濟</mark> 백년사"]
    article = hanja_engine.article("hanja", query="대한민국")
    assert article.sections[0].text_html.startswith("<mark>大韓民國</mark>의 經濟는")


def test_phrases_across_scripts(hanja_engine) -> None:
    assert sorted(ids(hanja_engine.search('"대한민국 경제"'))) == ["hangul", "hanja"]
    assert ids(hanja_engine.search('"李舜臣 장군"')) == ["hanja"]  # a Hanja phrase asks for the Hanja as written
    assert sorted(ids(hanja_engine.search('"이순신 장군"'))) == ["hangul", "hanja"]
