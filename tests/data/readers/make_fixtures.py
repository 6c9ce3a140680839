"""Write the reader fixtures in this folder (run it again after changing them: python make_fixtures.py)."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

HERE = Path(__file__).parent

CP949_META = """<!DOCTYPE html>
<html lang="ko"><head>
<meta charset="euc-kr">
<title>부산항 컨테이너 물동량 역대 최대 | 부산일보</title>
<meta property="og:title" content="부산항 컨테이너 물동량 역대 최대 | 부산일보">
<meta property="og:site_name" content="부산일보">
<meta property="article:published_time" content="2025-03-14T09:30:00+09:00">
<meta property="og:url" content="https://www.busan.example/news/1001">
</head><body>
<header><h1><a href="/">부산일보</a></h1></header>
<article>
<h1>부산항 컨테이너 물동량 역대 최대</h1>
<p>부산항의 지난해 컨테이너 물동량이 2,440만 TEU로 역대 최대를 기록했다.</p>
<p>부산항만공사는 신항 물동량이 크게 늘어난 덕분이라고 14일 밝혔다. 똠양꿍 맛집 골목도 붐볐다.</p>
</article>
</body></html>
"""

EUCKR_HTTP_EQUIV = """<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=ks_c_5601-1987">
<title>지역 소멸 막을 청년 정책 - 한빛일보</title>
</head><body>
<div id="content">
<p>정부가 지역 소멸을 막기 위한 청년 정착 지원책을 내놓았다.</p>
<p>지방으로 이주하는 청년에게 주거비와 창업 자금을 지원한다.</p>
<p class="byline">입력 <time datetime="2024-11-02T14:00:00+09:00">2024년 11월 2일</time></p>
</div>
</body></html>
"""

UTF8_BOM = """<!doctype html><html><head>
<title>한글 맞춤법 개정안 발표 :: 말글소식</title>
<link rel="canonical" href="https://malgeul.example/2023/hangul">
<meta property="og:url" content="https://malgeul.example/og/hangul">
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "말글소식"},
  {"@type": "NewsArticle", "headline": "한글 맞춤법 개정안 발표",
   "datePublished": "2023-10-09T08:00:00+09:00",
   "publisher": {"@type": "Organization", "name": "말글소식 편집국"}}
]}
</script>
</head><body>
<main>
<h1>한글 맞춤법 개정안 발표</h1>
<p>국립국어원이 한글날을 맞아 맞춤법 개정안을 발표했다.</p>
<p>띄어쓰기 규정이 일부 바뀐다.</p>
</main>
</body></html>
"""

CP949_UNDECLARED = """<html><head><title>겨울철 독감 예방접종 안내</title></head><body>
<p>질병관리청은 겨울철 독감 유행에 대비해 예방접종을 서둘러 달라고 당부했다.</p>
<p>만 65세 이상 어르신과 어린이는 보건소에서 무료로 접종할 수 있다.</p>
<p>접종 뒤에는 충분히 쉬고 이상 반응이 있으면 병원을 찾아야 한다.</p>
</body></html>
"""

# Unclosed <p> and <div>, and the file ends inside a tag.
BROKEN = """<html><head><meta charset="utf-8"><title>폭우로 도로 통제</title></head><body>
<div class="article-body">
<p>밤사이 내린 폭우로 시내 도로 여러 곳이 통제됐다.
<p>경찰은 우회 도로를 이용해 달라고 당부했다
<div>기상청은 내일까지 비가 더 온다고 예보했다.
<p>마지막 문장은 여기까지 읽힌다.</p><p class="ta"""

BOILERPLATE = """<html><head><meta charset="utf-8">
<title>인공지능 반도체 수출 급증 | 테크타임즈</title>
<style>.x { color: red }</style>
<script>var tracking = "스크립트 문자열";</script>
</head><body>
<header><div class="logo">테크타임즈 로고</div></header>
<nav><a href="/">홈</a> <a href="/it">정보기술</a></nav>
<article>
<h1>인공지능 반도체 수출 급증</h1>
<div class="byline-share"><a>페이스북 공유</a></div>
<div class="sns_area">카카오톡 보내기</div>
<!-- 편집자 메모: 주석은 본문이 아니다 -->
<p>인공지능 반도체 수출이 지난달 크게 늘었다.</p>
<div class="ad-wrap">광고 문구입니다</div>
<figure><img src="chip.jpg" alt="반도체"><figcaption>반도체 생산 라인</figcaption></figure>
<p>업계는 하반기에도 증가세가 이어질 것으로 본다.</p>
<form><input name="q"> 검색 양식</form>
<noscript>자바스크립트를 켜 주세요</noscript>
<aside>곁들인 상자 글</aside>
<div class="box"><h3>관련 기사</h3><ul><li><a href="/1">메모리 가격 반등</a></li></ul></div>
<section id="most-read"><h4>가장 많이 읽힌 기사</h4><ol><li><a>주식 시장 동향</a></li></ol></section>
<div class="recommend-list"><a>추천 링크 기사</a></div>
<div id="comment-area">첫 댓글입니다</div>
<iframe src="https://video.example">동영상</iframe>
</article>
<div class="popular"><strong>많이 본 뉴스</strong><ol><li><a>연예 소식</a></li></ol></div>
<footer>저작권 테크타임즈</footer>
</body></html>
"""

SECTIONS = """<html><head><meta charset="utf-8">
<meta property="og:title" content="제주 바다 생태 보고서">
<script type="application/ld+json">[{"@type": "BreadcrumbList"},
 {"@type": "Article", "datePublished": "2022-07-01", "publisher": [{"name": "제주환경신문"}]}]</script>
</head><body>
<article itemprop="articleBody">
<h1>제주 바다 생태 보고서</h1>
<p>제주 연안의 바다 생태가 빠르게 바뀌고 있다.</p>
<h2>산호의 북상</h2>
<p>아열대 산호가 제주 북쪽 바다에서도 발견됐다.<br>수온 상승이 원인으로 꼽힌다.</p>
<h2>해조류 감소</h2>
<h3>감태 숲</h3>
<ul><li>감태 숲이 절반으로 줄었다.</li><li>어민들은 어획량 감소를 걱정한다.</li></ul>
<h3>대책</h3>
<p>연구진은   해조류   복원 사업을 제안했다.</p>
</article>
</body></html>
"""

NO_TEXT = """<html><head><meta charset="utf-8"><title>빈 페이지</title><script>var a = "본문 없음";</script></head>
<body><nav><a href="/">홈</a></nav><footer>저작권</footer></body></html>
"""

BLOG_EXPORT = """
봄철 캠핑 준비물 정리
작성일: 2025.04.05
출처: 캠핑하는 곰 블로그

날씨가 풀리면서 캠핑을 떠나는 사람이 많아졌다.
올해 처음 캠핑을 간다면 준비물을 꼼꼼히 챙기자.

텐트와 침낭
봄밤은 생각보다 춥기 때문에 동계용 침낭이 좋다.
텐트는 바람에 강한 돔형을 추천한다

먹거리 준비
고기는 아이스박스에 넣어 가면 좋아요.
라면과 햇반도 챙기면 든든하다.

마무리
즐거운 캠핑 되세요!

공유하기
댓글 3
공감 12
이전글 다음글
목록
맨 위로
"""


def _jsonl_records() -> list[dict]:
    return [
        {"id": "jeju-01", "title": "한라산 첫눈", "sections": [{"heading": "", "text": "한라산에 올해 첫눈이 내렸다."}],
         "source": "제주일보", "date": "2024-11-20", "url": "https://jeju.example/1"},
        {"id": "jeju-02", "title": "감귤 수확 시작", "sections": [
            {"heading": "", "text": "서귀포에서 감귤 수확이 시작됐다."},
            {"heading": "가격 전망", "text": "올해 감귤 가격은 작년보다 오를 전망이다."}],
         "source": "제주일보", "date": None, "url": None},
    ]


def _many_records(count: int) -> bytes:
    """Return JSON lines of varied Hangul that gzip cannot squeeze, so a cut file loses its tail only."""
    rng = random.Random(20250314)
    lines = []
    for number in range(count):
        words = ["".join(chr(rng.randrange(0xAC00, 0xD7A4)) for _ in range(rng.randrange(1, 5))) for _ in range(60)]
        record = {"id": f"cut-{number:03d}", "title": f"잘린 압축 파일의 기사 {number}",
                  "sections": [{"heading": "", "text": " ".join(words)}]}
        lines.append(json.dumps(record, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_all() -> None:
    """Write every fixture file."""
    html = HERE / "html"
    html.mkdir(exist_ok=True)
    (html / "cp949_meta_charset.html").write_bytes(CP949_META.encode("cp949"))
    (html / "euckr_http_equiv.html").write_bytes(EUCKR_HTTP_EQUIV.encode("euc-kr"))
    (html / "utf8_bom.html").write_bytes(b"\xef\xbb\xbf" + UTF8_BOM.encode("utf-8"))
    (html / "cp949_undeclared.html").write_bytes(CP949_UNDECLARED.encode("cp949"))
    # Cut off in the middle of a tag and, after that, in the middle of a three-byte character.
    (html / "broken.html").write_bytes(BROKEN.encode("utf-8"))
    (html / "truncated_char.html").write_bytes("<p>물이 넘쳐 다리가 잠겼다.</p><p>잘린 문장".encode("utf-8")[:-2])
    (html / "boilerplate.html").write_text(BOILERPLATE, encoding="utf-8")
    (html / "sections.html").write_text(SECTIONS, encoding="utf-8")
    (html / "no_text.html").write_text(NO_TEXT, encoding="utf-8")
    (html / "empty.html").write_bytes(b"")
    (html / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06"
                                      b"\x00\x00\x00\x1f\xf3\xffa\x00\x00\x00\x0cIDATx\x9cc`\x00\x00\x00\x02\x00\x01")

    text = HERE / "text"
    text.mkdir(exist_ok=True)
    (text / "blog_export.txt").write_text(BLOG_EXPORT, encoding="utf-8")
    (text / "empty.txt").write_bytes(b"")

    jsonl = HERE / "jsonl"
    jsonl.mkdir(exist_ok=True)
    good = [json.dumps(record, ensure_ascii=False) for record in _jsonl_records()]
    bad_lines = [good[0], '{"id": "broken", "title": "닫히지 않은 줄"', good[1],
                 '{"id": "no-sections", "title": "섹션 없음"}', "",
                 '{"id": "wrong", "title": 7, "sections": []}', '["목록은 기사가 아니다"]',
                 json.dumps({"id": "last", "title": "마지막 기사", "sections": [{"heading": "", "text": "끝까지 읽는다."}]},
                            ensure_ascii=False)]
    (jsonl / "with_bad_lines.jsonl").write_text("\n".join(bad_lines) + "\n", encoding="utf-8")
    payload = ("\n".join(good) + "\n").encode("utf-8")
    (jsonl / "corpus.jsonl.gz").write_bytes(gzip.compress(payload, mtime=0))
    whole = gzip.compress(_many_records(120), mtime=0)
    (jsonl / "truncated.jsonl.gz").write_bytes(whole[:len(whole) // 2])

    walk = HERE / "walk"
    for folder in ("news", "a", ".cache", "blog/.drafts"):
        (walk / folder).mkdir(parents=True, exist_ok=True)
    page = "<html><body><article><h1>{title}</h1><p>{text}</p></article></body></html>"
    (walk / "news" / "busan-port.html").write_text(
        page.format(title="부산항 소식", text="부산항에 대형 선박이 들어왔다."), encoding="utf-8")
    (walk / "a" / "z.htm").write_text(page.format(title="가나다", text="첫 번째 폴더의 글이다."), encoding="utf-8")
    (walk / "a-b.html").write_text(page.format(title="하이픈 파일", text="이름에 하이픈이 있다."), encoding="utf-8")
    (walk / "b.txt").write_text("메모 제목\n\n짧은 메모 내용이다.\n", encoding="utf-8")
    (walk / "blog" / "post.TXT").write_text("블로그 글\n\n대문자 확장자도 읽는다.\n", encoding="utf-8")
    (walk / "blog" / ".drafts" / "draft.txt").write_text("초안\n\n숨은 폴더의 글이다.\n", encoding="utf-8")
    (walk / ".hidden.html").write_text(page.format(title="숨김", text="숨은 파일이다."), encoding="utf-8")
    (walk / ".cache" / "index.html").write_text(page.format(title="캐시", text="숨은 폴더의 페이지다."), encoding="utf-8")
    (walk / "README.md").write_text("# 설명\n\n기사가 아니다.\n", encoding="utf-8")
    (walk / "notes.docx").write_bytes(b"PK\x03\x04")
    (walk / "data.json").write_text('{"id": "x"}', encoding="utf-8")


if __name__ == "__main__":
    write_all()
