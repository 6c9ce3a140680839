"""A second way to match names Kiwi reads differently in a question and in the article (search/backoff.py, issue 14)."""

from __future__ import annotations

import pytest

from chaja.search import backoff
from chaja.search.query import Clause
from conftest import engine_over

ARTICLES = [
    # in this sentence Kiwi reads 쿠르스크 and 전투 apart; in a question "쿠르스크 전투" is one name
    {"id": "kursk", "title": "쇼와 천황", "sections": [
        {"heading": "", "text": "1943년 9월 8일에 연합군에 항복하고, 쿠르스크 전투에서 나치 독일이 소비에트 연방에 "
                                "대패하면서 전세가 기울었다."}]},
    # 쿠르스크 and 전투 both, far apart: not the name
    {"id": "apart", "title": "철도", "sections": [
        {"heading": "", "text": "쿠르스크는 러시아의 도시이다. 이 도시를 지나는 철도는 여러 해 동안 물자를 실어 날랐고 "
                                "마을 사람들은 그 철도를 따라 장터로 갔다. 그 뒤 전투가 벌어졌다."}]},
    # Kiwi reads the unknown name 진선규 as 진 + 선 + 규 here, as one noun in a question
    {"id": "actor", "title": "범죄도시 출연진", "sections": [
        {"heading": "", "text": "진선규는 600만 관객을 동원한 영화 《범죄도시》에서 악역을 맡았다."}]},
    {"id": "cinema", "title": "영화관", "sections": [
        {"heading": "", "text": "관객은 영화관에서 영화를 보았다. 배우들이 무대 인사를 했다."}]},
]


@pytest.fixture(scope="module")
def names(tmp_path_factory):
    # in context: an index built word by word (the default) and its questions read every word alone, so both
    # read a name alike; built in context, the article reads a name by its sentence and the question by its own
    return engine_over(tmp_path_factory, "backoff", ARTICLES, word_cache=False)


@pytest.fixture
def without_backoff(monkeypatch):
    monkeypatch.setattr(backoff, "KINDS", frozenset())


def clauses(engine, text: str) -> list[Clause]:
    gen = engine._current()
    return engine._parse(gen, text).clauses


def test_a_name_the_question_reads_as_one_term_also_matches_its_words_one_after_another(names):
    assert clauses(names, "쿠르스크 전투") == [Clause(any_of=(
        (Clause(("쿠르스크 전투",)),), (Clause(("쿠르스크", "전투"), phrase=True),)))]
    page = names.search("쿠르스크 전투", group="section")
    assert [(h.id, h.section.index) for h in page.hits] == [("kursk", 0)]  # not "apart": its words stand apart
    assert page.hits[0].snippet_html.count("<mark>쿠르스크</mark> <mark>전투</mark>") == 1


def test_without_the_backoff_the_name_finds_nothing(names, without_backoff):
    assert clauses(names, "쿠르스크 전투") == [Clause(("쿠르스크 전투",))]
    assert names.search("쿠르스크 전투").total == 0


def test_a_question_finds_the_section_through_the_name_read_apart(names):
    assert [h.id for h in names.search("나치 독일은 쿠르스크 전투에서 어디에 패했나?").hits] == ["kursk"]


def test_an_unknown_name_matches_the_terms_that_spell_it_one_after_another(names):
    got = clauses(names, "배우 진선규의 연극 데뷔작은?")
    assert got[1] == Clause(any_of=((Clause(("진선규",)),), (Clause(("진", "선", "규"), phrase=True),)))
    assert [c.terms for c in got if not c.any_of] == [("배우",), ("연극",), ("데뷔", "작")]
    assert [h.id for h in names.search("배우 진선규의 연극 데뷔작은?").hits] == ["actor", "cinema"]


def test_without_the_backoff_the_unknown_name_leaves_only_the_other_words(names, without_backoff):
    assert [h.id for h in names.search("배우 진선규의 연극 데뷔작은?").hits] == ["cinema"]


def test_a_word_the_index_holds_gets_no_alternative(names):
    assert clauses(names, "관객 악역") == [Clause(("관객",)), Clause(("악역",))]


def test_segments_are_the_fewest_held_terms(names):
    held = {"진", "선", "규", "진선", "선규"}.__contains__
    assert backoff.segments("진선규", held) == ("진", "선규")
    assert backoff.segments("진선규", {"진", "선", "규"}.__contains__) == ("진", "선", "규")
    assert backoff.segments("진선규", {"진", "선"}.__contains__) is None


def test_an_unknown_word_is_also_read_letter_by_letter():
    held = {"진", "선", "규", "선규", "전현", "희"}.__contains__
    assert backoff.unknown(Clause(("진선규",)), held) == [
        Clause(("진", "선규"), phrase=True), Clause(("진", "선", "규"), phrase=True)]
    # a particle read into the word: the word without its last letter
    assert backoff.unknown(Clause(("전현희의",)), held) == [Clause(("전현", "희"), phrase=True)]
    assert backoff.unknown(Clause(("진선",)), held) == [Clause(("진", "선"), phrase=True)]
    assert backoff.unknown(Clause(("선규",)), held) == []  # held: no alternative
    assert backoff.unknown(Clause(("진선규",), phrase=True), held) == []
