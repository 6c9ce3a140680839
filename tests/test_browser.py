"""End to end in a real headless Chromium: search from the page, follow a hit to its section."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from test_links import hostile_index  # noqa: F401  (a fixture)

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    """Launch Debian's Chromium through Playwright; fail, never skip, when it is missing."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing; install Debian's chromium package (apt-get install chromium) "
                    "to run the browser tests. Do not run `playwright install`.")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def base_url(web_server) -> str:
    """Return the URL of `chaja serve` over the test index."""
    return web_server.base


def test_search_and_open_the_matching_section_without_javascript(browser, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False, locale="ko-KR")
    page = context.new_page()
    try:
        page.goto(f"{base_url}/")
        box = page.locator("input[name=q]")
        expect(box).to_be_focused()  # autofocus works without page scripts
        box.fill("악성 코드")
        box.press("Enter")
        page.wait_for_url(re.compile(r"/\?q=%EC%95%85%EC%84%B1(\+|%20)%EC%BD%94%EB%93%9C$"))
        assert page.locator("p.count").inner_text().startswith("검색 결과 1건")
        assert page.locator(".hits mark").all_inner_texts()[:2] == ["악성", "코드"]
        assert page.locator(".snippet").first.inner_text().startswith("항만 전산망 점검에서 <script>alert(1)</script> 같은")
        assert box.input_value() == "악성 코드"

        page.locator(".hit h2 a").first.click()
        page.wait_for_url(re.compile(r"/articles/busan-port\?q=.+#s-2$"))
        section = page.locator("#s-2")
        assert section.is_visible()
        assert section.locator("h2").inner_text() == "보안 점검"
        assert section.locator("mark").all_inner_texts() == ["악성", "코드"]
        assert page.locator("h1").inner_text() == "부산항 컨테이너 물동량 역대 최대"
    finally:
        context.close()


def test_korean_query_with_highlights_and_pages(browser, base_url: str) -> None:
    context = browser.new_context(locale="ko-KR")
    page = context.new_page()
    try:
        page.goto(f"{base_url}/")
        expect(page.locator("input[name=q]")).to_be_focused()  # Chromium applies autofocus a frame after load
        page.keyboard.type("날씨")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/\?q=%EB%82%A0%EC%94%A8$"))
        assert page.locator(".hit").count() == 10
        assert set(page.locator(".hits mark").all_inner_texts()) == {"날씨"}
        page.get_by_role("link", name="다음").click()
        page.wait_for_url(re.compile(r"page=2$"))
        assert page.locator(".hit").count() == 2
        page.get_by_role("link", name="최신순").click()
        page.wait_for_url(re.compile(r"sort=date$"))
        assert page.locator(".hit h2 a").first.inner_text() == "서울 날씨 3월 12일"
    finally:
        context.close()


def test_filter_row_narrows_results_without_javascript(browser, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False, locale="ko-KR")
    page = context.new_page()
    try:
        page.goto(f"{base_url}/?q=날씨")
        page.get_by_label("출처").fill("기상청")
        page.get_by_label("시작일").fill("2024-03-11")
        page.get_by_label("시작일").press("Enter")
        page.wait_for_url(re.compile(r"\?q=%EB%82%A0%EC%94%A8&source=%EA%B8%B0%EC%83%81%EC%B2%AD&from=2024-03-11$"))
        assert page.locator(".hit h2 a").all_inner_texts() == ["서울 날씨 3월 11일", "서울 날씨 3월 12일"]
        assert page.get_by_label("시작일").input_value() == "2024-03-11"
        assert page.get_by_label("출처").input_value() == "기상청"
    finally:
        context.close()


def test_readable_on_a_phone(browser, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="ko-KR")
    page = context.new_page()
    try:
        for path in ("/?q=부산항", "/articles/busan-port?q=부산항#s-1"):
            page.goto(f"{base_url}{path}")
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow == 0, f"{path} scrolls sideways on a 360px phone by {overflow}px"
        assert page.locator("#s-1").is_visible()
    finally:
        context.close()


@pytest.fixture(scope="module")
def hostile_server(hostile_index, tmp_path_factory):
    """Return `chaja serve` over an index whose ids hold ?, #, %, dot and empty segments."""
    from conftest import start_server

    served = start_server(hostile_index, tmp_path_factory.mktemp("hostile-server"), "--workers", "1")
    yield served
    served.stop()


def test_every_result_link_opens_its_article_whatever_its_id(browser, hostile_server) -> None:
    from test_links import HOSTILE_IDS

    context = browser.new_context(java_script_enabled=False, locale="ko-KR")
    page = context.new_page()
    try:
        opened = {}
        for number in (1, 2):
            results = f"{hostile_server.base}/?q=해저 터널&page={number}"
            page.goto(results)
            for n in range(page.locator(".hit h2 a").count()):
                link = page.locator(".hit h2 a").nth(n)
                title = link.inner_text()
                link.click()
                page.wait_for_load_state()
                opened[title] = (page.locator("h1").inner_text(), page.url.split("?")[0])
                page.go_back()
        assert {title: h1 for title, (h1, _) in opened.items()} == {
            f"해저 터널 기사 {i}": f"해저 터널 기사 {i}" for i in range(len(HOSTILE_IDS))}
        response = page.request.get(opened["해저 터널 기사 0"][1].replace("/articles/", "/api/articles/"))
        assert response.json()["id"] == "a/../b"
    finally:
        context.close()


def test_autocomplete_picked_with_the_keyboard_lands_on_its_results(browser, base_url: str) -> None:
    context = browser.new_context(locale="ko-KR")
    page = context.new_page()
    try:
        page.goto(f"{base_url}/")
        box = page.get_by_role("combobox", name="검색어")
        expect(box).to_be_focused()
        page.keyboard.type("ㅂㅅㅎ")  # 초성 of 부산항
        options = page.get_by_role("listbox", name="추천 검색어").get_by_role("option")
        expect(options).to_have_text(["부산항", "부산항 컨테이너 물동량 역대 최대제목"])
        expect(box).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("ArrowDown")
        expect(box).to_have_attribute("aria-activedescendant", "q-suggestion-0")
        expect(options.first).to_have_attribute("aria-selected", "true")
        assert box.input_value() == "부산항"
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/\?q=%EB%B6%80%EC%82%B0%ED%95%AD$"))
        assert page.locator(".hit h2 a").all_inner_texts() == ["부산항 컨테이너 물동량 역대 최대", "인천공항 이용객 코로나 이전 수준 회복"]
    finally:
        context.close()


def test_filters_stay_beside_their_labels_at_390_px_and_any_width(browser, base_url: str, tmp_path_factory) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1, locale="ko-KR")
    page = context.new_page()
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        page.goto(f"{base_url}/?q=날씨&source=기상청&from=2024-03-02")
        page.screenshot(path=str(tmp_path_factory.mktemp("screens") / "filters-390.png"))
        apart = []
        for width in [390, *range(300, 721, 10)]:  # wherever the row wraps, a label stays with its input
            page.set_viewport_size({"width": width, "height": 844})
            for field in ("f-source", "f-from", "f-to"):
                label = page.locator(f"label[for={field}]").bounding_box()
                box = page.locator(f"#{field}").bounding_box()
                middle = abs((label["y"] + label["height"] / 2) - (box["y"] + box["height"] / 2))
                gap = box["x"] - (label["x"] + label["width"])
                if not (middle < 4 and 0 <= gap <= 16 and box["x"] + box["width"] <= width):
                    apart.append((width, field))
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow == 0, width
        assert apart == []
        assert violations == []
    finally:
        context.close()


def test_autocomplete_escape_and_mouse(browser, base_url: str) -> None:
    context = browser.new_context(locale="ko-KR")
    page = context.new_page()
    try:
        page.goto(f"{base_url}/")
        page.keyboard.type("qntks")  # 부산 typed on the English layout
        listbox = page.get_by_role("listbox", name="추천 검색어")
        expect(listbox.get_by_role("option").first).to_have_text("부산항")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Escape")
        expect(listbox).to_be_hidden()
        assert page.locator("input[name=q]").input_value() == "qntks"  # Escape gives back what was typed
        page.keyboard.press("Backspace")
        page.keyboard.type("s")
        listbox.get_by_role("option", name="부산항 컨테이너 물동량 역대 최대").click()
        page.wait_for_url(re.compile(r"/\?q=%EB%B6%80%EC%82%B0%ED%95%AD\+%EC%BB%A8%ED%85%8C%EC%9D%B4%EB%84%88\+.+"))
        assert page.locator("input[name=q]").input_value() == "부산항 컨테이너 물동량 역대 최대"
        assert page.locator(".hit h2 a").first.inner_text() == "부산항 컨테이너 물동량 역대 최대"
    finally:
        context.close()
