"""Read a saved news or blog page (HTML) into an Article: metadata, then the body split at headings."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import PurePath

import lxml.html
from lxml import etree

from chaja.index.article import Article, Section
from chaja.index.dates import iso_date
from chaja.index.encoding import decode_bytes
from chaja.index.errors import ReadError

_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)

_DROP_TAGS = ("head", "title", "script", "style", "nav", "header", "footer", "aside", "form", "noscript", "iframe",
              "template", "svg", "button", "select", "textarea", "object", "embed", "h1")
_DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search"}
# Parts of a class or id that mark boxes around the story rather than the story itself.
_BOILERPLATE_WORDS = ("related", "popular", "mostread", "most-read", "most_read", "ranking", "recommend",
                      "share", "advert", "comment", "breadcrumb", "copyright", "newsletter", "subscribe",
                      "sidebar", "banner", "sponsor", "promo", "outbrain", "taboola", "social")
_BOILERPLATE_PARTS = {"ad", "ads", "sns", "tag", "tags", "byline", "util", "toolbar", "gnb", "lnb", "label", "category",
                      "info", "infomation", "information", "reporter", "writer", "dateline"}
_BOX_HEADING = re.compile(r"(?:관련|많이본|인기|추천|주요|실시간|이시각|함께볼만한|최신|포토)+(?:기사|뉴스)(?:더보기)?"
                          r"|댓글(?:\d+)?|실시간인기")
_BOX_HEADING_TAGS = {"h2", "h3", "h4", "h5", "h6", "strong", "b", "p", "dt", "span", "div", "em"}
# article:published_time is Open Graph; the others are what Korean portals and CMSs write.
_DATE_META = ("article:published_time", "datepublished", "og:regdate", "pubdate", "dc.date.issued")
_SECTION_TAGS = {"h2": 2, "h3": 3}
# Lines of the story box that are bylines, timestamps or page tools, not story text:
# "김나래 기자", "승인 2024.05.14 11:30", "기사입력 2024.02.02 06:30 | 엄기준 기자 글자 크게 글자 작게".
_JUNK_LINE = re.compile(
    r"^[·|]?\s*(?:[가-힣]{2,4} ?(?:기자|특파원|객원기자|통신원)(?: [\w.-]+@[\w.-]+)?"
    r"|(?:(?:기사)?(?:입력|승인|수정|등록|발행|송고|최종수정)\s*:?\s*)?\d{4}[.\-/]\d{1,2}[.\-/]\d{1,2}\.?(?:\s+\d{1,2}:\d{2}.*)?"
    r"|(?:글자 ?(?:크게|작게)\s*)+|(?:인쇄|스크랩|공유|글씨크기)(?:\s+(?:인쇄|스크랩|공유|글씨크기))*)$")
_BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "td", "th", "blockquote",
               "section", "article", "main", "pre", "figure", "figcaption", "h4", "h5", "h6", "address",
               "center", "hr", "caption", "details", "summary"}
_TITLE_SEPARATOR = re.compile(r"\s+(?:\||-|–|—|::|ㅣ|│|«|»)\s+")  # not " : ", which news titles use
_MAX_SITE_NAME = 30
_INVISIBLE = str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff")


def read_html(data: bytes, path: str, *, doc_id: str | None = None) -> Article:
    """Return the article in an HTML page; raise ReadError if the page has no article text."""
    text = decode_bytes(data, html=True)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=_PARSER)
    except (etree.ParserError, ValueError) as error:
        raise ReadError(f"no article text found ({error})") from error
    ld = list(_json_ld(root))
    meta = _meta(root)
    title_site = _split_site_name(_text(root.find(".//title")))
    source = meta.get("og:site_name") or _ld_publisher(ld) or title_site[1]
    h1 = next((_text(el) for el in _in_story_first(root, "h1") if _text(el)), "")
    title = (_strip_site_name(meta.get("og:title", ""), source) or h1 or title_site[0]
             or PurePath(path).stem)
    sections = _drop_title_line(_body(root), title)
    if not sections:
        raise ReadError("no article text found; the page has no paragraphs outside menus and boxes")
    date = (next((d for key in _DATE_META if (d := iso_date(meta.get(key)))), None)
            or _time_date(root) or _ld_date(ld))
    url = _canonical(root) or meta.get("og:url") or None
    return Article(id=doc_id or _default_id(path), title=title, sections=sections, date=date,
                   source=source or None, url=url, path=str(path))


def _default_id(path: str) -> str:
    pure = PurePath(path)
    return pure.with_suffix("").as_posix()


def _text(element: etree._Element | None) -> str:
    """Return the element's text with whitespace collapsed (empty for None)."""
    if element is None:
        return ""
    return " ".join(element.text_content().translate(_INVISIBLE).split())


def _meta(root: etree._Element) -> dict[str, str]:
    """Return <meta> contents keyed by lower-cased property, name or itemprop (first one wins)."""
    found: dict[str, str] = {}
    for element in root.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        content = " ".join((element.get("content") or "").split())
        if key and content:
            found.setdefault(key.strip().lower(), content)
    return found


def _split_site_name(title: str) -> tuple[str, str]:
    """Split "제목 | 부산일보" into ("제목", "부산일보"); the site part is "" when there is none."""
    parts = list(_TITLE_SEPARATOR.finditer(title))
    if parts:
        last = parts[-1]
        head, site = title[:last.start()].strip(), title[last.end():].strip()
        if head and site and len(site) <= _MAX_SITE_NAME:
            return head, site
    return title, ""


def _strip_site_name(title: str, source: str | None) -> str:
    head, site = _split_site_name(title)
    return head if source and site == source else title


def _canonical(root: etree._Element) -> str:
    for element in root.iter("link"):
        if "canonical" in (element.get("rel") or "").lower().split() and (element.get("href") or "").strip():
            return element.get("href").strip()
    return ""


def _in_story_first(root: etree._Element, tag: str) -> Iterator[etree._Element]:
    """Yield ``tag`` elements inside an <article> first, then those outside the page's chrome."""
    elements = list(root.iter(tag))
    ancestry = [{a.tag for a in el.iterancestors()} for el in elements]
    yield from (el for el, tags in zip(elements, ancestry) if "article" in tags)
    yield from (el for el, tags in zip(elements, ancestry)
                if "article" not in tags and not tags & {"header", "nav", "footer", "aside"})


def _time_date(root: etree._Element) -> str | None:
    for element in _in_story_first(root, "time"):
        date = iso_date(element.get("datetime"))
        if date:
            return date
    return None


def _json_ld(root: etree._Element) -> Iterator[dict]:
    """Yield every object in the page's JSON-LD blocks, flattening lists and @graph."""
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "", strict=False)
        except json.JSONDecodeError:
            continue  # a broken JSON-LD block only costs us optional metadata; the page is still read
        yield from _ld_objects(data)


def _ld_objects(data: object) -> Iterator[dict]:
    if isinstance(data, list):
        for item in data:
            yield from _ld_objects(item)
    elif isinstance(data, dict):
        yield data
        yield from _ld_objects(data.get("@graph", []))


def _ld_date(objects: list[dict]) -> str | None:
    for obj in objects:
        value = obj.get("datePublished")
        date = iso_date(value) if isinstance(value, str) else None
        if date:
            return date
    return None


def _ld_publisher(objects: list[dict]) -> str:
    for obj in objects:
        publisher = obj.get("publisher")
        for item in publisher if isinstance(publisher, list) else [publisher]:
            name = item.get("name") if isinstance(item, dict) else item
            if isinstance(name, str) and name.strip():
                return " ".join(name.split())
    return ""


def _candidates(root: etree._Element) -> list[etree._Element]:
    """Return the elements that may hold the story, most specific first."""
    articles = sorted(root.iter("article"), key=lambda el: -len(el.text_content()))
    return [*articles, *root.xpath('//*[@itemprop="articleBody"]'), *root.iter("main"),
            *root.iter("body"), root]


def _body(root: etree._Element) -> tuple[Section, ...]:
    """Return the sections of the first story candidate that has any text."""
    for candidate in _candidates(root):
        box = copy.deepcopy(candidate)
        box.tail = None
        _clean(box)
        sections = _sections(box)
        if sections:
            return sections
    return ()


def _clean(box: etree._Element) -> None:
    """Remove menus, scripts, share bars, comment threads and related-story boxes under ``box``."""
    for element in [el for el in box.iterdescendants() if _is_boilerplate(el)]:
        _drop(element)
    for heading in [el for el in box.iterdescendants() if _is_box_heading(el)]:
        if heading.getparent() is not None and box in heading.iterancestors():
            _drop_box(heading, box)


def _is_boilerplate(element: etree._Element) -> bool:
    if not isinstance(element.tag, str):
        return True
    if element.tag in _DROP_TAGS or (element.get("role") or "").lower() in _DROP_ROLES:
        return True
    if element.get("hidden") is not None or "display:none" in (element.get("style") or "").replace(" ", ""):
        return True
    for token in f"{element.get('class') or ''} {element.get('id') or ''}".lower().split():
        if any(word in token for word in _BOILERPLATE_WORDS):
            return True
        if _BOILERPLATE_PARTS & set(re.split(r"[-_]", token)):
            return True
    return False


def _squash(element: etree._Element) -> str:
    return re.sub(r"[\W_]+", "", element.text_content())


def _is_box_heading(element: etree._Element) -> bool:
    return element.tag in _BOX_HEADING_TAGS and _BOX_HEADING.fullmatch(_squash(element)) is not None


def _drop_box(heading: etree._Element, box: etree._Element) -> None:
    """Remove a "관련 기사" style heading with the link lists that follow it (or the box holding both)."""
    block = heading
    while block.getparent() is not box and _squash(block.getparent()) == _squash(block):
        block = block.getparent()
    parent = block.getparent()
    followers = []
    for sibling in block.itersiblings():
        if sibling.tag in _SECTION_TAGS or not _link_like(sibling):
            break
        followers.append(sibling)
    rest = [el for el in parent if el is not block and all(el is not f for f in followers)]
    if parent is not box and not rest and not (parent.text or "").strip():
        _drop(parent)
        return
    for element in [block, *followers]:
        _drop(element)


def _link_like(element: etree._Element) -> bool:
    """Tell whether ``element`` is a list or a block whose text is mostly links."""
    if element.tag in {"ul", "ol", "dl"}:
        return True
    total = len(_squash(element))
    linked = sum(len(_squash(a)) for a in element.iter("a"))
    return total > 0 and linked * 2 >= total


def _drop(element: etree._Element) -> None:
    """Remove ``element`` but keep its tail text, which belongs to what follows it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _sections(box: etree._Element) -> tuple[Section, ...]:
    """Split the cleaned story at <h2>/<h3> into sections of "\\n"-joined lines."""
    sections: list[Section] = []
    heading, level, lines = "", 0, []
    for kind, text, new_level in _blocks(box):
        if kind == "line":
            if not _JUNK_LINE.match(text):
                lines.append(text)
            continue
        if lines or heading == "" or new_level <= level:
            if lines or heading:
                sections.append(Section(heading, "\n".join(lines)))
            heading, level, lines = text, new_level, []
        else:  # a subheading straight under its heading: keep both, as the corpus files do
            heading, level = f"{heading} > {text}", new_level
    if lines or heading:
        sections.append(Section(heading, "\n".join(lines)))
    if not any(section.text for section in sections):
        return ()
    return tuple(sections)


def _blocks(box: etree._Element) -> Iterator[tuple[str, str, int]]:
    """Yield ("heading", text, level) and ("line", text, 0) in document order."""
    buffer: list[str] = []

    def flush() -> Iterator[tuple[str, str, int]]:
        line = " ".join("".join(buffer).translate(_INVISIBLE).split())
        buffer.clear()
        if line:
            yield "line", line, 0

    inside_heading = None
    for event, element in etree.iterwalk(box, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if inside_heading is not None:
            if event == "end" and element is inside_heading:
                inside_heading = None
                buffer.append(element.tail or "")
            continue
        if event == "start":
            if tag in _SECTION_TAGS:
                yield from flush()
                text = _text(element)
                if text:
                    yield "heading", text, _SECTION_TAGS[tag]
                inside_heading = element
                continue
            if tag == "br" or tag in _BLOCK_TAGS:
                yield from flush()
            if tag:
                buffer.append(element.text or "")
        else:
            if tag in _BLOCK_TAGS:
                yield from flush()
            if element is not box:
                buffer.append(element.tail or "")
    yield from flush()


def _drop_title_line(sections: tuple[Section, ...], title: str) -> tuple[Section, ...]:
    """Drop the title when the page repeats it as the first line of the lead."""
    if not sections or sections[0].heading or not title:
        return sections
    lines = sections[0].text.split("\n")
    if lines[0] != title:
        return sections
    rest = "\n".join(lines[1:])
    lead = (Section("", rest),) if rest else ()
    remaining = lead + sections[1:]
    return remaining if any(section.text for section in remaining) else ()
