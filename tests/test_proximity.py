"""Term proximity from the positions in the search arrays: a section holding the query's words close together (issue 14)."""

from __future__ import annotations

import numpy as np
import pytest

from chaja.search import proximity, scoring
from chaja.search.query import Clause
from conftest import engine_over

ARTICLES = [
    {"id": "hangul-day", "title": "기념일", "sections": [
        {"heading": "", "text": "시월의 기념일에 한글을 기린다."}]},
    {"id": "music", "title": "조선의 음악", "sections": [
        {"heading": "", "text": "세종은 음악을 정리하였다."}]},
    {"id": "sejong", "title": "훈민정음 이야기", "sections": [
        {"heading": "", "text": "훈민정음은 조선 시대에 반포되었다."},
        # 세종 at word 0, 한글 at word 13: far apart
        {"heading": "창제", "text": "세종은 집현전 학자들과 여러 해 동안 궁궐에서 음악과 천문과 농사에 관한 책을 펴낸 뒤 "
                                  "한글을 만들었다."},
        # 세종 at word 0, 한글 at word 1: next to each other, and 한글 again at word 6
        {"heading": "글자", "text": "세종은 한글을 만들었다. 백성은 글자를 쉽게 한글로 적었다."}]},
    {"id": "writing", "title": "문자", "sections": [
        {"heading": "", "text": "한글은 소리를 적는 문자이다."}]},
]


# these tests weigh one ranking rule alone: the character bigrams are left out (conftest.without_bigrams)
pytestmark = pytest.mark.usefixtures("without_bigrams")


@pytest.fixture(scope="module")
def hangul(tmp_path_factory):
    return engine_over(tmp_path_factory, "proximity", ARTICLES)


def query(engine, text: str):
    gen = engine._current()
    return gen, engine._parse(gen, text).clauses


def test_occurrences_are_the_clauses_word_positions_in_the_candidates_text(hangul):
    gen, clauses = query(hangul, "세종 한글")
    lead, far, close = gen.sections_of("sejong")
    music = gen.sections_of("music")[0]
    occ = proximity.occurrences(gen.postings, clauses, np.array([music, lead, far, close]))
    # candidate 0 (music): 세종 at 0; 1 (the lead): none; 2 (far): 세종 0, 한글 13; 3 (close): 세종 0, 한글 1 and 6
    assert occ.doc.tolist() == [0, 2, 2, 3, 3, 3]
    assert occ.pos.tolist() == [0, 0, 13, 0, 1, 6]
    assert occ.clause.tolist() == [0, 0, 1, 0, 1, 1]


def test_the_shares_are_the_clauses_idf_weights_summing_to_one(hangul):
    gen, clauses = query(hangul, "세종 한글")
    n = gen.postings.doc_count
    assert n == 6
    sejong, hangul_ = scoring.idf(3, n), scoring.idf(4, n)  # 세종 in 3 sections, 한글 in 4
    assert proximity.shares(gen.postings, clauses).tolist() == pytest.approx(
        [sejong / (sejong + hangul_), hangul_ / (sejong + hangul_)], abs=1e-12)
    assert [round(w, 4) for w in proximity.shares(gen.postings, clauses)] == [0.6107, 0.3893]


def test_pair_proximity_rewards_neighbouring_words_by_the_inverse_square_of_their_distance(hangul):
    gen, clauses = query(hangul, "세종 한글")
    lead, far, close = gen.sections_of("sejong")
    w = proximity.shares(gen.postings, clauses)
    occ = proximity.occurrences(gen.postings, clauses, np.array([lead, far, close]))
    got = proximity.pair_proximity(occ, w, 3)
    # the close section: 세종-한글 at distance 1; 한글-한글 (same clause) counts nothing
    assert got.tolist() == pytest.approx([0.0, w[0] * w[1] / 13**2, w[0] * w[1]], abs=1e-12)
    assert [round(x, 5) for x in got] == [0.0, 0.00141, 0.23774]


def test_window_cover_is_the_largest_share_of_the_query_within_the_window(hangul):
    gen, clauses = query(hangul, "세종 한글")
    lead, far, close = gen.sections_of("sejong")
    w = proximity.shares(gen.postings, clauses)
    occ = proximity.occurrences(gen.postings, clauses, np.array([lead, far, close]))
    # 8 words hold both words in the close section only; 14 words hold the far section's too (13 apart)
    assert proximity.window_cover(occ, w, 3, 8).tolist() == pytest.approx([0.0, w[0], 1.0], abs=1e-12)
    assert proximity.window_cover(occ, w, 3, 13).tolist() == pytest.approx([0.0, w[0], 1.0], abs=1e-12)
    assert proximity.window_cover(occ, w, 3, 14).tolist() == pytest.approx([0.0, 1.0, 1.0], abs=1e-12)
    assert proximity.window_cover(occ, w, 3, 1).tolist() == pytest.approx([0.0, w[0], w[0]], abs=1e-12)


def test_a_word_of_several_morphemes_stands_where_its_rarest_one_does():
    df = {"세종": 3, "대왕": 40, "이도": 2, "부산": 5, "항": 900}.__getitem__
    word = Clause(("세종", "대왕"))
    either = Clause(any_of=((word,), (Clause(("세종",)),), (Clause(("이도",)),)))
    assert proximity.terms_of(word, df) == ("세종",)
    assert proximity.terms_of(Clause(("항", "부산")), df) == ("부산",)
    assert proximity.terms_of(either, df) == ("세종", "이도")
    assert proximity.terms_of(Clause(("세종",), fields=("title",)), df) == ()  # title:세종 stands nowhere in the text
    assert proximity.terms_of(Clause(("세종",), fields=("title",)), df, "title") == ("세종",)


def test_a_compound_does_not_stand_at_its_common_part(tmp_path_factory):
    ports = engine_over(tmp_path_factory, "proximity-ports", [
        {"id": "busan", "title": "부산", "sections": [{"heading": "", "text": "부산항의 물동량이 늘었다."}]},
        {"id": "incheon", "title": "인천", "sections": [{"heading": "", "text": "인천항의 물동량이 줄었다."}]}])
    gen, clauses = query(ports, "부산항 물동량")
    assert [c.terms for c in clauses] == [("부산", "항"), ("물동량",)]
    busan, incheon = gen.sections_of("busan")[0], gen.sections_of("incheon")[0]
    occ = proximity.occurrences(gen.postings, clauses, np.array([busan, incheon]))
    # 부산항 stands at 부산 (word 0) in busan; incheon's 항 (word 1) is not 부산항: only its 물동량 counts
    assert (occ.doc.tolist(), occ.pos.tolist(), occ.clause.tolist()) == ([0, 0, 1], [0, 2, 2], [0, 1, 1])


def test_no_candidates_or_no_occurrences_give_nothing(hangul):
    gen, clauses = query(hangul, "세종 한글")
    occ = proximity.occurrences(gen.postings, clauses, np.zeros(0, np.int64))
    assert (occ.doc.tolist(), occ.pos.tolist(), occ.clause.tolist()) == ([], [], [])
    w = proximity.shares(gen.postings, clauses)
    assert proximity.pair_proximity(occ, w, 0).tolist() == []
    assert proximity.window_cover(occ, w, 0, 8).tolist() == []
    lead = gen.sections_of("sejong")[0]
    occ = proximity.occurrences(gen.postings, clauses, np.array([lead]))
    assert proximity.window_cover(occ, w, 1, 8).tolist() == [0.0]


KING = [
    {"id": "king", "title": "조선의 임금", "sections": [
        {"heading": "", "text": "조선에는 스물일곱 명의 임금이 있었다."},
        # 한글 twice, short: the better BM25 score, but 13 words after 세종 (and 17)
        {"heading": "업적", "text": "세종은 궁궐에서 오랫동안 음악과 천문과 농사와 의학과 역사와 지리를 두루 살피고 책을 "
                                  "펴냈다. 백성은 한글을 배웠고 관리도 한글을 익혔다."},
        # 세종 and 한글 next to each other
        {"heading": "문자", "text": "세종은 한글을 만들었다. 그 뒤 조정은 새 문자로 농사 책과 노래책을 펴내어 전국의 "
                                  "고을에 널리 나누어 주었다."}]},
    {"id": "writing", "title": "문자", "sections": [{"heading": "", "text": "한글은 소리를 적는 문자이다."}]},
    {"id": "music", "title": "음악", "sections": [{"heading": "", "text": "세종은 음악을 정리하였다."}]},
]


@pytest.fixture(scope="module")
def king(tmp_path_factory):
    # in context: the distances above are counted in words as Kiwi reads them in their sentences (alone it
    # reads 의학과's 과 and 새 as nouns of their own)
    return engine_over(tmp_path_factory, "proximity-king", KING, word_cache=False)


def sections(page) -> list[tuple[str, int, float]]:
    return [(h.id, h.section.index, h.score) for h in page.hits]


def test_the_section_holding_the_words_together_names_the_hit(king):
    # cover 1 (both words within 12) doubles and adds: x3; the scattered section holds 세종's share only
    assert sections(king.search("세종 한글", group="section")) == [
        ("king", 2, 2.509), ("king", 1, 1.7128), ("music", 0, 0.473), ("writing", 0, 0.4315)]
    assert sections(king.search("세종 한글")) == [("king", 2, 2.509), ("music", 0, 0.473), ("writing", 0, 0.4315)]


def test_without_proximity_the_scattered_section_scores_higher(king, monkeypatch):
    monkeypatch.setattr(proximity, "WEIGHT", 0.0)
    assert sections(king.search("세종 한글", group="section")) == [
        ("king", 1, 0.8564), ("king", 2, 0.8363), ("music", 0, 0.2365), ("writing", 0, 0.2158)]
    assert sections(king.search("세종 한글")) == [("king", 1, 0.8564), ("music", 0, 0.2365), ("writing", 0, 0.2158)]


def test_only_the_best_candidates_are_multiplied(king, monkeypatch):
    monkeypatch.setattr(proximity, "CANDIDATES", 2)
    # the two king sections are the candidates; music and writing keep their scores, below them
    assert sections(king.search("세종 한글", group="section")) == [
        ("king", 2, 2.509), ("king", 1, 1.7128), ("music", 0, 0.2365), ("writing", 0, 0.2158)]


def test_one_word_and_newest_first_are_unchanged(king, monkeypatch):
    one = sections(king.search("한글", group="section"))
    newest = sections(king.search("세종 한글", sort="date", group="section"))
    assert [score for _, _, score in newest] == [0.8363, 0.8564]  # the scores without proximity (above)
    monkeypatch.setattr(proximity, "WEIGHT", 0.0)
    assert sections(king.search("한글", group="section")) == one
    assert sections(king.search("세종 한글", sort="date", group="section")) == newest


def test_many_ties_at_the_cut_are_cut_exactly(tmp_path_factory, monkeypatch):
    same = engine_over(tmp_path_factory, "proximity-ties", [
        {"id": f"copy-{i}", "title": "글자", "sections": [{"heading": "", "text": "세종은 한글을 만들었다."}]}
        for i in range(6)])
    monkeypatch.setattr(proximity, "CANDIDATES", 1)
    scores = [h.score for h in same.search("세종 한글", group="section").hits]
    monkeypatch.setattr(proximity, "WEIGHT", 0.0)
    plain = [h.score for h in same.search("세종 한글", group="section").hits]
    # six sections tie: more than 4 x CANDIDATES, so exactly one is multiplied (by 3: both words together)
    assert plain == [0.163] * 6
    assert scores == [0.4891] + [0.163] * 5
