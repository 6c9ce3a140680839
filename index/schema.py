"""The one schema: a Whoosh document per article section, carrying its article's fields."""

from __future__ import annotations

from whoosh import fields
from whoosh.analysis import IDTokenizer

from .analysis import SourceFilter, korean_analyzer

# Field names; everything else asks this module for them.
ID = "id"  # "<article id>#<section index>", unique per document
ARTICLE = "article"  # article id, shared by an article's sections
SECTION = "section"  # section index within the article, from 0
TITLE = "title"
HEADING = "heading"
TEXT = "text"
DATE = "date"  # YYYY-MM-DD or absent
SOURCE = "source"
URL = "url"
PATH = "path"  # file the article came from
DIGEST = "digest"  # content hash of the whole article, for incremental updates
SPANS = "spans"  # where each term lies in the title, heading and text (index/spans.py), for marks

SEARCHED = (TITLE, HEADING, TEXT)  # also the order of the SPANS tuple


def section_id(article_id: str, index: int) -> str:
    """Return the document id of an article's section."""
    return f"{article_id}#{index}"


def make_schema(user_words: tuple[tuple[str, str], ...] = ()) -> fields.Schema:
    """Return the schema, its text fields analysed with the Korean analyzer for these user words."""
    analyzer = korean_analyzer(user_words)
    return fields.Schema(
        **{
            ID: fields.ID(stored=True, unique=True),
            ARTICLE: fields.ID(stored=True, sortable=True),
            SECTION: fields.NUMERIC(int, stored=True, sortable=True),
            TITLE: fields.TEXT(analyzer=analyzer, stored=True),
            HEADING: fields.TEXT(analyzer=analyzer, stored=True),
            TEXT: fields.TEXT(analyzer=analyzer, stored=True),
            DATE: fields.ID(stored=True, sortable=True),
            SOURCE: fields.ID(stored=True, analyzer=IDTokenizer() | SourceFilter()),
            URL: fields.STORED(),
            PATH: fields.STORED(),
            DIGEST: fields.STORED(),
            SPANS: fields.STORED(),
        }
    )
