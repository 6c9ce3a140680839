"""Article ids in addresses: written so that every id comes back unchanged from any link.

An id is any non-empty string from a JSON Lines file, so it may hold ``?``, ``#``, ``%``, spaces,
empty or dot segments (``a//b``, ``a/../b``). Each segment is percent-encoded whole; the slashes
between segments stay, keeping ``news/2024/x`` readable, unless a segment is empty, ``.`` or
``..`` (which a browser would merge or resolve before asking): then the slashes are encoded too,
making the id one segment. Only the ids ``.`` and ``..`` cannot be carried; readers refuse them.
"""

from __future__ import annotations

from urllib.parse import quote

from werkzeug.routing import BaseConverter

UNADDRESSABLE = (".", "..")  # a browser resolves these even percent-encoded


def id_path(article_id: str) -> str:
    """Return the id as the rest of an /articles/ address."""
    segments = article_id.split("/")
    if any(s in ("", ".", "..") for s in segments):
        return quote(article_id, safe="")
    return "/".join(quote(s, safe="") for s in segments)


class ArticleIdConverter(BaseConverter):
    """The ``<article_id:...>`` part of a route: anything after the prefix, slashes included."""

    regex = ".+"
    part_isolating = False
    weight = 200

    def to_url(self, value: str) -> str:
        return id_path(value)
