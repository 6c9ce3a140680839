"""Keyword queries of two or three words: the hits with every word first, then those with some (issue 14)."""

from __future__ import annotations

import re

import pytest

from conftest import engine_over

ARTICLES = [
    {"id": "busan-record", "title": "부산항 물동량 역대 최대", "source": "항만일보", "date": "2024-01-05",
     "sections": [{"heading": "", "text": "부산항의 지난해 컨테이너 물동량이 역대 최대를 기록했다. 환적 화물이 2만 개 늘었다."},
                  {"heading": "신항", "text": "신항의 하역 능력도 크게 늘었다."}]},
    {"id": "busan-recovery", "title": "컨테이너 수송 회복세", "source": "해운신문", "date": "2024-03-02",
     "sections": [{"heading": "", "text": "부산항을 오가는 물동량이 석 달 만에 회복세로 돌아섰다."}]},
    {"id": "busan-pier", "title": "부산항 신항 새 부두 개장", "source": "항만일보", "date": "2024-02-01",
     "sections": [{"heading": "", "text": "부산항 신항에 새 부두가 문을 열었다. 자동화 크레인 12대가 들어섰다."}]},
    {"id": "incheon-volume", "title": "인천항 물동량 감소", "source": "해운신문", "date": "2024-02-15",
     "sections": [{"heading": "", "text": "인천항의 물동량이 2년 연속 줄었다. 중국 항로의 화물이 감소한 탓이다."}]},
    {"id": "gyeongnam-export", "title": "경남 수출 동향", "source": "항만일보", "date": "2024-04-10",
     "sections": [{"heading": "", "text": "경남 기업들은 부산항을 거쳐 자동차 부품을 수출했다."}]},
    {"id": "jeju-tangerine", "title": "제주 감귤 수확 시작", "source": "제주일보", "date": "2023-11-20",
     "sections": [{"heading": "", "text": "서귀포 과수원에서 감귤 수확이 시작되었다. 하루 2톤을 딴다."}]},
]
COMPLETE = ["busan-record", "busan-recovery"]  # 부산항 and 물동량, best first
PARTIAL = ["busan-pier", "incheon-volume", "gyeongnam-export"]  # one of them: 부산항, 물동량, 부산항
NOTICE = "여기부터는 검색어 일부만 포함한 결과입니다."


# these tests weigh one ranking rule alone: the character bigrams are left out (conftest.without_bigrams)
pytestmark = pytest.mark.usefixtures("without_bigrams")


def ids(page) -> list[str]:
    return [h.id for h in page.hits]


@pytest.fixture(scope="module")
def ports(tmp_path_factory):
    """Return an Engine over a few port articles: two with both words of 부산항 물동량, three with one."""
    return engine_over(tmp_path_factory, "partial", ARTICLES)


@pytest.fixture(scope="module")
def ports_client(ports):
    from chaja.web import create_app

    return create_app({"TESTING": True, "INDEX": str(ports.root)}).test_client()


def test_complete_matches_come_first_then_partial_ones_by_score(ports):
    page = ports.search("부산항 물동량")
    assert ids(page) == COMPLETE + PARTIAL
    assert (page.total, page.partial_from, page.partial_at, page.relaxed) == (5, 2, 2, False)
    # each tier by its own score: AND's for the complete hits, the coordinated one for the partial hits
    # every hit a lead: x1.1; and x(1 + 2 x the share of the words its text holds together, search/proximity.py)
    assert [h.score for h in page.hits] == [11.5699, 6.1599, 1.3009, 0.7433, 0.6904]
    # the complete hits are ranked exactly as before: the AND query's scores, in the same order
    assert [h.score for h in page.hits[:2]] == sorted((h.score for h in page.hits[:2]), reverse=True)


def test_sections_list_every_complete_section_first(ports):
    page = ports.search("부산항 물동량", group="section")
    # busan-record's second section has both words through the title every section carries; busan-recovery's
    # lead (1.851 x 1.1, search/context.py) passes it
    assert [(h.id, h.section.index) for h in page.hits] == [("busan-record", 0), ("busan-recovery", 0),
                                                            ("busan-record", 1), ("busan-pier", 0),
                                                            ("incheon-volume", 0), ("gyeongnam-export", 0)]
    assert (page.total, page.partial_from) == (6, 3)


def test_pages_go_on_across_the_boundary(ports):
    first, second, third = (ports.search("부산항 물동량", size=2, page=n) for n in (1, 2, 3))
    assert (ids(first), ids(second), ids(third)) == (COMPLETE, PARTIAL[:2], PARTIAL[2:])
    assert [(p.total, p.partial_from, p.partial_at) for p in (first, second, third)] == \
           [(5, 2, None), (5, 2, 0), (5, 2, 0)]


def test_a_query_whose_every_hit_is_complete_has_no_boundary(ports):
    page = ports.search("감귤 수확")
    assert ids(page) == ["jeju-tangerine"]
    assert (page.total, page.partial_from, page.partial_at, page.relaxed) == (1, None, None, False)


def test_one_term_is_unchanged(ports):
    page = ports.search("부산항")
    # BM25 of the texts read word by word (the default): alone, Kiwi reads 새 (new) and 석 달 as nouns of
    # their own, so busan-pier's and busan-recovery's sections are longer than read in their sentences
    assert ids(page) == ["busan-record", "busan-pier", "gyeongnam-export", "busan-recovery"]
    assert (page.total, page.partial_from) == (4, None)


def test_exclusions_are_never_relaxed_away(ports):
    page = ports.search("부산항 물동량 -인천항")
    assert ids(page) == COMPLETE + ["busan-pier", "gyeongnam-export"]
    assert (page.total, page.partial_from) == (4, 2)


def test_a_title_word_stays_required_in_partial_matches(ports):
    # a partial match has 부산항 in its title: incheon-volume (물동량 only) and gyeongnam-export (부산항 in
    # its text) are left out
    page = ports.search("title:부산항 물동량")
    assert ids(page) == ["busan-record", "busan-pier"]
    assert (page.total, page.partial_from) == (2, 1)


def test_filters_are_never_relaxed_away(ports):
    page = ports.search("부산항 물동량", source="항만일보")
    assert ids(page) == ["busan-record", "busan-pier", "gyeongnam-export"]
    assert (page.total, page.partial_from) == (3, 1)
    # in February no article has both words: the two with one of them, relaxed
    february = ports.search("부산항 물동량 date:2024-02-01..2024-02-28")
    assert (ids(february), february.relaxed, february.partial_from) == (["busan-pier", "incheon-volume"], True, 0)


def test_a_lone_digit_never_carries_a_partial_match(ports):
    # jeju-tangerine has 2 (2톤) and not 물동량: it is not listed
    page = ports.search("물동량 2")
    assert ids(page) == ["incheon-volume", "busan-record", "busan-recovery"]
    assert (page.total, page.partial_from) == (3, 2)


def test_newest_first_lists_the_complete_matches_only(ports):
    page = ports.search("부산항 물동량", sort="date")
    assert ids(page) == ["busan-recovery", "busan-record"]
    assert (page.total, page.partial_from) == (2, None)


def test_no_complete_match_is_relaxed_not_a_boundary(ports):
    page = ports.search("감귤 우주선")
    assert ids(page) == ["jeju-tangerine"]
    assert (page.total, page.relaxed, page.partial_from, page.partial_at) == (1, True, 0, None)


def test_facets_count_the_whole_list(ports):
    page = ports.search("부산항 물동량")
    assert {name: [(v.value, v.count) for v in values] for name, values in page.facets.items()} == \
           {"source": [("항만일보", 3), ("해운신문", 2)], "year": [("2024", 5)]}


def test_json_has_the_boundary(ports_client):
    body = ports_client.get("/api/search?q=부산항 물동량").get_json()
    assert [h["id"] for h in body["hits"]] == COMPLETE + PARTIAL
    assert (body["total"], body["partial_from"], body["relaxed"]) == (5, 2, False)
    assert ports_client.get("/api/search?q=감귤 수확").get_json()["partial_from"] is None
    second = ports_client.get("/api/search?q=부산항 물동량&size=2&page=2").get_json()
    assert ([h["id"] for h in second["hits"]], second["partial_from"]) == (PARTIAL[:2], 2)


def hits_around_notice(html: str) -> tuple[list[str], list[str]]:
    """Return the ids of the hits before and after the partial notice of a result page."""
    before, _, after = html.partition(f'<p class="notice partial">{NOTICE}</p>')
    return re.findall(r'<a href="/articles/([\w-]+)\?', before), re.findall(r'<a href="/articles/([\w-]+)\?', after)


def test_the_page_says_where_partial_matches_begin(ports_client):
    html = ports_client.get("/?q=부산항 물동량").text
    assert html.count(NOTICE) == 1
    assert hits_around_notice(html) == (COMPLETE, PARTIAL)
    # the numbering goes on across the notice
    assert re.findall(r'<ol class="hits" start="(\d+)">', html) == ["1", "3"]
    assert NOTICE not in ports_client.get("/?q=감귤 수확").text
    assert NOTICE not in ports_client.get("/?q=감귤 우주선").text  # relaxed: its own notice says it once


def test_a_page_of_partial_matches_only_starts_with_the_notice(ports):
    from chaja.web import create_app

    client = create_app({"TESTING": True, "INDEX": str(ports.root), "PAGE_SIZE": 2}).test_client()
    first = client.get("/?q=부산항 물동량").text  # complete hits only: the page AND would show
    assert NOTICE not in first and hits_around_notice(first) == (COMPLETE, [])
    html = client.get("/?q=부산항 물동량&page=2").text
    assert hits_around_notice(html) == ([], PARTIAL[:2])
    assert re.findall(r'<ol class="hits" start="(\d+)">', html) == ["3"]
