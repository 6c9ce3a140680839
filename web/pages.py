"""The Korean HTML pages: the search page and the article page."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import BadRequest

from chaja.search import QueryError, facets
from chaja.search import request as request_rules
from chaja.search.results import PARTIAL_NOTICE, RELAXED_NOTICE

from . import get_engine

bp = Blueprint("pages", __name__)

SORTS = request_rules.SORTS
WINDOW = 10  # page numbers shown at once
FILTERS = {"source": "source", "from": "date_from", "to": "date_to"}  # query parameter -> search_url's argument


def page_numbers(current: int, pages: int) -> range:
    """Return the page numbers to link: a window of WINDOW pages around the current one."""
    start = max(1, min(current - WINDOW // 2, pages - WINDOW + 1))
    return range(start, min(pages, start + WINDOW - 1) + 1)


def search_params(q: str, page: int = 1, sort: str = "relevance", source: str = "", date_from: str = "",
                  date_to: str = "", exact: bool = False) -> dict:
    """Return the query parameters of a result page, leaving out default parameters and empty filters.

    exact searches q as typed, without replacing it by a correction when it finds nothing.
    """
    args = {"q": q}
    if exact:
        args["correct"] = "0"
    if sort != "relevance":
        args["sort"] = sort
    if page != 1:
        args["page"] = page
    values = {"source": source, "date_from": date_from, "date_to": date_to}
    return {**args, **{name: values[key] for name, key in FILTERS.items() if values[key]}}


def search_url(q: str, page: int = 1, sort: str = "relevance", source: str = "", date_from: str = "",
               date_to: str = "", exact: bool = False) -> str:
    """Return the shareable URL of a result page, leaving out default parameters and empty filters."""
    return url_for("pages.index", **search_params(q, page, sort, source, date_from, date_to, exact))


def article_url(article_id: str, section: int, q: str, page: int = 1, sort: str = "relevance", **filters) -> str:
    """Return the link of a hit: its section, carrying the result page it came from for the way back."""
    return url_for("pages.article", article_id=article_id, **search_params(q, page, sort, **filters),
                   _anchor=f"s-{section}")


@bp.get("/")
def index():
    """Show the search box and filters and, when there is a query or a filter, a page of results."""
    try:
        args = request_rules.read(request.args)
    except request_rules.RequestError as e:
        raise BadRequest(e.korean) from None
    q, number, sort = args.q, args.page, args.sort
    filters = {"source": args.source or "", "date_from": args.date_from or "", "date_to": args.date_to or ""}
    if any(name in request.args and not filters[key] for name, key in FILTERS.items()):
        # the form sends its empty filters too; the address to share leaves them out
        return redirect(search_url(q, number, sort, **filters))
    result = None
    if q.strip() or any(filters.values()):
        try:
            result = get_engine().search(q, **{**args.search_args(), "size": current_app.config["PAGE_SIZE"]})
        except QueryError as e:
            raise BadRequest(str(e)) from None
    return render_template("index.html", q=q, sort=sort, sorts=SORTS, result=result, filters=filters,
                           search_url=partial(search_url, **filters), page_numbers=page_numbers,
                           article_url=partial(article_url, q=q, page=number, sort=sort, **filters),
                           relaxed_notice=RELAXED_NOTICE, partial_notice=PARTIAL_NOTICE,
                           periods=facets.periods(get_engine().newest_date()))


@bp.get("/articles/<article_id:article_id>", merge_slashes=False)  # web/ids.py writes the ids
def article(article_id: str):
    """Show a whole article with the query's words marked, and a link back to the result page it came from."""
    try:
        came_from = request_rules.read(request.args)
    except request_rules.RequestError:  # a hand-edited address: the way back keeps only the words
        came_from = request_rules.SearchRequest(request.args.get("q", ""))
    q = came_from.q
    view = get_engine().article(article_id, query=q or None)
    if view is None:
        abort(404, "요청한 기사를 찾을 수 없습니다. 검색 결과에서 다시 찾아 주세요.")
    filters = {"source": came_from.source or "", "date_from": came_from.date_from or "",
               "date_to": came_from.date_to or ""}
    searched = q.strip() or any(filters.values())
    return render_template("article.html", article=view, q=q, searched=searched,
                           related=get_engine().related(article_id, 5) or [],
                           back=search_url(q, came_from.page, came_from.sort, **filters) if searched
                           else url_for("pages.index"))
