"""Links between the pages: any article id survives every link, and the way back keeps the result page."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from chaja.index.read_jsonl import read_jsonl
from chaja.web import create_app

from conftest import build_index, write_jsonl

# ids a JSON Lines file may hold that a browser or a router would read differently if written as is
HOSTILE_IDS = ["a/../b", "a/./b", "./lead-dot", "/lead-slash", "trail/", "dbl//slash", "q?x=1", "h#frag", "p%41",
               "p%2Fq", "sp ace", "back\\slash", "+plus", "semi;colon", "뉴스/2024/기사", "…", "a/..", "../up"]


def article(i: int, article_id: str) -> dict:
    return {"id": article_id, "title": f"해저 터널 기사 {i}", "date": f"2024-05-{i + 1:02d}", "source": "시험일보",
            "sections": [{"heading": "", "text": f"해저 터널 공사 {i}번째 소식이다."}]}


@pytest.fixture(scope="session")
def hostile_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile-ids")
    write_jsonl(folder / "ids.jsonl", [article(i, a) for i, a in enumerate(HOSTILE_IDS)])
    return build_index(folder, tmp_path_factory.mktemp("hostile-index"))


@pytest.fixture
def hostile(hostile_index: Path):
    return create_app({"TESTING": True, "INDEX": str(hostile_index)}).test_client()


def result_links(client, address: str) -> dict[str, str]:
    """Return {title: href} of the hits on a result page."""
    page = client.get(address).text
    return {re.sub("<[^>]+>", "", title): html.unescape(href)
            for href, title in re.findall(r'<h2><a href="([^"]+)">(.+?)</a></h2>', page)}


def test_every_id_round_trips_through_its_result_link(hostile) -> None:
    links = {}
    for number in (1, 2):
        links.update(result_links(hostile, f"/?q=해저 터널&size=10&page={number}"))
    assert len(links) == len(HOSTILE_IDS)
    for i, article_id in enumerate(HOSTILE_IDS):
        href = links[f"해저 터널 기사 {i}"]
        path = href.split("?")[0]
        assert "/./" not in path and "/../" not in path and "//" not in path[1:] and not path.endswith("/.")
        page = hostile.get(href.split("#")[0])
        assert page.status_code == 200, (article_id, href)
        assert f"<h1><mark>해저</mark> <mark>터널</mark> 기사 {i}</h1>" in page.text
        api = hostile.get(f"/api{path}")
        assert (api.status_code, api.get_json()["id"]) == (200, article_id)


def test_ids_keep_readable_slashes_when_they_can(hostile) -> None:
    links = {**result_links(hostile, "/?q=해저 터널"), **result_links(hostile, "/?q=해저 터널&page=2")}
    assert links["해저 터널 기사 14"].startswith(f"/articles/{quote('뉴스')}/2024/{quote('기사')}?")
    assert links["해저 터널 기사 0"].startswith("/articles/a%2F..%2Fb?")
    assert links["해저 터널 기사 6"].startswith("/articles/q%3Fx%3D1?")
    assert links["해저 터널 기사 7"].startswith("/articles/h%23frag?")
    assert links["해저 터널 기사 8"].startswith("/articles/p%2541?")


def test_ids_a_browser_would_resolve_are_refused_with_file_and_line() -> None:
    lines = [f'{{"id": "{i}", "title": "t", "sections": []}}' for i in ("ok", ".", " .. ")]
    got = [(s.path, s.reason) for s in read_jsonl(lines, "feed.jsonl") if not hasattr(s, "title")]
    assert got == [("feed.jsonl:2", "\"id\" '.' cannot be part of a link; give the article another id"),
                   ("feed.jsonl:3", "\"id\" '..' cannot be part of a link; give the article another id")]


# --- the way back -------------------------------------------------------------------------------

def test_the_way_back_keeps_the_filters_sort_and_page(client) -> None:
    results = "/?q=%EB%82%A0%EC%94%A8&sort=date&page=2&source=%EA%B8%B0%EC%83%81%EC%B2%AD&from=2024-03-01&to=2024-03-12"
    page = client.get(results).text
    hrefs = re.findall(r'<h2><a href="([^"]+)">', page)
    assert [html.unescape(h) for h in hrefs] == [
        f"/articles/seoul-weather-02?q=%EB%82%A0%EC%94%A8&sort=date&page=2&source=%EA%B8%B0%EC%83%81%EC%B2%AD"
        f"&from=2024-03-01&to=2024-03-12#s-0",
        f"/articles/seoul-weather-01?q=%EB%82%A0%EC%94%A8&sort=date&page=2&source=%EA%B8%B0%EC%83%81%EC%B2%AD"
        f"&from=2024-03-01&to=2024-03-12#s-0"]
    article = client.get(html.unescape(hrefs[0]).split("#")[0]).text
    assert f'<p class="back"><a href="{html.escape(results)}">← 검색 결과로 돌아가기</a></p>' in article


def test_the_way_back_from_filters_alone_and_from_a_hand_edited_address(client) -> None:
    article = client.get("/articles/seoul-weather-02?q=&source=%EA%B8%B0%EC%83%81%EC%B2%AD").text
    assert '<p class="back"><a href="/?q=&amp;source=%EA%B8%B0%EC%83%81%EC%B2%AD">← 검색 결과로 돌아가기</a></p>' in article
    article = client.get("/articles/seoul-weather-02?q=%EB%82%A0%EC%94%A8&page=abc").text
    assert '<p class="back"><a href="/?q=%EB%82%A0%EC%94%A8">← 검색 결과로 돌아가기</a></p>' in article
