"""The JSON API under /api, plus /healthz: thin layers over the Engine's calls."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from flask import Blueprint, abort, request
from werkzeug.exceptions import BadRequest

from chaja.search import QueryError

from . import get_engine
from .openapi import document

bp = Blueprint("api", __name__, url_prefix="/api")
health = Blueprint("health", __name__)


def int_arg(name: str, default: int) -> int:
    """Return a whole-number query parameter, or raise 400 saying how to write it."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number such as {name}={default}, not {raw!r}") from None


def search_args() -> dict:
    """Return Engine.search's keyword arguments from the query string (400 on a bad value)."""
    return {
        "page": int_arg("page", 1),
        "size": int_arg("size", 10),
        "sort": request.args.get("sort") or "relevance",
        "source": request.args.get("source") or None,
        "date_from": request.args.get("from") or None,
        "date_to": request.args.get("to") or None,
        "correct": request.args.get("correct") != "0",
    }


@bp.get("/search")
def search():
    """Search the index; the body is exactly ResultPage.to_json()."""
    args = search_args()
    try:
        page = get_engine().search(request.args.get("q", ""), **args)
    except QueryError as e:
        raise BadRequest(str(e)) from None
    return page.to_json()


@bp.get("/suggest")
def suggest():
    """Complete what a person is typing: titles and words of the index, most articles first."""
    prefix = request.args.get("q", "")
    try:
        found = get_engine().suggest(prefix, int_arg("size", 10))
    except QueryError as e:
        raise BadRequest(str(e)) from None
    return {"query": prefix, "suggestions": [{"text": s.text, "kind": s.kind, "count": s.count} for s in found]}


@bp.get("/sources")
def sources():
    """List the sources of the serving articles with how many articles each has."""
    return {"sources": [{"value": v.value, "count": v.count} for v in get_engine().sources()]}


@bp.get("/articles/<path:article_id>")
def article(article_id: str):
    """Return one whole article."""
    view = get_engine().article(article_id)
    if view is None:
        abort(404, f"no article with id {article_id!r}")
    return view.to_json()


@bp.get("/articles/<path:article_id>/related")
def related(article_id: str):
    """Return the articles closest to one (more like this), never the article itself."""
    try:
        found = get_engine().related(article_id, int_arg("size", 5))
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
