"""Tests for the article readers: encodings, HTML, text exports, JSON Lines and the folder walk."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chaja.index.article import Article, Section, Skipped
from chaja.index.dates import iso_date
from chaja.index.encoding import decode_bytes, declared_charset
from chaja.index.errors import ReadError
from chaja.index.read_html import read_html
from chaja.index.read_jsonl import read_jsonl
from chaja.index.read_text import read_text
from chaja.index.readers import MAX_FILE_BYTES, read_file, read_paths

DATA = Path(__file__).parent / "data" / "readers"
HTML = DATA / "html"
JSONL = DATA / "jsonl"


def only_article(path: Path) -> Article:
    items = read_file(path)
    assert len(items) == 1 and isinstance(items[0], Article), items
    return items[0]


def page(head: str = "", body: str = "<p>본문 문장이다.</p>") -> bytes:
    return f'<html><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'.encode()


# --- encodings ---------------------------------------------------------------------------------

def test_cp949_page_with_meta_charset_euc_kr() -> None:
    article = only_article(HTML / "cp949_meta_charset.html")
    assert article == Article(
        id="cp949_meta_charset",
        title="부산항 컨테이너 물동량 역대 최대",
        sections=(Section("", "부산항의 지난해 컨테이너 물동량이 2,440만 TEU로 역대 최대를 기록했다.\n"
                              "부산항만공사는 신항 물동량이 크게 늘어난 덕분이라고 14일 밝혔다. 똠양꿍 맛집 골목도 붐볐다."),),
        date="2025-03-14",
        source="부산일보",
        url="https://www.busan.example/news/1001",
    )
    assert article.path == str(HTML / "cp949_meta_charset.html")


def test_euc_kr_page_declared_by_http_equiv() -> None:
    article = only_article(HTML / "euckr_http_equiv.html")
    assert article.title == "지역 소멸 막을 청년 정책"
    assert article.source == "한빛일보"
    assert article.date == "2024-11-02"
    assert article.sections == (Section("", "정부가 지역 소멸을 막기 위한 청년 정착 지원책을 내놓았다.\n"
                                            "지방으로 이주하는 청년에게 주거비와 창업 자금을 지원한다."),)


def test_utf8_page_with_bom() -> None:
    article = only_article(HTML / "utf8_bom.html")
    assert (article.title, article.date, article.source, article.url) == (
        "한글 맞춤법 개정안 발표", "2023-10-09", "말글소식 편집국", "https://malgeul.example/2023/hangul")
    assert article.sections == (Section("", "국립국어원이 한글날을 맞아 맞춤법 개정안을 발표했다.\n띄어쓰기 규정이 일부 바뀐다."),)


def test_cp949_page_without_declared_charset_is_detected() -> None:
    article = only_article(HTML / "cp949_undeclared.html")
    assert article.title == "겨울철 독감 예방접종 안내"
    assert [s.heading for s in article.sections] == [""]
    assert article.sections[0].text.split("\n") == [
        "질병관리청은 겨울철 독감 유행에 대비해 예방접종을 서둘러 달라고 당부했다.",
        "만 65세 이상 어르신과 어린이는 보건소에서 무료로 접종할 수 있다.",
        "접종 뒤에는 충분히 쉬고 이상 반응이 있으면 병원을 찾아야 한다.",
    ]


@pytest.mark.parametrize(("snippet", "codec"), [
    (b'<meta charset="euc-kr">', "cp949"),
    (b"<META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=KS_C_5601-1987'>", "cp949"),
    (b'<meta charset="utf-16">', "utf-8"),
    (b'<meta charset="no-such-codec">', None),
    (b"<p>charset=euc-kr</p>", None),
])
def test_declared_charset(snippet: bytes, codec: str | None) -> None:
    assert declared_charset(b"<html><head>" + snippet + b"</head>") == codec


def test_plain_utf8_and_utf16_bom_decode() -> None:
    assert decode_bytes("부산 앞바다".encode()) == "부산 앞바다"
    assert decode_bytes(b"\xff\xfe" + "부산 앞바다".encode("utf-16-le")) == "부산 앞바다"


def test_decomposed_hangul_is_composed() -> None:
    assert decode_bytes("\u1112\u1161\u11ab\u1100\u1173\u11af".encode()) == "한글"


def test_declared_charset_that_is_wrong_falls_back_to_utf8() -> None:
    data = '<meta charset="euc-kr"><p>실제로는 유니코드 문서다.</p>'.encode()
    assert decode_bytes(data, html=True) == '<meta charset="euc-kr"><p>실제로는 유니코드 문서다.</p>'


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "file is empty; it holds no article text"),
    (b"  \n\t ", "file is empty; it holds no article text"),
    (b"GIF89a\x00\x01", "file is binary (it contains NUL bytes), not text or HTML; "
                        "remove it or give it the right extension"),
    (bytes(range(1, 32)) * 4, "file is binary (full of control characters), not text or HTML; "
                              "remove it or give it the right extension"),
])
def test_decode_rejects_non_text(data: bytes, reason: str) -> None:
    with pytest.raises(ReadError) as caught:
        decode_bytes(data)
    assert str(caught.value) == reason


# --- HTML ----------------------------------------------------------------------------------------

def test_broken_markup_is_read_as_far_as_it_goes() -> None:
    article = only_article(HTML / "broken.html")
    assert article.title == "폭우로 도로 통제"
    assert article.sections == (Section("", "밤사이 내린 폭우로 시내 도로 여러 곳이 통제됐다.\n"
                                            "경찰은 우회 도로를 이용해 달라고 당부했다\n"
                                            "기상청은 내일까지 비가 더 온다고 예보했다.\n"
                                            "마지막 문장은 여기까지 읽힌다."),)


def test_file_cut_inside_a_character_loses_only_that_character() -> None:
    article = only_article(HTML / "truncated_char.html")
    assert article.title == "truncated_char"
    assert article.sections == (Section("", "물이 넘쳐 다리가 잠겼다.\n잘린 문"),)


def test_boilerplate_is_left_out() -> None:
    article = only_article(HTML / "boilerplate.html")
    assert article.title == "인공지능 반도체 수출 급증"
    assert article.source == "테크타임즈"
    assert article.sections == (Section("", "인공지능 반도체 수출이 지난달 크게 늘었다.\n반도체 생산 라인\n"
                                            "업계는 하반기에도 증가세가 이어질 것으로 본다."),)
    text = article.text
    for noise in ("스크립트", "color", "로고", "정보기술", "공유", "카카오톡", "주석", "광고", "검색 양식",
                  "자바스크립트", "곁들인", "관련 기사", "메모리 가격", "많이 읽힌", "주식 시장", "추천 링크",
                  "댓글", "동영상", "많이 본", "연예", "저작권"):
        assert noise not in text, noise


def test_sections_split_at_h2_and_h3() -> None:
    article = only_article(HTML / "sections.html")
    assert article.title == "제주 바다 생태 보고서"
    assert (article.date, article.source, article.url) == ("2022-07-01", "제주환경신문", None)
    assert [s.heading for s in article.sections] == ["", "산호의 북상", "해조류 감소 > 감태 숲", "대책"]
    assert article.sections == (
        Section("", "제주 연안의 바다 생태가 빠르게 바뀌고 있다."),
        Section("산호의 북상", "아열대 산호가 제주 북쪽 바다에서도 발견됐다.\n수온 상승이 원인으로 꼽힌다."),
        Section("해조류 감소 > 감태 숲", "감태 숲이 절반으로 줄었다.\n어민들은 어획량 감소를 걱정한다."),
        Section("대책", "연구진은 해조류 복원 사업을 제안했다."),
    )


def test_lead_section_is_omitted_when_empty() -> None:
    article = read_html(page(body="<article><h1>제목</h1><h2>첫 장</h2><p>내용이다.</p></article>"), "x.html")
    assert article.sections == (Section("첫 장", "내용이다."),)


@pytest.mark.parametrize(("head", "body", "title", "source"), [
    ('<title>사이트 제목 | 부산일보</title><meta property="og:title" content="오픈그래프 제목">',
     "<article><h1>본문 제목</h1><p>본문이다.</p></article>", "오픈그래프 제목", "부산일보"),
    ("<title>사이트 제목 | 부산일보</title>",
     "<header><h1>부산일보</h1></header><article><h1>본문 제목</h1><p>본문이다.</p></article>", "본문 제목", "부산일보"),
    ("<title>창원 조선소 수주 증가 - 한빛일보</title>", "<p>본문이다.</p>", "창원 조선소 수주 증가", "한빛일보"),
    ("<title>한글 - 역사 - 말글소식</title>", "<p>본문이다.</p>", "한글 - 역사", "말글소식"),
    ("<title>대구 폭염 특보 :: 대구뉴스</title>", "<p>본문이다.</p>", "대구 폭염 특보", "대구뉴스"),
    ('<meta property="og:site_name" content="부산일보"><meta property="og:title" content="항만 소식 | 부산일보">',
     "<p>본문이다.</p>", "항만 소식", "부산일보"),
])
def test_title_and_source_precedence(head: str, body: str, title: str, source: str) -> None:
    article = read_html(page(head, body), "x.html")
    assert (article.title, article.source) == (title, source)
    assert "제목" not in article.text


@pytest.mark.parametrize(("head", "body", "date"), [
    ('<meta property="article:published_time" content="2025-01-02T23:50:00+09:00">'
     '<script type="application/ld+json">{"datePublished": "2020-05-05"}</script>',
     '<article><time datetime="2019-09-09">작년</time><p>본문이다.</p></article>', "2025-01-02"),
    ('<script type="application/ld+json">{"datePublished": "2020-05-05"}</script>',
     '<header><time datetime="2030-01-01">오늘</time></header>'
     '<article><p>본문이다. <time datetime="2019.09.09 10:00">작년</time></p></article>', "2019-09-09"),
    ('<script type="application/ld+json">{"@graph": [{"@type": "WebPage"}, '
     '{"@type": "NewsArticle", "datePublished": "2020-05-05T10:00:00Z"}]}</script>',
     "<p>본문이다.</p>", "2020-05-05"),
    ('<script type="application/ld+json">[{"@type": "Person"}, {"datePublished": "2021년 3월 1일"}]</script>',
     "<p>본문이다.</p>", "2021-03-01"),
    ('<meta property="og:regDate" content="20240105183000">', "<p>본문이다.</p>", "2024-01-05"),
    ('<script type="application/ld+json">{"datePublished": </script>', "<p>본문이다.</p>", None),
])
def test_date_sources(head: str, body: str, date: str | None) -> None:
    assert read_html(page(head, body), "x.html").date == date


def test_url_prefers_canonical_then_og_url() -> None:
    both = '<link rel="canonical" href="https://a.example/1"><meta property="og:url" content="https://b.example/1">'
    assert read_html(page(both), "x.html").url == "https://a.example/1"
    assert read_html(page('<meta property="og:url" content="https://b.example/1">'), "x.html").url == \
        "https://b.example/1"


def test_related_box_loose_in_the_article_is_dropped() -> None:
    body = ("<article><p>첫 문단이다.</p><p><strong>관련기사</strong></p>"
            "<ul><li><a>다른 소식</a></li></ul><p><a>링크만 있는 줄</a></p><p>관련 기사를 읽고 쓴 마지막 문단이다.</p></article>")
    assert read_html(page(body=body), "x.html").sections == (
        Section("", "첫 문단이다.\n관련 기사를 읽고 쓴 마지막 문단이다."),)


def test_page_without_text_raises() -> None:
    with pytest.raises(ReadError, match="^no article text found"):
        read_html((HTML / "no_text.html").read_bytes(), "no_text.html")


# --- plain text ----------------------------------------------------------------------------------

def test_text_export_headings_metadata_and_navigation() -> None:
    article = only_article(DATA / "text" / "blog_export.txt")
    assert article == Article(
        id="blog_export",
        title="봄철 캠핑 준비물 정리",
        sections=(
            Section("", "날씨가 풀리면서 캠핑을 떠나는 사람이 많아졌다.\n올해 처음 캠핑을 간다면 준비물을 꼼꼼히 챙기자."),
            Section("텐트와 침낭", "봄밤은 생각보다 춥기 때문에 동계용 침낭이 좋다.\n텐트는 바람에 강한 돔형을 추천한다"),
            Section("먹거리 준비", "고기는 아이스박스에 넣어 가면 좋아요.\n라면과 햇반도 챙기면 든든하다."),
            Section("마무리", "즐거운 캠핑 되세요!"),
        ),
        date="2025-04-05",
        source="캠핑하는 곰 블로그",
    )
    for noise in ("공유하기", "댓글", "공감", "이전글", "목록", "맨 위로"):
        assert noise not in article.text


def test_text_short_sentence_lines_are_not_headings() -> None:
    text = "제목\n\n비가 온다\n우산을 챙겨라.\n\n짧은 목록\n사과\n배\n"
    article = read_text(text, "note.txt")
    assert article.sections == (Section("", "비가 온다\n우산을 챙겨라.\n짧은 목록\n사과\n배"),)


def test_text_date_line_after_title() -> None:
    article = read_text("제목\n2025-03-14\nhttps://blog.example/1\n\n본문이다.\n이전 다음 목록\n", "a/b.txt")
    assert (article.id, article.date, article.url, article.sections) == (
        "a/b", "2025-03-14", "https://blog.example/1", (Section("", "본문이다."),))


def test_text_with_only_a_title_raises() -> None:
    with pytest.raises(ReadError, match="^no article text found below the title line"):
        read_text("제목만 있다\n\n공유하기\n", "x.txt")


# --- JSON Lines ----------------------------------------------------------------------------------

def test_jsonl_bad_lines_are_reported_and_reading_goes_on() -> None:
    path = JSONL / "with_bad_lines.jsonl"
    items = read_file(path)
    assert [item.id for item in items if isinstance(item, Article)] == ["jeju-01", "jeju-02", "last"]
    assert [item for item in items if isinstance(item, Skipped)] == [
        Skipped(f"{path}:2", "line is not valid JSON (Expecting ',' delimiter at column 37, the end of the line)", 2),
        Skipped(f"{path}:4", 'article \'no-sections\': "sections" is missing or not a list of '
                             '{"heading", "text"} objects', 4),
        Skipped(f"{path}:6", 'article \'wrong\': "title" is missing or not a non-empty string', 6),
        Skipped(f"{path}:7", "line holds a JSON list, not an object with id, title and sections", 7),
    ]
    assert items[2] == Article("jeju-02", "감귤 수확 시작", (
        Section("", "서귀포에서 감귤 수확이 시작됐다."), Section("가격 전망", "올해 감귤 가격은 작년보다 오를 전망이다.")),
        date=None, source="제주일보", url=None)
    assert items[2].path == str(path)


def test_jsonl_gz_is_streamed() -> None:
    items = read_file(JSONL / "corpus.jsonl.gz")
    assert items[0] == Article("jeju-01", "한라산 첫눈", (Section("", "한라산에 올해 첫눈이 내렸다."),),
                               date="2024-11-20", source="제주일보", url="https://jeju.example/1")
    assert [item.id for item in items] == ["jeju-01", "jeju-02"]


def test_truncated_gzip_keeps_what_was_read() -> None:
    path = JSONL / "truncated.jsonl.gz"
    items = read_file(path)
    *articles, last = items
    count = len(articles)
    assert [a.id for a in articles] == [f"cut-{n:03d}" for n in range(count)]
    # every whole line before the cut: the stream is decompressed as the lines are read
    inflated = zlib.decompressobj(wbits=31).decompress(path.read_bytes())
    assert count == inflated.count(b"\n") > 0
    assert last == Skipped(str(path), f"compressed data is cut off or damaged after line {count}; the articles "
                                      "before it were read (the compressed stream ends before its end marker); "
                                      "re-create or re-download the file")


@pytest.mark.parametrize(("line", "reason"), [
    ('{"title": "제목", "sections": []}', '"id" is missing or not a non-empty string'),
    ('{"id": "a", "title": "제목", "sections": [{"heading": "", "text": 3}]}',
     "article 'a': section 0 needs string \"heading\" and \"text\""),
    ('{"id": "a", "title": "제목", "sections": [], "url": 5}', "article 'a': \"url\" must be a string or null, not int"),
])
def test_jsonl_field_errors(line: str, reason: str) -> None:
    assert list(read_jsonl([line], "c.jsonl")) == [Skipped("c.jsonl:1", reason, 1)]


def test_jsonl_article_with_a_bad_date_is_kept_without_a_date_and_noted() -> None:
    article, = read_jsonl(["", '{"id": "a", "title": "제목", "sections": [], "date": "어제"}'], "c.jsonl")
    assert (article.id, article.date) == ("a", None)
    assert article.notes == ("c.jsonl:2: article 'a': \"date\" '어제' is not a date; indexed without a date "
                             "(write it as YYYY-MM-DD)",)


def test_jsonl_bytes_lines_with_bom_and_bad_utf8() -> None:
    lines = ['\ufeff{"id": "a", "title": "제목", "sections": []}'.encode(), b'{"id": "\xff"}']
    assert list(read_jsonl(lines, "c.jsonl")) == [
        Article("a", "제목", ()),
        Skipped("c.jsonl:2", "line is not valid UTF-8 (invalid start byte at byte 8); re-save the file as UTF-8", 2),
    ]


# --- dispatch and folder walk ------------------------------------------------------------------

def test_folder_walk_order_ids_and_ignored_files() -> None:
    walk = DATA / "walk"
    items = list(read_paths([walk]))
    assert [(item.id, item.path) for item in items] == [
        ("a/z", str(walk / "a" / "z.htm")),
        ("a-b", str(walk / "a-b.html")),
        ("b", str(walk / "b.txt")),
        ("blog/post", str(walk / "blog" / "post.TXT")),
        ("news/busan-port", str(walk / "news" / "busan-port.html")),
    ]
    assert items[-1].title == "부산항 소식"
    assert items[-1].sections == (Section("", "부산항에 대형 선박이 들어왔다."),)


def test_file_given_directly_gets_its_name_as_id_and_root_wins() -> None:
    port = DATA / "walk" / "news" / "busan-port.html"
    assert [item.id for item in read_paths([port])] == ["busan-port"]
    assert [item.id for item in read_paths([str(port)], root=DATA)] == ["walk/news/busan-port"]


def test_bad_files_are_skipped_with_reasons(tmp_path: Path) -> None:
    missing = tmp_path / "missing.html"
    readme = DATA / "walk" / "README.md"
    items = list(read_paths([HTML / "empty.html", HTML / "image.html", HTML / "no_text.html", missing, readme,
                             DATA / "text" / "empty.txt"]))
    assert items == [
        Skipped(str(HTML / "empty.html"), "file is empty; it holds no article text"),
        Skipped(str(HTML / "image.html"), "file is binary (it contains NUL bytes), not text or HTML; "
                                          "remove it or give it the right extension"),
        Skipped(str(HTML / "no_text.html"),
                "no article text found; the page has no paragraphs outside menus and boxes"),
        Skipped(str(missing), "no such file or folder; check the path"),
        Skipped(str(readme), "unknown file type; chaja reads .html, .htm, .txt, .jsonl, .jsonl.gz files"),
        Skipped(str(DATA / "text" / "empty.txt"), "file is empty; it holds no article text"),
    ]


def test_empty_jsonl_and_same_ids_left_to_the_builder(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "empty.jsonl.gz").write_bytes(gzip.compress(b""))
    (tmp_path / "same.html").write_bytes(page())
    (tmp_path / "same.txt").write_text("제목\n\n본문이다.\n", encoding="utf-8")
    items = list(read_paths([tmp_path]))
    assert items[:2] == [
        Skipped(str(tmp_path / "empty.jsonl"), "file is empty; it holds no articles (one JSON object a line)"),
        Skipped(str(tmp_path / "empty.jsonl.gz"), "file is empty; it holds no articles (one JSON object a line)"),
    ]
    assert [(item.id, item.path) for item in items[2:]] == [
        ("same", str(tmp_path / "same.html")), ("same", str(tmp_path / "same.txt"))]


def test_gz_that_is_not_gzip_is_skipped(tmp_path: Path) -> None:
    fake = tmp_path / "fake.jsonl.gz"
    fake.write_text('{"id": "a"}\n', encoding="utf-8")
    assert read_file(fake) == [Skipped(str(fake), "compressed data is cut off or damaged before its first line (not "
                                                  "gzip data: the file does not begin with the gzip signature 1f 8b); "
                                                  "re-create or re-download the file")]


def test_oversized_file_is_skipped(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    assert read_file(big) == [Skipped(str(big), "file is 20.0 MB, over the 20 MB limit for one article; "
                                                "split it or convert it to .jsonl")]


def test_unreadable_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text("제목\n\n본문이다.\n", encoding="utf-8")

    def refuse(path: Path) -> bytes:  # chmod 0 cannot stop root, who may run the suite
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert read_file(locked) == [Skipped(str(locked), "cannot read the file (Permission denied); check that it "
                                                      "exists and that you may read it")]


@pytest.mark.parametrize(("value", "date"), [
    ("2025-03-14T09:30:00+09:00", "2025-03-14"), ("2025.3.4", "2025-03-04"), ("2025년 3월 14일 오후", "2025-03-14"),
    ("20250314", "2025-03-14"), ("20250314093000", "2025-03-14"), ("2025-13-01", None), ("2025-03-141", None), ("2025/02/30 2024-02-29", "2024-02-29"), ("", None),
])
def test_iso_date(value: str, date: str | None) -> None:
    assert iso_date(value) == date


HTML_TOKENS = st.sampled_from([*"<>/=\"' \n가나다.", "<p>", "</p>", "<div>", "<h2>", "</h2>", "<h3>", "<br>",
                               "<article>", "</article>", "<h1>", "<!--", "-->", "<script>", "&amp;", "\x00",
                               "<title>", "관련 기사", '<meta charset="euc-kr">', '<div class="share">'])
TEXT_TOKENS = st.sampled_from([*"가나다 .!\n\t", "다", "요", "공유하기", "댓글 3", "2025-03-14", "작성일: ", "\n\n"])


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.lists(HTML_TOKENS, max_size=40).map(lambda t: "".join(t).encode())))
def test_html_reader_only_ever_raises_read_error(data: bytes) -> None:
    try:
        article = read_html(data, "fuzz.html")
    except ReadError:
        return
    assert article.title != "" and any(s.text for s in article.sections)


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT_TOKENS, max_size=40).map("".join))
def test_text_reader_only_ever_raises_read_error(text: str) -> None:
    try:
        article = read_text(text, "fuzz.txt")
    except ReadError:
        return
    assert article.title == article.title.strip() != ""
    assert all(s.text for s in article.sections)


def test_bylines_timestamps_labels_and_page_tools_are_not_story_text():
    page = """<html><head><meta charset="utf-8"></head><body><article>
      <p class="section-label">지역경제</p><h1>광주 인공지능 집적단지 착수</h1>
      <ul class="infomation"><li>김나래 기자</li><li>승인 2024.05.14 11:30</li></ul>
      <p class="meta"><span class="byline">한승우 기자</span> · <span>2025.03.22 18:20</span></p>
      <div>기사입력 2024.02.02 06:30</div><div>글자 크게 글자 작게</div>
      <p>광주광역시가 인공지능 집적단지 2단계 사업에 착수했다.</p>
      <p>시는 2028년까지 6,000억 원을 투입한다고 밝혔다.</p>
    </article></body></html>""".encode()
    article = read_html(page, "news/gwangju.html")
    assert article.sections == (Section("", "광주광역시가 인공지능 집적단지 2단계 사업에 착수했다.\n"
                                            "시는 2028년까지 6,000억 원을 투입한다고 밝혔다."),)
