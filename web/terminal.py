"""Render a result page for a terminal: marks in colour, or as [brackets] when not a terminal."""

from __future__ import annotations

import html
import re

from chaja.search import ResultPage
from chaja.search.results import PARTIAL_NOTICE, RELAXED_NOTICE

_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def plain(marked_html: str, color: bool) -> str:
    """Turn escaped HTML with <mark> tags into terminal text."""
    repl = "\x1b[1;33m\\1\x1b[0m" if color else "[\\1]"
    return html.unescape(_MARK.sub(repl, marked_html))


def render_page(page: ResultPage, color: bool = False) -> str:
    """Return the human-readable form of a result page."""
    lines = []
    if page.message:
        lines.append(page.message)
    if page.notice:
        lines.append(page.notice)
    if page.past_end:
        lines.append(page.past_end)
        return "\n".join(lines)
    if page.relaxed:
        lines.append(RELAXED_NOTICE)
    if page.corrected:
        lines.append(f"'{page.suggestion}'의 검색 결과입니다. '{page.query}'(으)로 검색하려면 --exact를 붙이세요.")
    elif page.suggestion:
        lines.append(f"이것을 찾으셨나요? {page.suggestion}")
    if not page.hits:
        lines.append("검색 결과가 없습니다.")
        return "\n".join(lines)
    lines.append(f"검색 결과 {page.total}건 ({page.page}/{page.pages}쪽, {page.took_ms:.1f} ms)")
    for i, hit in enumerate(page.hits):
        n = (page.page - 1) * page.size + 1 + i
        if i == page.partial_at:
            lines += ["", PARTIAL_NOTICE]
        meta = " · ".join(x for x in (hit.date, hit.source) if x)
        lines.append("")
        lines.append(f"{n}. {plain(hit.title_html, color)}" + (f"  ({meta})" if meta else ""))
        where = f"§{hit.section.index}" + (f" {plain(hit.section.heading_html, color)}" if hit.section.heading else "")
        lines.append(f"   {hit.id} {where}")
        lines.append(f"   {plain(hit.snippet_html, color)}")
    return "\n".join(lines)
