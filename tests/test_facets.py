"""Facets by source and year, period presets and /api/sources."""

from __future__ import annotations

import urllib.parse
from datetime import date

import pytest

from chaja.search.facets import FacetValue, periods


def q(text: str) -> str:
    return urllib.parse.quote_plus(text)


@pytest.mark.parametrize("query, source, start", [
    ("수출", None, None), ("관광", None, None), ("한국 경제", None, None), ("선수 OR 감독", None, None),
    ("-수출 경제", None, None), ("", "누리경제", None), ("", None, "2025-01-01"), ("미세먼지", None, None),
])
def test_facet_counts_equal_the_totals_of_the_filtered_searches(engine, query: str, source, start) -> None:
    page = engine.search(query, source=source, date_from=start)
    assert page.facets is not None
    for v in page.facets["source"]:
        assert engine.search(query, source=v.value, date_from=start).total == v.count
    for v in page.facets["year"]:
        assert engine.search(query, source=source, date_from=f"{v.value}-01-01", date_to=f"{v.value}-12-31").total == v.count
    if query and page.total:
        assert sum(v.count for v in page.facets["source"]) <= page.total  # the blogs have no source


def test_facets_are_counted_before_their_own_filter(engine) -> None:
    page = engine.search("수출", source="한빛일보")
    assert page.total == 1
    assert page.facets["source"] == [FacetValue("누리경제", 2), FacetValue("한빛일보", 1)]  # the other choice stays
    assert page.facets["year"] == [FacetValue("2024", 1)]  # narrowed by the source
    by_year = engine.search("수출", date_from="2025-01-01", date_to="2025-12-31")
    assert by_year.facets["year"] == [FacetValue("2025", 2), FacetValue("2024", 1)]
    assert by_year.facets["source"] == [FacetValue("누리경제", 2)]


def test_sources_and_newest_date(engine) -> None:
    sources = engine.sources()
    assert sources[:2] == [FacetValue("스포츠한빛", 3), FacetValue("누리경제", 2)]
    assert len(sources) == 12 and sum(v.count for v in sources) == 19  # 27 articles, 8 blogs without a source
    assert engine.newest_date() == "2026-02-11"


def test_periods_end_on_the_newest_article_when_the_archive_is_older_than_today() -> None:
    assert periods("2024-03-31", today=date(2024, 5, 31)) == [
        ("1일", "2024-03-30", "2024-03-31"), ("1주", "2024-03-24", "2024-03-31"),
        ("1개월", "2024-02-29", "2024-03-31"), ("1년", "2023-03-31", "2024-03-31")]
    assert periods("2030-01-01", today=date(2024, 5, 31))[0] == ("1일", "2024-05-30", "2024-05-31")
    assert periods(None, today=date(2024, 5, 31))[3] == ("1년", "2023-05-31", "2024-05-31")


def test_api_search_facets_and_sources(client) -> None:
    body = client.get(f"/api/search?q={q('화물')}&source={q('한겨레')}").get_json()
    assert body["total"] == 1
    assert body["facets"] == {"source": [{"value": "연합뉴스", "count": 1}, {"value": "한겨레", "count": 1}],
                              "year": [{"value": "2024", "count": 1}]}
    assert "facets" not in client.get("/api/search").get_json()  # nothing was searched
    assert client.get("/api/sources").get_json() == {"sources": [
        {"value": "기상청", "count": 12}, {"value": "연합뉴스", "count": 1}, {"value": "제주일보", "count": 1},
        {"value": "한겨레", "count": 1}]}


def test_page_shows_facets_and_periods_as_links(client) -> None:
    page = client.get(f"/?q={q('화물')}&source={q('한겨레')}").text
    assert (f'<li><a href="/?q={q("화물")}&amp;source={q("연합뉴스")}">연합뉴스 <span class="n">1</span></a></li>'
            in page)
    assert '<li><strong aria-current="true">한겨레 <span class="n">1</span></strong></li>' in page
    assert (f'<a href="/?q={q("화물")}&amp;source={q("한겨레")}&amp;from=2024-01-01&amp;to=2024-12-31">2024 '
            '<span class="n">1</span></a>') in page
    # the archive ends on 2024-03-12, long before today: the periods end there
    assert f'<a href="/?q={q("화물")}&amp;source={q("한겨레")}&amp;from=2024-03-05&amp;to=2024-03-12">1주</a>' in page
    assert '<a href="#f-from">직접입력</a>' in page
    week = client.get(f"/?q={q('날씨')}&from=2024-03-05&to=2024-03-12").text
    assert '<strong aria-current="true">1주</strong>' in week
    assert "검색 결과 <strong>8</strong>건" in week
