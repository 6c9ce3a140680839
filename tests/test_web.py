"""Tests for the web front end through Flask's test client: the JSON API, the Korean pages, errors."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from urllib.parse import quote

import pytest

from chaja.search import Engine
from chaja.web import create_app

from conftest import SCRIPT, WEB_ARTICLES

JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"
SEARCH_KEYS = ["query", "total", "page", "size", "took_ms", "relaxed", "suggestion", "corrected", "partial_from",
               "hits"]
FACETS = ["facets"]  # present whenever a search ran
HIT_KEYS = ["id", "title", "title_html", "url", "date", "source", "score", "section", "snippet_html", "duplicates"]
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def q(text: str) -> str:
    """Return text percent-encoded as url_for writes it in a query string."""
    return quote(text, safe="")


def assert_json_error(response, status: int, code: str) -> str:
    """Assert a JSON error response and return its message."""
    assert response.status_code == status
    assert response.headers["Content-Type"] == JSON
    body = response.get_json()
    assert list(body) == ["error"]
    assert list(body["error"]) == ["code", "message"]
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]["message"]


# --- the app factory ------------------------------------------------------------------------------

def test_config_default_index_from_environment(monkeypatch) -> None:
    monkeypatch.setenv("CHAJA_INDEX", "/srv/chaja-index")
    assert create_app().config["INDEX"] == "/srv/chaja-index"
    monkeypatch.delenv("CHAJA_INDEX")
    assert create_app().config["INDEX"] == "chaja-index"


def test_test_config_overrides_defaults(monkeypatch, web_index: Path) -> None:
    monkeypatch.setenv("CHAJA_INDEX", "/srv/chaja-index")
    app = create_app({"INDEX": str(web_index), "TESTING": True})
    assert app.config["INDEX"] == str(web_index)
    assert app.testing


def test_one_engine_per_app_for_every_request(app, client, web_index: Path) -> None:
    engine = app.extensions["chaja"]
    assert isinstance(engine, Engine)
    assert engine.root == web_index
    client.get("/api/search?q=부산항")
    client.get("/?q=부산항")
    assert app.extensions["chaja"] is engine


# --- GET /api/search ------------------------------------------------------------------------------

def test_search_json_shape_types_and_headers(client) -> None:
    r = client.get("/api/search?q=부산항")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == JSON
    body = r.get_json()
    assert list(body) == SEARCH_KEYS + FACETS
    assert body["query"] == "부산항"
    assert body["total"] == 2
    assert (body["page"], body["size"], body["relaxed"], body["suggestion"]) == (1, 10, False, None)
    assert isinstance(body["took_ms"], float)
    assert [h["id"] for h in body["hits"]] == ["busan-port", "incheon-airport"]
    hit = body["hits"][0]
    assert list(hit) == HIT_KEYS
    assert hit["title"] == "부산항 컨테이너 물동량 역대 최대"
    assert hit["title_html"] == "<mark>부산항</mark> 컨테이너 물동량 역대 최대"
    assert (hit["url"], hit["date"], hit["source"]) == ("https://example.com/news/busan-port", "2024-01-05", "연합뉴스")
    assert isinstance(hit["score"], float)
    # the lead matches nearly as well as 신항 개발 (7.6165 x 1.1 against 8.1605) and names the hit (search/context.py)
    assert hit["section"] == {"index": 0, "heading": "", "heading_html": ""}
    assert hit["snippet_html"].startswith("<mark>부산항</mark>의 지난해 컨테이너 물동량이")


def test_search_korean_is_not_escaped_in_the_raw_body(client) -> None:
    raw = client.get("/api/search?q=부산항").data
    assert "부산항 컨테이너 물동량 역대 최대".encode() in raw
    assert b"\\u" not in raw


def test_search_body_is_exactly_the_library_result(app, client) -> None:
    body = client.get("/api/search?q=날씨&page=2&size=5&sort=date&source=기상청&from=2024-03-01&to=2024-03-31").get_json()
    expected = app.extensions["chaja"].search("날씨", page=2, size=5, sort="date", source="기상청",
                                              date_from="2024-03-01", date_to="2024-03-31").to_json()
    body.pop("took_ms"), expected.pop("took_ms")
    assert body == expected


def test_search_empty_parameters_mean_the_defaults(client) -> None:
    body = client.get("/api/search?q=부산항&page=&size=&sort=&source=&from=&to=").get_json()
    assert (body["page"], body["size"], body["total"]) == (1, 10, 2)


def test_search_pages_and_size(client) -> None:
    body = client.get("/api/search?q=날씨&size=5&page=3").get_json()
    assert (body["total"], body["page"], body["size"], len(body["hits"])) == (12, 3, 5, 2)


def test_search_sort_by_date_puts_newest_first(client) -> None:
    body = client.get("/api/search?q=날씨&size=3&sort=date").get_json()
    assert [h["id"] for h in body["hits"]] == ["seoul-weather-12", "seoul-weather-11", "seoul-weather-10"]


def test_search_source_filter(client) -> None:
    assert [h["id"] for h in client.get("/api/search?q=화물").get_json()["hits"]] == ["incheon-airport", "busan-port"]
    assert [h["id"] for h in client.get("/api/search?q=화물&source=한겨레").get_json()["hits"]] == ["incheon-airport"]


def test_search_date_filters(client) -> None:
    body = client.get("/api/search?q=날씨&from=2024-03-10&to=2024-03-11&sort=date").get_json()
    assert [h["id"] for h in body["hits"]] == ["seoul-weather-11", "seoul-weather-10"]


def test_search_relaxed_when_no_article_has_every_word(client) -> None:
    body = client.get("/api/search?q=부산항 감귤").get_json()
    assert body["relaxed"] is True
    assert {h["id"] for h in body["hits"]} == {"busan-port", "incheon-airport", "news/2024/jeju-tangerine"}


def test_search_suggests_hangul_typed_on_an_english_keyboard(client) -> None:
    body = client.get("/api/search?q=qntksgkd").get_json()
    assert (body["total"], body["suggestion"], body["corrected"]) == (2, "부산항", True)
    assert [h["id"] for h in body["hits"]] == ["busan-port", "incheon-airport"]
    body = client.get("/api/search?q=qntksgkd&correct=0").get_json()
    assert (body["total"], body["suggestion"], body["corrected"], body["hits"]) == (0, "부산항", False, [])
    bad = client.get("/api/search?q=qntksgkd&correct=AAA")
    assert (bad.status_code, bad.get_json()["error"]["message"]) == (
        400, "correct must be 0 (search exactly as typed) or 1, not 'AAA'")


def test_search_message_only_when_the_query_cannot_be_used(client) -> None:
    body = client.get("/api/search").get_json()
    assert list(body) == SEARCH_KEYS + ["message"]
    assert (body["query"], body["total"], body["message"]) == ("", 0, "검색어를 입력하세요.")
    assert "message" not in client.get("/api/search?q=우주선").get_json()


def test_search_snippet_escapes_html_in_article_text(client) -> None:
    r = client.get("/api/search?q=악성 코드")
    hit, = r.get_json()["hits"]
    assert hit["id"] == "busan-port" and hit["section"] == {"index": 2, "heading": "보안 점검", "heading_html": "보안 점검"}
    assert hit["snippet_html"].startswith(f"항만 전산망 점검에서 {ESCAPED_SCRIPT} 같은 <mark>악성</mark> <mark>코드</mark>")
    assert b"<script>" not in r.data


@pytest.mark.parametrize("params", [
    "page=abc", "page=1.5", "page=0", "page=-1", "size=x", "size=0", "size=101",
    "sort=popular", "from=2024-13-01", "from=20240101", "to=yesterday",
])
def test_search_bad_parameters_are_400_json(client, params: str) -> None:
    r = client.get(f"/api/search?q=부산항&{params}")
    name = params.split("=")[0]
    assert name in assert_json_error(r, 400, "bad_request")


@pytest.mark.parametrize(("params", "message"), [
    ("page=1_0", "page must be a whole number from 1 to 1000, such as page=2; got '1_0'"),
    ("page=%D9%A3", "page must be a whole number from 1 to 1000, such as page=2; got '٣'"),
    ("page=%2B2", "page must be a whole number from 1 to 1000, such as page=2; got '+2'"),
    ("page=1001", "page must be a whole number from 1 to 1000, such as page=2; got '1001'"),
    ("size=%EF%BC%95", "size must be a whole number from 1 to 100, such as size=2; got '５'"),
    ("sort=popular", "sort must be relevance or date, not 'popular'"),
    ("to=2024-02-30", "to must be a date written YYYY-MM-DD, such as 2024-01-31; got '2024-02-30'"),
    ("from=%D9%A2%D9%A0%D9%A2%D9%A4-01-01", "from must be a date written YYYY-MM-DD, such as 2024-01-31; got '٢٠٢٤-01-01'"),
])
def test_search_parameters_are_ascii_numbers_and_days_with_exact_messages(client, params: str, message: str) -> None:
    assert assert_json_error(client.get(f"/api/search?q=부산항&{params}"), 400, "bad_request") == message


def test_search_rules_are_one_set_for_api_page_cli_and_library(client, app, corpus_index) -> None:
    from click.testing import CliRunner

    from chaja.search import QueryError
    from chaja.web.cli import main

    api = assert_json_error(client.get("/api/search?q=부산항&page=1_0"), 400, "bad_request")
    with pytest.raises(QueryError) as library:
        app.extensions["chaja"].search("부산항", page="1_0")
    cli = CliRunner().invoke(main, ["search", "김장", "--page", "1_0", "--index", str(corpus_index)])
    assert api == str(library.value) == "page must be a whole number from 1 to 1000, such as page=2; got '1_0'"
    assert (cli.exit_code, cli.stderr) == (2, f"Error: {api}\n")
    page = client.get("/?q=부산항&page=1_0")
    assert page.status_code == 400
    assert '<p class="detail">페이지 번호는 1부터 1000까지의 숫자로 적어 주세요. 받은 값: 1_0</p>' in page.text


def test_a_reversed_date_range_is_an_empty_search_with_a_message_everywhere(client) -> None:
    message = "시작일(2024-03-11)이 종료일(2024-03-02)보다 늦어 그 사이의 기사가 없습니다. 두 날짜를 바꿔 적어 주세요."
    for params in ({"q": "날씨", "from": "2024-03-11", "to": "2024-03-02"}, {"q": "날씨 date:2024-03-11..2024-03-02"}):
        body = client.get("/api/search", query_string=params).get_json()
        assert (body["total"], body["hits"], body["message"]) == (0, [], message)
    page = client.get("/?q=날씨&from=2024-03-11&to=2024-03-02")
    assert page.status_code == 200
    assert f'<p class="notice message">{message}</p>' in page.text
    assert filter_row(date_from="2024-03-11", date_to="2024-03-02") in page.text  # kept in the form to fix


def test_search_source_is_stripped_like_the_page_does(client) -> None:
    assert [h["id"] for h in client.get("/api/search?q=화물&source=%20한겨레%20").get_json()["hits"]] == [
        "incheon-airport"]
    body = client.get("/api/search?q=화물&source=%20").get_json()
    assert [h["id"] for h in body["hits"]] == ["incheon-airport", "busan-port"]


def test_search_message_never_stands_beside_hits_a_notice_does(client) -> None:
    body = client.get("/api/search", query_string={"q": "부산항 date:2024-13-01"}).get_json()
    assert list(body) == SEARCH_KEYS + FACETS + ["notice"]
    assert [h["id"] for h in body["hits"]] == ["busan-port", "incheon-airport"]
    assert body["notice"] == "날짜 조건 '2024-13-01'을(를) 알 수 없어 무시했습니다. date:2025-01-01..2025-06-30처럼 쓰세요."


def test_a_bad_date_alone_says_what_is_wrong_with_the_date(client) -> None:
    body = client.get("/api/search", query_string={"q": "date:2025-13-01"}).get_json()
    assert list(body) == SEARCH_KEYS + ["message"]
    assert body["message"] == "날짜 조건 '2025-13-01'을(를) 알 수 없어 무시했습니다. date:2025-01-01..2025-06-30처럼 쓰세요."
    page = client.get("/", query_string={"q": "date:2025-13-01"}).text
    assert f'<p class="notice message">{escape(body["message"]).replace("&#x27;", "&#39;")}</p>' in page
    assert "조사나 기호만으로는" not in page


@pytest.mark.parametrize("text", ['"', "(", ")", "*", "?", "OR", "-", "title:", "date:2024-99-99", "source:",
                                  "부산항 AND OR NOT", "\x00", "a" * 5000, "<script>alert(1)</script>", "%", "\\"])
def test_search_any_query_text_is_200(client, text: str) -> None:
    r = client.get("/api/search", query_string={"q": text})
    assert r.status_code == 200
    assert r.get_json()["query"] == text


# --- GET /api/articles/<id>, /api/stats, /healthz --------------------------------------------------

def test_article_json_is_the_whole_article(client) -> None:
    r = client.get("/api/articles/busan-port")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == JSON
    source = WEB_ARTICLES[0]
    assert r.get_json() == {
        "id": "busan-port", "title": source["title"], "title_html": source["title"], "date": "2024-01-05",
        "source": "연합뉴스", "url": "https://example.com/news/busan-port",
        "sections": [{"index": i, "heading": s["heading"], "text": s["text"], "heading_html": s["heading"],
                      "text_html": s["text"].replace(SCRIPT, ESCAPED_SCRIPT)}
                     for i, s in enumerate(source["sections"])],
    }
    assert "<script>alert(1)</script>".encode() in r.data  # raw text in JSON beside the escaped *_html


def test_article_json_marks_the_words_of_q_as_the_page_does(client) -> None:
    body = client.get("/api/articles/busan-port?q=신항 개발").get_json()
    assert body["title_html"] == "부산항 컨테이너 물동량 역대 최대"
    assert body["sections"][1]["heading_html"] == "<mark>신항</mark> <mark>개발</mark>"
    assert body["sections"][1]["text_html"].startswith("부산항 <mark>신항</mark>에 새 부두가")
    page = client.get("/articles/busan-port?q=신항 개발").text
    assert f'<h2>{body["sections"][1]["heading_html"]}</h2>' in page


def test_article_json_id_with_slashes(client) -> None:
    body = client.get("/api/articles/news/2024/jeju-tangerine").get_json()
    assert (body["id"], body["title"]) == ("news/2024/jeju-tangerine", "제주 감귤 수확 시작")


def test_article_json_unknown_id_is_404(client) -> None:
    assert "nope/missing" in assert_json_error(client.get("/api/articles/nope/missing"), 404, "not_found")


def test_stats(client, web_index: Path) -> None:
    r = client.get("/api/stats")
    assert r.status_code == 200 and r.headers["Content-Type"] == JSON
    body = r.get_json()
    assert {"articles", "sections", "terms", "size_bytes", "built_at", "paths", "generation"} <= set(body)
    assert (body["articles"], body["sections"]) == (15, 31)
    assert body["generation"] == (web_index / "CURRENT").read_text().strip()
    assert isinstance(body["terms"], int) and isinstance(body["size_bytes"], int)


def test_healthz(client, web_index: Path) -> None:
    assert client.application.extensions["chaja"].warm(30)  # the generation's common terms are loaded
    r = client.get("/healthz")
    assert r.status_code == 200 and r.headers["Content-Type"] == JSON
    assert r.get_json() == {"status": "ok", "generation": (web_index / "CURRENT").read_text().strip(), "warm": True}


# --- JSON errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api", "/api/", "/api/nothing", "/api/search/more", "/api/articles/"])
def test_unknown_api_routes_are_404_json(client, path: str) -> None:
    assert_json_error(client.get(path), 404, "not_found")


@pytest.mark.parametrize("path", ["/api/search", "/api/articles/busan-port", "/api/stats", "/healthz"])
def test_wrong_method_is_405_json(client, path: str) -> None:
    r = client.post(path, data="{}")
    assert_json_error(r, 405, "method_not_allowed")
    assert set(r.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_unexpected_error_is_500_json_without_internals(app, client, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    monkeypatch.setattr(app.extensions["chaja"], "search", broken)
    r = client.get("/api/search?q=부산항")
    assert assert_json_error(r, 500, "internal_server_error") == "internal server error; see the server log"
    page = client.get("/?q=부산항")
    assert page.status_code == 500 and page.headers["Content-Type"] == HTML
    assert "서버 오류가 발생했습니다" in page.text and "secret" not in page.text


def test_missing_index_is_503_not_500(tmp_path: Path) -> None:
    client = create_app({"INDEX": str(tmp_path / "none")}).test_client()
    assert "chaja index rebuild" in assert_json_error(client.get("/healthz"), 503, "service_unavailable")
    page = client.get("/?q=부산항")
    assert page.status_code == 503 and "검색 색인을 열 수 없습니다" in page.text
    assert str(tmp_path) not in page.text


# --- the OpenAPI document -------------------------------------------------------------------------

def api_routes(app) -> set[str]:
    """Return the JSON routes of the app in OpenAPI path syntax."""
    paths = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.rule == "/healthz":
            paths.add(rule.rule.replace("<article_id:article_id>", "{article_id}"))
    return paths


def test_openapi_document_describes_every_json_route(app, client) -> None:
    r = client.get("/api/openapi.json")
    assert r.status_code == 200 and r.headers["Content-Type"] == JSON
    doc = r.get_json()
    assert doc["openapi"] == "3.1.0"
    assert set(doc["paths"]) == api_routes(app)
    params = {p["name"]: p["schema"] for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    assert list(params) == ["q", "page", "size", "sort", "source", "from", "to", "correct"]
    empty = {"type": "string", "maxLength": 0}  # an empty parameter means its default, as a form sends it
    assert params["page"] == {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 1000}, empty], "default": 1}
    assert params["size"] == {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 100}, empty], "default": 10}


def test_openapi_document_is_valid_and_matches_responses(client) -> None:
    openapi_spec_validator = pytest.importorskip("openapi_spec_validator")
    jsonschema = pytest.importorskip("jsonschema")
    referencing = pytest.importorskip("referencing")
    doc = client.get("/api/openapi.json").get_json()
    openapi_spec_validator.validate(doc)

    registry = referencing.Registry().with_resource(
        "urn:chaja", referencing.Resource.from_contents(doc, default_specification=referencing.jsonschema.DRAFT202012))

    def check(url: str, schema: str) -> None:
        validator = jsonschema.Draft202012Validator({"$ref": f"urn:chaja#/components/schemas/{schema}"}, registry=registry)
        validator.validate(client.get(url).get_json())

    check("/api/search?q=부산항", "SearchResult")
    check("/api/search", "SearchResult")
    check("/api/articles/busan-port", "Article")
    check("/api/stats", "Stats")
    check("/healthz", "Health")
    check("/api/search?page=x", "Error")
    check("/api/nothing", "Error")


# --- the search page ------------------------------------------------------------------------------

def test_home_page(client) -> None:
    r = client.get("/")
    assert r.status_code == 200 and r.headers["Content-Type"] == HTML
    page = r.text
    assert '<html lang="ko">' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<form class="search" action="/" method="get" role="search">' in page
    assert '<input type="search" name="q" value="" aria-label="검색어" placeholder="검색어를 입력하세요" autofocus' in page
    assert '<link rel="stylesheet" href="/static/chaja.css">' in page
    assert "검색 결과" not in page


def test_stylesheet_has_korean_font_stack_and_phone_layout(client) -> None:
    r = client.get("/static/chaja.css")
    assert r.status_code == 200
    css = r.text
    assert 'font-family: "Pretendard", "Apple SD Gothic Neo", "Malgun Gothic", "Noto Sans KR", sans-serif;' in css
    assert "@media (max-width:" in css
    r.close()


def test_results_page(client) -> None:
    page = client.get("/?q=부산항").text
    assert '<input type="search" name="q" value="부산항"' in page
    assert "검색 결과 <strong>2</strong>건" in page
    assert '<span class="took">(' in page and "초)</span>" in page
    assert (f'<h2><a href="/articles/busan-port?q={q("부산항")}#s-0"><mark>부산항</mark> 컨테이너 물동량 역대 최대</a></h2>'
            in page)
    assert '<p class="heading">항공 화물</p>' in page  # the second hit's section; the first names its lead
    assert '<p class="snippet"><mark>부산항</mark>의 지난해 컨테이너 물동량이' in page
    assert '<time datetime="2024-01-05">2024-01-05</time> · <span class="source">연합뉴스</span>' in page
    assert page.index("busan-port") < page.index("incheon-airport")


def test_results_link_to_articles_with_slashes_in_their_id(client) -> None:
    page = client.get("/?q=감귤").text
    assert f'<a href="/articles/news/2024/jeju-tangerine?q={q("감귤")}#s-1">' in page


def test_results_page_escapes_article_text_and_the_query(client) -> None:
    page = client.get("/?q=악성 코드").text
    assert ESCAPED_SCRIPT in page
    assert "<script>" not in page
    page = client.get("/", query_string={"q": '<script>alert(1)</script>"'}).text
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;&#34;"' in page
    assert "<script>" not in page


def test_pagination_links_keep_query_and_sort(client) -> None:
    first = client.get("/?q=날씨").text
    assert "검색 결과 <strong>12</strong>건" in first
    assert first.count('<li class="hit">') == 10
    assert '<strong aria-current="page">1</strong>' in first
    assert f'<a href="/?q={q("날씨")}&amp;page=2">2</a>' in first
    assert f'<a class="next" rel="next" href="/?q={q("날씨")}&amp;page=2">다음</a>' in first
    assert "이전" not in first

    second = client.get("/?q=날씨&page=2&sort=date").text
    assert second.count('<li class="hit">') == 2
    assert '<ol class="hits" start="11">' in second
    assert f'<a class="prev" rel="prev" href="/?q={q("날씨")}&amp;sort=date">이전</a>' in second
    assert f'<a href="/?q={q("날씨")}&amp;sort=date">1</a>' in second
    assert '<strong aria-current="page">2</strong>' in second
    assert "다음" not in second


def test_page_past_the_last_says_where_the_results_end_and_links_back(client) -> None:
    page = client.get("/?q=날씨&page=5").text
    assert (f'<p class="empty">검색 결과 12건은 2쪽까지 있습니다. 5쪽에는 결과가 없습니다. '
            f'<a href="/?q={q("날씨")}&amp;page=2">마지막 쪽으로 가기</a></p>') in page
    assert "검색 결과 <strong>" not in page and '<nav class="pages"' not in page


def test_the_section_heading_of_a_hit_is_marked_as_on_the_article_page(client) -> None:
    page = client.get("/?q=신항").text
    assert '<p class="heading"><mark>신항</mark> 개발</p>' in page
    assert "<h2><mark>신항</mark> 개발</h2>" in client.get("/articles/busan-port?q=신항").text
    hit = client.get("/api/search?q=신항").get_json()["hits"][0]
    assert hit["section"] == {"index": 1, "heading": "신항 개발", "heading_html": "<mark>신항</mark> 개발"}


def test_sort_links(client) -> None:
    page = client.get("/?q=날씨").text
    assert '<strong aria-current="true">정확도순</strong>' in page
    assert f'<a href="/?q={q("날씨")}&amp;sort=date">최신순</a>' in page
    by_date = client.get("/?q=날씨&sort=date").text
    assert f'<a href="/?q={q("날씨")}">정확도순</a>' in by_date
    assert '<strong aria-current="true">최신순</strong>' in by_date
    assert '<input type="hidden" name="sort" value="date">' in by_date
    assert by_date.index("seoul-weather-12") < by_date.index("seoul-weather-11") < by_date.index("seoul-weather-03")


def test_empty_state(client) -> None:
    page = client.get("/?q=우주선").text
    assert "<p>검색 결과가 없습니다.</p>" in page
    assert "찾으셨나요" not in page


def test_empty_state_offers_the_suggestion(client) -> None:
    page = client.get("/?q=qntksgkd&correct=0").text
    assert "<p>검색 결과가 없습니다.</p>" in page
    assert f'이것을 찾으셨나요? <a href="/?q={q("부산항")}">부산항</a>' in page


def test_relaxed_notice(client) -> None:
    page = client.get("/?q=부산항 감귤").text
    assert "모든 검색어를 포함한 결과가 없어 일부 검색어만 일치하는 결과를 보여 드립니다." in page
    assert "부산항 컨테이너" not in client.get("/?q=감귤").text
    assert "일부 검색어만 일치하는" not in client.get("/?q=부산항").text


def test_message_when_the_query_cannot_be_used(client) -> None:
    page = client.get("/?q=-부산항").text
    assert '<p class="notice message">제외할 낱말만으로는 검색할 수 없습니다. 찾을 낱말을 함께 입력하세요.</p>' in page
    assert "검색 결과가 없습니다" not in page


@pytest.mark.parametrize("params", ["page=abc", "page=0", "page=1.5", "sort=popular"])
def test_bad_page_parameters_are_400_pages(client, params: str) -> None:
    r = client.get(f"/?q=부산항&{params}")
    assert r.status_code == 400 and r.headers["Content-Type"] == HTML
    assert "<h1>잘못된 요청입니다</h1>" in r.text
    assert "주소의 검색 조건이 올바르지 않습니다." in r.text


@pytest.mark.parametrize(("params", "message"), [
    ("page=abc", "페이지 번호는 1부터 1000까지의 숫자로 적어 주세요. 받은 값: abc"),
    ("page=1001", "페이지 번호는 1부터 1000까지의 숫자로 적어 주세요. 받은 값: 1001"),
    ("sort=popular", "정렬은 relevance(정확도순)나 date(최신순)로 적어 주세요. 받은 값: popular"),
    ("sort=<b>x</b>", "정렬은 relevance(정확도순)나 date(최신순)로 적어 주세요. 받은 값: &lt;b&gt;x&lt;/b&gt;"),
])
def test_bad_page_parameter_messages_are_korean_and_escaped(client, params: str, message: str) -> None:
    r = client.get(f"/?q=부산항&{params}")
    assert r.status_code == 400
    assert message in r.text


# --- the filter row: source and dates ---------------------------------------------------------------

FILTERS = """<fieldset class="filters">
    <legend>검색 조건</legend>
    <span class="filter"><label for="f-source">출처</label>
    <input type="text" id="f-source" name="source" value="{source}" placeholder="예: 연합뉴스" size="10"></span>
    <span class="filter"><label for="f-from">시작일</label>
    <input type="date" id="f-from" name="from" value="{date_from}"></span>
    <span class="filter"><label for="f-to">종료일</label>
    <input type="date" id="f-to" name="to" value="{date_to}"></span>
    <span class="periods" role="group" aria-label="기간">"""  # the period presets follow (tests/test_facets.py)


def filter_row(source: str = "", date_from: str = "", date_to: str = "") -> str:
    return FILTERS.format(source=source, date_from=date_from, date_to=date_to)


def hit_ids(page: str) -> list[str]:
    return re.findall(r'<h2><a href="/articles/([^"?]+)\?', page)


def test_home_page_has_an_empty_filter_row_inside_the_search_form(client) -> None:
    assert filter_row() in client.get("/").text


def test_source_filter_narrows_results_and_stays_in_the_form(client) -> None:
    assert hit_ids(client.get("/?q=화물").text) == ["incheon-airport", "busan-port"]
    page = client.get("/?q=화물&source=한겨레").text
    assert hit_ids(page) == ["incheon-airport"]
    assert "검색 결과 <strong>1</strong>건" in page
    assert filter_row(source="한겨레") in page


def test_date_filters_narrow_results_and_every_link_keeps_them(client) -> None:
    page = client.get("/?q=날씨&from=2024-03-02&to=2024-03-12&sort=date").text
    assert "검색 결과 <strong>11</strong>건" in page
    assert hit_ids(page)[0] == "seoul-weather-12" and "seoul-weather-01" not in page
    assert filter_row(date_from="2024-03-02", date_to="2024-03-12") in page
    kept = "&amp;from=2024-03-02&amp;to=2024-03-12"
    assert f'<a class="next" rel="next" href="/?q={q("날씨")}&amp;sort=date&amp;page=2{kept}">다음</a>' in page
    assert f'<a href="/?q={q("날씨")}{kept}">정확도순</a>' in page
    second = client.get("/?q=날씨&from=2024-03-02&to=2024-03-12&sort=date&page=2").text
    assert hit_ids(second) == ["seoul-weather-02"]
    assert f'<a class="prev" rel="prev" href="/?q={q("날씨")}&amp;sort=date{kept}">이전</a>' in second


def test_empty_filters_from_the_form_redirect_to_the_address_without_them(client) -> None:
    r = client.get("/?q=날씨&sort=date&page=2&source=+&from=&to=")
    assert (r.status_code, r.headers["Location"]) == (302, f"/?q={q('날씨')}&sort=date&page=2")
    r = client.get("/?q=날씨&source=기상청&from=&to=2024-03-11")
    assert (r.status_code, r.headers["Location"]) == (302, f"/?q={q('날씨')}&source={q('기상청')}&to=2024-03-11")
    page = client.get("/?q=날씨&source=&from=&to=", follow_redirects=True).text
    assert "검색 결과 <strong>12</strong>건" in page
    assert filter_row() in page


def test_filters_without_words_list_matching_articles_newest_first(client) -> None:
    page = client.get("/?q=&source=기상청&from=2024-03-11").text
    assert hit_ids(page) == ["seoul-weather-12", "seoul-weather-11"]
    assert "<title>찾아 - 한국어 기사 검색</title>" in page


def test_filter_values_are_escaped(client) -> None:
    r = client.get("/", query_string={"q": "부산항", "source": '"><script>alert(1)</script>'})
    assert r.status_code == 200
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in r.text
    assert "<script>" not in r.text and "<p>검색 결과가 없습니다.</p>" in r.text


@pytest.mark.parametrize(("params", "message"), [
    ("from=2024-13-01", "시작일은 2024-01-31처럼 연-월-일 숫자로 적어 주세요. 받은 값: 2024-13-01"),
    ("from=20240101", "시작일은 2024-01-31처럼 연-월-일 숫자로 적어 주세요. 받은 값: 20240101"),
    ("to=2024-02-30", "종료일은 2024-01-31처럼 연-월-일 숫자로 적어 주세요. 받은 값: 2024-02-30"),
    ("to=<script>", "종료일은 2024-01-31처럼 연-월-일 숫자로 적어 주세요. 받은 값: &lt;script&gt;"),
])
def test_malformed_dates_are_400_pages_with_a_korean_message(client, params: str, message: str) -> None:
    r = client.get(f"/?q=부산항&{params}")
    assert r.status_code == 400 and r.headers["Content-Type"] == HTML
    assert "<h1>잘못된 요청입니다</h1>" in r.text
    assert f'<p class="detail">{message}</p>' in r.text
    assert "<script>" not in r.text


# --- the article page -----------------------------------------------------------------------------

def test_article_page(client) -> None:
    r = client.get("/articles/busan-port?q=부산항")
    assert r.status_code == 200 and r.headers["Content-Type"] == HTML
    page = r.text
    assert "<h1><mark>부산항</mark> 컨테이너 물동량 역대 최대</h1>" in page
    assert [f'<section id="s-{i}">' in page for i in range(4)] == [True, True, True, False]
    assert '<p class="text"><mark>부산항</mark>의 지난해 컨테이너 물동량이' in page
    assert "<h2>신항 개발</h2>" in page
    assert f'<p class="back"><a href="/?q={q("부산항")}">← 검색 결과로 돌아가기</a></p>' in page
    assert '<a class="original" href="https://example.com/news/busan-port" rel="noopener noreferrer">원문 보기</a>' in page
    assert '<time datetime="2024-01-05">2024-01-05</time> · <span class="source">연합뉴스</span>' in page


def test_article_page_escapes_article_text(client) -> None:
    page = client.get("/articles/busan-port?q=악성 코드").text
    assert f"항만 전산망 점검에서 {ESCAPED_SCRIPT} 같은 <mark>악성</mark> <mark>코드</mark>가" in page
    assert "<script>" not in page


def test_article_page_without_query_has_no_marks(client) -> None:
    page = client.get("/articles/busan-port").text
    assert "<mark>" not in page
    assert '<p class="back"><a href="/">← 검색으로 돌아가기</a></p>' in page


def test_article_page_never_links_a_javascript_url(client) -> None:
    page = client.get("/articles/news/2024/jeju-tangerine").text
    assert "<h1>제주 감귤 수확 시작</h1>" in page
    assert "javascript:" not in page and "원문 보기" not in page


def test_unknown_article_is_a_korean_404_page(client) -> None:
    r = client.get("/articles/nope/missing")
    assert r.status_code == 404 and r.headers["Content-Type"] == HTML
    assert "<h1>페이지를 찾을 수 없습니다</h1>" in r.text
    assert "요청한 기사를 찾을 수 없습니다." in r.text


def test_unknown_page_is_a_korean_404_page(client) -> None:
    r = client.get("/nothing-here")
    assert r.status_code == 404 and r.headers["Content-Type"] == HTML
    assert "<h1>페이지를 찾을 수 없습니다</h1>" in r.text


def test_wrong_method_on_a_page_is_405_html(client) -> None:
    r = client.post("/")
    assert r.status_code == 405 and r.headers["Content-Type"] == HTML
    assert "<h1>허용되지 않는 요청입니다</h1>" in r.text
