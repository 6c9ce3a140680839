"""Related articles (more like this) and near-duplicates folded in results."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import engine_over

from chaja.index import schema
from chaja.index.spans import SEPARATOR
from chaja.search import related

STORY = ("한국은행 금융통화위원회가 기준금리를 연 3.5%로 동결했다. 가계부채 증가세와 수도권 집값 상승을 함께 고려한 결정이다. "
         "이창용 총재는 물가 상승률이 목표 수준에 가까워졌지만 환율 변동성이 커 금리 인하를 서두르지 않겠다고 말했다.")
ARTICLES = [
    {"id": "rate-a", "title": "한국은행 기준금리 3.5% 동결", "source": "한빛일보", "date": "2025-01-16",
     "sections": [{"heading": "", "text": STORY}]},
    {"id": "rate-b", "title": "한국은행 기준금리 3.5% 동결", "source": "누리경제", "date": "2025-01-16",
     "sections": [{"heading": "", "text": STORY}]},  # the same text under another id
    {"id": "rate-c", "title": "기준금리 동결… 가계부채·집값 부담", "source": "부산일보", "date": "2025-01-16",
     "sections": [{"heading": "", "text": "한국은행이 기준금리를 연 3.5%로 동결했다. 금융통화위원회는 가계부채와 수도권 집값을 고려했다. "
                                        "총재는 환율 변동성 때문에 금리 인하를 서두르지 않겠다고 밝혔다."}]},
    {"id": "fx", "title": "원·달러 환율 1,440원 돌파", "source": "한빛일보", "date": "2025-01-10",
     "sections": [{"heading": "", "text": "원·달러 환율이 1,440원을 넘었다. 외환당국은 환율 변동성이 커지자 시장 안정 조치를 검토했다. "
                                        "한국은행은 금리 결정에 환율을 고려하겠다고 밝혔다."}]},
    {"id": "tangerine", "title": "제주 감귤 수확 시작", "source": "제주일보", "date": "2024-11-20",
     "sections": [{"heading": "", "text": "서귀포 과수원에서 노지 감귤 수확이 시작되었다. 올해는 일조량이 많아 당도가 높다."}]},
    {"id": "hallabong", "title": "한라봉 출하", "source": "제주일보", "date": "2025-02-01",
     "sections": [{"heading": "", "text": "제주 서귀포 농가가 한라봉 출하를 시작했다. 감귤 농가는 당도가 높다고 말했다."}]},
]


@pytest.fixture(scope="module")
def related_engine(tmp_path_factory: pytest.TempPathFactory):
    return engine_over(tmp_path_factory, "related", ARTICLES)


@pytest.fixture
def related_client(related_engine):
    from chaja.web import create_app

    return create_app({"TESTING": True, "INDEX": str(related_engine.root)}).test_client()


def test_related_are_the_closest_stories_never_the_article_itself(related_engine) -> None:
    found = related_engine.related("rate-a", 5)
    assert [r.id for r in found][:3] == ["rate-b", "rate-c", "fx"]
    assert "rate-a" not in [r.id for r in found]
    assert found[0].title == "한국은행 기준금리 3.5% 동결" and found[0].source == "누리경제"
    assert [r.id for r in related_engine.related("tangerine", 1)] == ["hallabong"]
    for a in ARTICLES:
        assert a["id"] not in [r.id for r in related_engine.related(a["id"], 20)]
    assert related_engine.related("no-such-article") is None


def test_same_stories_are_one_hit_with_duplicates(related_engine) -> None:
    page = related_engine.search("기준금리 동결")
    assert page.total == 3  # the total counts articles; the page folds the same story
    # the same text under two ids, and the same story rewritten by a third outlet
    assert [(h.id, h.duplicates) for h in page.hits] == [("rate-c", ("rate-a", "rate-b"))]
    page = related_engine.search("환율 변동성")
    assert [(h.id, h.duplicates) for h in page.hits] == [("fx", ()), ("rate-c", ("rate-a", "rate-b"))]
    by_section = related_engine.search("기준금리 동결", group="section")
    assert all(h.duplicates == () for h in by_section.hits) and len(by_section.hits) == 3


def test_api_related(related_client) -> None:
    body = related_client.get("/api/articles/rate-a/related?size=2").get_json()
    assert body["id"] == "rate-a"
    assert [r["id"] for r in body["related"]] == ["rate-b", "rate-c"]
    assert list(body["related"][0]) == ["id", "title", "url", "date", "source", "score"]
    assert related_client.get("/api/articles/nope/related").status_code == 404
    bad = related_client.get("/api/articles/rate-a/related?size=0")
    assert (bad.status_code, bad.get_json()["error"]["message"]) == (400, "size must be a whole number from 1 to 20, such as size=2; got '0'")
    assert related_client.get("/api/articles/rate-a").get_json()["id"] == "rate-a"


def test_pages_show_related_and_folded_stories(related_client) -> None:
    article = related_client.get("/articles/rate-a").text
    assert '<h2 id="related-title">관련 기사</h2>' in article
    assert article.count('<li><a href="/articles/') == 3  # up to five: the articles sharing a distinctive word
    assert '<li><a href="/articles/rate-b">한국은행 기준금리 3.5% 동결</a> <span class="meta">2025-01-16 · 누리경제</span></li>' in article
    results = related_client.get(f"/?q={urllib.parse.quote_plus('기준금리 동결')}").text
    assert "<summary>관련 기사 2건</summary>" in results
    assert '<li><a href="/articles/rate-a?q=%EA%B8%B0%EC%A4%80%EA%B8%88%EB%A6%AC+%EB%8F%99%EA%B2%B0">rate-a</a></li>' in results


def _grouped_by_every_pair(stored: list[dict]) -> list[list[int]]:
    """same_stories as first written: every hit's words compared with every group's first hit."""
    words = [related._words(f) for f in stored]
    groups: list[list[int]] = []
    for i, w in enumerate(words):
        for g in groups:
            head = words[g[0]]
            need = related._threshold(stored[i], stored[g[0]])
            if need is not None and w and len(w & head) / len(w | head) >= need:
                g.append(i)
                break
        else:
            groups.append([i])
    return groups


_field = st.lists(st.sampled_from(["협력", "반도체", "수출", "3.5", "1,419", "2026", ".5", "ai", "국회", "의원",
                                   "경제", "韓國", "한국", "늘", "12억"]), unique=True, max_size=8)
_hit = st.fixed_dictionaries({schema.SPANS: st.lists(_field.map(lambda ts: (SEPARATOR.join(ts), b"")), min_size=1, max_size=3),
                              schema.DATE: st.sampled_from([None, "2026-11-30", "2026-11-29"]),
                              schema.TEXT: st.sampled_from(["가", "나"])})


@given(st.lists(_hit, max_size=8))
@settings(max_examples=300)
# a section of numbers and one word is the same story as that word alone: numbers are not words
@example([{schema.SPANS: [(SEPARATOR.join(["3.5", "1,419", "2026", "협력"]), b"")], schema.DATE: None},
          {schema.SPANS: [("협력", b"")], schema.DATE: None}])
def test_same_stories_skips_only_pairs_that_could_not_be_one_story(stored) -> None:
    # the size bounds that spare building word sets never change which hits are folded together
    assert related.same_stories(stored) == _grouped_by_every_pair(stored)


def test_undated_articles_fold_only_as_the_same_text() -> None:
    # Two undated encyclopedia articles of a yearly series share most words (numbers are not words):
    # not one story. The same text under two ids is.
    def hit(words: list[str], date: str | None = None, text: str = "") -> dict:
        return {schema.SPANS: [(SEPARATOR.join(words), b"")], schema.DATE: date, schema.TITLE: "제21대 국회의원 선거",
                schema.TEXT: text}

    words = ["대한민국", "선거", "국회", "의원", "정당", "투표"]
    assert related.same_stories([hit(words, text="2020년 선거"), hit(words, text="2024년 선거")]) == [[0], [1]]
    assert related.same_stories([hit(words, text="2020년 선거"), hit(words, text="2020년 선거")]) == [[0, 1]]
    # dated the same day, much the same words are one story rewritten; a day apart they are a series
    other = words[:-1] + ["개표"]  # Jaccard 5/7
    assert related.same_stories([hit(words, "2026-11-30", "가"), hit(other, "2026-11-30", "나")]) == [[0, 1]]
    assert related.same_stories([hit(words, "2026-11-30", "가"), hit(other, "2026-11-29", "나")]) == [[0], [1]]
