"""Hardening of the web front end: security headers, the icon, bounded requests and per-query work."""

from __future__ import annotations

import re
import time

import pytest

from chaja.web.headers import SECURITY_HEADERS

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/", 200), ("GET", "/?q=부산항", 200), ("GET", "/articles/busan-port?q=부산항", 200),
    ("GET", "/?page=x", 400), ("GET", "/nothing", 404), ("POST", "/", 405),
    ("GET", "/api/search?q=부산항", 200), ("GET", "/api/search?page=x", 400), ("GET", "/api/articles/none", 404),
    ("GET", "/api/stats", 200), ("GET", "/api/openapi.json", 200), ("GET", "/healthz", 200),
    ("GET", "/static/chaja.css", 200), ("GET", "/favicon.ico", 200),
])
def test_every_response_carries_the_security_headers(client, method: str, path: str, status: int) -> None:
    r = client.open(path, method=method)
    assert r.status_code == status
    assert {name: r.headers.get(name) for name in SECURITY_HEADERS} == {
        "Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin"}
    r.close()


def test_a_500_page_carries_the_security_headers(app, client, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    monkeypatch.setattr(app.extensions["chaja"], "search", broken)
    r = client.get("/?q=부산항")
    assert (r.status_code, r.headers["Content-Security-Policy"]) == (500, CSP)


def test_the_pages_have_no_inline_script_style_or_handler(client) -> None:
    for path in ("/", "/?q=부산항", "/?q=날씨&page=9", "/articles/busan-port?q=부산항", "/nothing"):
        page = client.get(path).text.lower()
        scripts = re.findall(r"<script[^>]*>", page)
        assert all(re.fullmatch(r'<script src="/static/[a-z]+\.js" defer>', s) for s in scripts), scripts
        assert " style=" not in page and "<style" not in page
        assert " on" not in page.replace(" one", "")  # no onclick=, onload=, ...


def test_favicon_is_an_icon_every_page_links(client) -> None:
    r = client.get("/favicon.ico")
    assert (r.status_code, r.mimetype) == (200, "image/vnd.microsoft.icon")
    assert r.data[:4] == b"\x00\x00\x01\x00" and r.data[22:30] == b"\x89PNG\r\n\x1a\n"  # an ICO holding a PNG
    r.close()
    assert '<link rel="icon" href="/favicon.ico">' in client.get("/").text


# --- /api/stats: computed once per generation ------------------------------------------------------

def test_stats_are_computed_once_per_generation_and_follow_a_rebuild(tmp_path) -> None:
    from chaja.index.builder import rebuild
    from chaja.search import Engine
    from chaja.web import create_app

    from conftest import WEB_ARTICLES, write_jsonl

    write_jsonl(tmp_path / "a" / "a.jsonl", WEB_ARTICLES[:2])
    rebuild([tmp_path / "a"], tmp_path / "ix")
    client = create_app({"TESTING": True, "INDEX": str(tmp_path / "ix")}).test_client()
    engine: Engine = client.application.extensions["chaja"]
    first = client.get("/api/stats").get_json()
    opened = engine._current()
    computed = opened.stats
    assert computed is not None and computed["generation"] == first["generation"]
    assert client.get("/api/stats").get_json() == first
    assert opened.stats is computed  # the second request read the figures of the first
    assert computed["paths"] == [str((tmp_path / "a").resolve())]  # the API's trimmed copy did not change them
    write_jsonl(tmp_path / "b" / "b.jsonl", WEB_ARTICLES[:3])
    generation = rebuild([tmp_path / "b"], tmp_path / "ix").generation
    deadline = time.monotonic() + 10  # the engine looks for a new generation every 0.2 s
    while engine.generation != generation and time.monotonic() < deadline:
        time.sleep(0.02)
    after = client.get("/api/stats").get_json()
    assert (after["generation"], after["articles"], first["articles"]) == (generation, 3, 2)


# --- work per query: words and their length are bounded before analysis ---------------------------

@pytest.mark.parametrize(("query", "notice", "searched"), [
    ("가" * 1000, "24자보다 긴 낱말은 앞의 24자만 검색했습니다.", "가" * 24),
    ("김장 " * 40, "검색어의 낱말이 너무 많아 앞의 32개만 검색했습니다.", " ".join(["김장"] * 32)),
    ("a" * 30 + " 김장", "24자보다 긴 낱말은 앞의 24자만 검색했습니다.", "a" * 24 + " 김장"),
])
def test_a_query_is_bounded_before_analysis_and_says_so(engine, query: str, notice: str, searched: str) -> None:
    from chaja.search.query import parse

    page = engine.search(query)
    assert page.notice == notice
    assert parse(query).clauses == parse(searched).clauses
    assert [h.id for h in page.hits] == [h.id for h in engine.search(searched).hits]


def test_the_bounds_leave_field_syntax_and_real_questions_whole(engine) -> None:
    from chaja.search.limits import bound

    notes: list[str] = []
    query = 'date:2024-01-01..2024-12-31 -title:"한국농수산식품유통공사에서" 원진녹색병원,노동환경건강연구소,원진복지관'
    assert bound(query, notes) == query and notes == []
    page = engine.search("김장 date:2024-01-01..2024-12-31")
    assert (page.notice, [h.id for h in page.hits]) == (None, ["archive-007"])


def test_a_huge_query_is_bounded_before_anything_walks_it(engine) -> None:
    from chaja.search.query import parse

    parsed = parse("가" * 1_000_000 + " 김장")  # one word of a million characters: only its first 24 are read
    assert parsed.notes == ["24자보다 긴 낱말은 앞의 24자만 검색했습니다."]
    assert [c.terms for c in parsed.clauses] == [c.terms for c in parse("가" * 24).clauses]
