"""The one schema: a Whoosh document per article section, carrying its article's fields.

Search reads the generation's own arrays (chaja.index.arrays), not Whoosh's postings, so Whoosh
only stores what results show and indexes the ids that updates delete by; the title, heading and
text are analysed once, by the write pipeline, for the arrays and the stored spans.
"""

from __future__ import annotations

from whoosh import fields
from whoosh.analysis import IDTokenizer

from .analysis import SourceFilter

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


def make_schema() -> fields.Schema:
    """Return the Whoosh schema of a generation's section documents."""
    return fields.Schema(
        **{
            ID: fields.ID(stored=True, unique=True),
            ARTICLE: fields.ID(stored=True, sortable=True),
            SECTION: fields.NUMERIC(int, stored=True, sortable=True),
            TITLE: fields.STORED(),
            HEADING: fields.STORED(),
            TEXT: fields.STORED(),
            DATE: fields.ID(stored=True, sortable=True),
            SOURCE: fields.ID(stored=True, analyzer=IDTokenizer() | SourceFilter()),
            URL: fields.STORED(),
            PATH: fields.STORED(),
            DIGEST: fields.STORED(),
            SPANS: fields.STORED(),
        }
    )
