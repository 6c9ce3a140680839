"""Marks and snippets from the analyzer's character offsets, escaped before marking."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from html import escape

from chaja.index import schema
from chaja.index import spans as stored_spans

SNIPPET_CHARS = 200  # a snippet aims at 160 to 240 characters
CONTEXT = 50  # characters shown before the first match of a passage
ELLIPSIS = "…"

Span = tuple[int, int]


def spans_of(stored: dict, field: str, marks) -> list[Span]:
    """Return the spans to mark in one of schema.SEARCHED of a section: what matched the query there (a query.Marks)."""
    encoded = stored[schema.SPANS][schema.SEARCHED.index(field)]
    return stored_spans.marked(encoded, marks.anywhere, marks.phrases, marks.words)


def merge(spans: Iterable[Span]) -> list[Span]:
    """Sort spans and merge those that overlap or touch."""
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def mark(text: str, spans: Iterable[Span], start: int = 0, end: int | None = None) -> str:
    """Return text[start:end] HTML-escaped, with each span wrapped in <mark>."""
    return _mark_merged(text, merge(spans), start, len(text) if end is None else end)


def _mark_merged(text: str, merged: list[Span], start: int, end: int) -> str:
    """mark() for spans already merged: only the spans inside start..end are visited."""
    out, at = [], start
    for s, e in merged[max(0, bisect_right(merged, (start, start)) - 1) :]:  # the first may reach into start
        if s >= end:
            break
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        out.append(escape(text[at:s], quote=False))
        out.append(f"<mark>{escape(text[s:e], quote=False)}</mark>")
        at = e
    out.append(escape(text[at:end], quote=False))
    return "".join(out)


def _word_start(text: str, i: int) -> int:
    """Move i back to the start of the word it falls in."""
    if i <= 0:
        return 0
    j = text.rfind(" ", max(0, i - 20), i)
    k = text.rfind("\n", max(0, i - 20), i)
    j = max(j, k)
    return j + 1 if j >= 0 else i


def _word_end(text: str, i: int) -> int:
    """Move i forward to the end of the word it falls in."""
    if i >= len(text):
        return len(text)
    candidates = [p for p in (text.find(" ", i, i + 20), text.find("\n", i, i + 20)) if p >= 0]
    return min(candidates) if candidates else i


def _passage(text: str, first: int, budget: int) -> tuple[int, int]:
    start = _word_start(text, max(0, first - CONTEXT))
    end = _word_end(text, min(len(text), start + budget))
    return start, end


def _densest(spans: list[Span], width: int) -> int:
    """Return the index of the span that starts the run of most spans within width characters (the first such)."""
    best, most, end = 0, 0, 0
    for i, (start, _) in enumerate(spans):
        end = max(end, i)
        while end < len(spans) and spans[end][0] < start + width:
            end += 1
        if end - i > most:
            best, most = i, end - i
    return best


def snippet(text: str, spans: Iterable[Span], size: int = SNIPPET_CHARS) -> str:
    """Return one or two marked passages of text around the spans, cut at word boundaries."""
    spans = merge(spans)
    if not spans:
        start, end = 0, _word_end(text, min(len(text), size))
        passages = [(start, end)]
    else:
        # The first passage starts before the densest run of matches; a second one shows
        # matches that fall far outside it, if there is room.
        best = _densest(spans, size - CONTEXT)
        first = _passage(text, spans[best][0], size)
        passages = [first]
        outside = [s for s, e in spans if e <= first[0] or s >= first[1]]
        if outside and first[1] - first[0] > size * 2 // 3:
            half = size // 2
            passages = [_passage(text, spans[best][0], half), _passage(text, outside[0], half)]
            passages.sort()
            if passages[0][1] >= passages[1][0]:
                passages = [(passages[0][0], max(passages[0][1], passages[1][1]))]
    out = []
    for i, (s, e) in enumerate(passages):
        out.append((ELLIPSIS if s > 0 and (i == 0 or s > passages[i - 1][1]) else "") + _mark_merged(text, spans, s, e))
    html = " ".join(out)
    if passages[-1][1] < len(text.rstrip()):
        html += ELLIPSIS
    return html.replace("\n", " ")
