"""The JSON API under /api, plus /healthz: thin layers over the Engine's calls."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from flask import Blueprint, abort, request
from werkzeug.exceptions import BadRequest

from chaja.search import QueryError, autocomplete
from chaja.search.engine import MAX_RELATED
from chaja.search import request as request_rules

from . import get_engine
from .openapi import document

bp = Blueprint("api", __name__, url_prefix="/api")
health = Blueprint("health", __name__)


@bp.get("/search")
def search():
    """Search the index; the body is exactly ResultPage.to_json()."""
    try:
        args = request_rules.read(request.args)
        page = get_engine().search(args.q, **args.search_args())
    except QueryError as e:
        raise BadRequest(str(e)) from None
    return page.to_json()


@bp.get("/suggest")
def suggest():
    """Complete what a person is typing: titles and words of the index, most articles first."""
    prefix = request.args.get("q", "")
    try:
        size = request_rules.whole_number("size", request.args.get("size"), 10, autocomplete.MAX_SIZE)
        found = get_engine().suggest(prefix, size)
    except QueryError as e:
        raise BadRequest(str(e)) from None
    return {"query": prefix, "suggestions": [{"text": s.text, "kind": s.kind, "count": s.count} for s in found]}


@bp.get("/sources")
def sources():
    """List the sources of the serving articles with how many articles each has."""
    return {"sources": [{"value": v.value, "count": v.count} for v in get_engine().sources()]}


@bp.get("/articles/<article_id:article_id>", merge_slashes=False)  # web/ids.py writes the ids
def article(article_id: str):
    """Return one whole article, with the words of ?q= marked as on the article page."""
    view = get_engine().article(article_id, query=request.args.get("q") or None)
    if view is None:
        abort(404, f"no article with id {article_id!r}")
    return view.to_json()


@bp.get("/articles/<article_id:article_id>/related", merge_slashes=False)
def related(article_id: str):
    """Return the articles closest to one (more like this), never the article itself."""
    try:
        found = get_engine().related(article_id, request_rules.whole_number("size", request.args.get("size"), 5, MAX_RELATED))
    except QueryError as e:
        raise BadRequest(str(e)) from None
    if found is None:
        abort(404, f"no article with id {article_id!r}")
    return {"id": article_id, "related": [asdict(r) for r in found]}


@bp.get("/stats")
def stats():
    """Return what the serving index holds."""
    stats = get_engine().stats()
    stats.pop("index", None)  # the server's file system layout is not the client's business
    stats["paths"] = [Path(p).name for p in stats.get("paths", [])]
    return stats


@bp.get("/openapi.json")
def openapi():
    """Return the OpenAPI 3.1 document of this API."""
    return document()


@health.get("/healthz")
def healthz():
    """Tell a load balancer the index can be read, which generation serves and whether it is warm yet."""
    engine = get_engine()
    return {"status": "ok", "generation": engine.generation, "warm": engine.warm(0)}
