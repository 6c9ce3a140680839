"""Read a plain-text export (a blog post or a saved article) into an Article."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath

from chaja.index.article import Article, Section
from chaja.index.dates import iso_date
from chaja.index.errors import ReadError

_MAX_HEADING = 40
# A line that ends like a sentence: punctuation, or a final verb ending written without a period.
_SENTENCE_END = re.compile(r"(?:[.!?。…‥~,;]|다|요|죠|니까)[\"'”’」』)\]]*$")
_BULLET = re.compile(r"^(?:[-*•·▶►■□◆◇○●※>]|\d+\))\s")
_NAV_WORDS = {
    "다음", "이전", "목록", "목록보기", "전체보기", "공유", "공유하기", "댓글", "댓글쓰기", "좋아요", "공감", "공감하기",
    "구독", "구독하기", "이전글", "다음글", "top", "맨위로", "위로", "신고", "신고하기", "스크랩", "인쇄", "수정", "삭제",
    "답글", "이웃추가", "url복사", "카테고리", "태그", "블로그홈", "홈", "저작자표시", "더보기", "▲", "^", "↑",
}
_NAV_LINK = re.compile(r"^(?:이전글|다음글|이전 글|다음 글)\s*[:：|\-ㅡ>]")
_META_KEYS = {
    "date": {"작성일", "작성일자", "날짜", "일시", "등록일", "등록", "입력", "게시일", "발행일", "date", "published"},
    "source": {"출처", "source", "매체", "블로그"},
    "url": {"url", "원문", "링크", "주소", "link"},
}
_META_LINE = re.compile(r"^([^:：]{1,10})\s*[:：]\s*(.+)$")
_URL = re.compile(r"^https?://\S+$")


def read_text(text: str, path: str, *, doc_id: str | None = None) -> Article:
    """Return the article in a text export; raise ReadError if it has no text under the title."""
    lines = [" ".join(line.split()) for line in unicodedata.normalize("NFC", text).lstrip("\ufeff").splitlines()]
    start = next((i for i, line in enumerate(lines) if line), None)
    if start is None:
        raise ReadError("file is empty; it holds no article text")
    title = lines[start]
    body = lines[start + 1:]
    meta, body = _metadata(body)
    sections = _sections(_drop_navigation(body))
    if not sections:
        raise ReadError("no article text found below the title line; a .txt article needs a title line "
                        "followed by its text")
    return Article(id=doc_id or PurePath(path).with_suffix("").as_posix(), title=title, sections=sections,
                   date=meta.get("date"), source=meta.get("source"), url=meta.get("url"), path=str(path))


def _metadata(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Take date, source and URL lines that come straight after the title."""
    meta: dict[str, str] = {}
    position = 0
    while position < len(lines):
        line = lines[position]
        if not line:
            position += 1
            continue
        found = _meta_line(line)
        if found is None:
            break
        key, value = found
        meta.setdefault(key, value)
        position += 1
    return meta, lines[position:]


def _meta_line(line: str) -> tuple[str, str] | None:
    if _URL.match(line):
        return "url", line
    if len(line) <= 25 and iso_date(line) and not re.search(r"[가-힣]{2,}", re.sub(r"[년월일시분초오전후]", "", line)):
        return "date", iso_date(line)
    match = _META_LINE.match(line)
    if match is None:
        return None
    label, value = match.group(1).strip().lower().replace(" ", ""), match.group(2).strip()
    for key, labels in _META_KEYS.items():
        if label in labels:
            if key == "date":
                return (key, iso_date(value)) if iso_date(value) else None
            return key, value
    return None


def _is_navigation(line: str) -> bool:
    if _NAV_LINK.match(line):
        return True
    tokens = [token for token in re.split(r"[\s|·/]+", line.lower()) if token]
    words = [token for token in tokens if not token.isdigit()]
    squashed = line.lower().replace(" ", "")
    return squashed in _NAV_WORDS or (bool(words) and all(word in _NAV_WORDS for word in words))


def _drop_navigation(lines: list[str]) -> list[str]:
    """Drop the blog's buttons and links ("공유하기", "댓글 3", "이전글") from the end of the text."""
    end = len(lines)
    while end > 0 and (not lines[end - 1] or _is_navigation(lines[end - 1])):
        end -= 1
    return lines[:end]


def _heading_like(line: str) -> bool:
    return (0 < len(line) <= _MAX_HEADING and not _SENTENCE_END.search(line) and not _BULLET.match(line)
            and not _URL.match(line) and re.search(r"[^\W\d_]", line) is not None)


def _is_heading(lines: list[str], index: int) -> bool:
    """Tell whether a short line that opens a paragraph is a heading for the text after it."""
    line = lines[index]
    if not _heading_like(line) or (index > 0 and lines[index - 1]):
        return False
    following = next((other for other in lines[index + 1:] if other), None)
    return following is not None and not _heading_like(following)


def _sections(lines: list[str]) -> tuple[Section, ...]:
    sections: list[Section] = []
    heading, text = "", []
    for index, line in enumerate(lines):
        if not line:
            continue
        if _is_heading(lines, index):
            if text:
                sections.append(Section(heading, "\n".join(text)))
            heading, text = line, []
        else:
            text.append(line)
    if text:
        sections.append(Section(heading, "\n".join(text)))
    return tuple(sections)
