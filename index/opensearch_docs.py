"""What a section is on an OpenSearch cluster: its document as loaded, and its stored fields as read back.

The morphemes go in as one space-separated token per position (the index's analyzer splits the
readings of one position), and the original texts with their spans in a stored object, so search,
snippets and marks read a hit as they read the embedded index's stored fields.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator

from . import analysis, grams, schema, spans
from . import opensearch as osx
from .analysis import Morpheme
from .pipeline import Analysed, digest


def token(term: str) -> str:
    """Return a term as one token without whitespace or osx.READINGS (a user word may hold a space)."""
    return "_".join(term.replace(osx.READINGS, " ").split())


def _field(found: list[Morpheme]) -> str:
    """Return a text's morphemes (from the write pipeline) as OpenSearch indexes them.

    One space-separated token per position, so OpenSearch's positions are Kiwi's; the readings
    of one position ("1", "1만"; a Hanja word and its reading's last part) are joined by
    osx.READINGS, which the index's analyzer splits into tokens at that same position.
    """
    positions: dict[int, list[str]] = {}
    for m in found:  # not in position order: a Hanja word comes before its reading's parts
        positions.setdefault(m.pos, []).append(token(m.text))
    return " ".join(osx.READINGS.join(dict.fromkeys(positions[p])) for p in sorted(positions))


def documents(analysed: Analysed, sha: str | None = None) -> Iterator[tuple[str, dict]]:
    """Yield (document id, OpenSearch document) for each section of an analysed article."""
    article = analysed.article
    sha = sha or digest(article)
    title, title_spans = _field(analysed.title), spans.encode(analysed.title)
    for i, (sec, (heading_found, text_found)) in enumerate(zip(article.sections, analysed.sections)):
        encoded = [(names, base64.b64encode(data).decode("ascii"))
                   for names, data in (title_spans, spans.encode(heading_found), spans.encode(text_found))]
        yield schema.section_id(article.id, i), {
            schema.ARTICLE: article.id, schema.SECTION: i,
            schema.TITLE: title, schema.HEADING: _field(heading_found), schema.TEXT: _field(text_found),
            osx.GRAM: " ".join(grams.tokens(grams.section_text(article.title, sec.heading, sec.text))),
            schema.DATE: article.date, schema.SOURCE: article.source,
            osx.SOURCE_KEY: analysis.source_term(article.source) if article.source else None,
            schema.DIGEST: sha,
            osx.STORED: {
                schema.TITLE: article.title, schema.HEADING: sec.heading, schema.TEXT: sec.text,
                schema.URL: article.url, schema.PATH: article.path and os.path.abspath(article.path),
                schema.SPANS: encoded,
            },
        }


def stored_fields(source: dict) -> dict:
    """Return a section's _source in the shape of the embedded index's stored fields (for spans.of)."""
    stored = source[osx.STORED]
    return {
        schema.ARTICLE: source[schema.ARTICLE], schema.SECTION: source[schema.SECTION],
        schema.TITLE: stored[schema.TITLE], schema.HEADING: stored[schema.HEADING], schema.TEXT: stored[schema.TEXT],
        schema.DATE: source.get(schema.DATE), schema.SOURCE: source.get(schema.SOURCE), schema.URL: stored.get(schema.URL),
        schema.SPANS: tuple((names, base64.b64decode(data)) for names, data in stored[schema.SPANS]),
    }
