"""The Korean HTML pages: the search page and the article page."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import BadRequest

from chaja.search import QueryError, facets
from chaja.search.engine import MAX_PAGE
from chaja.search.query import parse_date

from . import get_engine

bp = Blueprint("pages", __name__)

SORTS = {"relevance": "정확도순", "date": "최신순"}
WINDOW = 10  # page numbers shown at once
FILTERS = {"source": "source", "from": "date_from", "to": "date_to"}  # query parameter -> search_url's argument


def page_numbers(current: int, pages: int) -> range:
    """Return the page numbers to link: a window of WINDOW pages around the current one."""
    start = max(1, min(current - WINDOW // 2, pages - WINDOW + 1))
    return range(start, min(pages, start + WINDOW - 1) + 1)


def search_url(q: str, page: int = 1, sort: str = "relevance", source: str = "", date_from: str = "",
               date_to: str = "", exact: bool = False) -> str:
    """Return the shareable URL of a result page, leaving out default parameters and empty filters.

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
    return url_for("pages.index", **args, **{name: values[key] for name, key in FILTERS.items() if values[key]})


def date_arg(name: str, label: str) -> str:
    """Return a YYYY-MM-DD date parameter ("" when absent), or raise 400 saying how to write it."""
    raw = request.args.get(name, "")
    try:
        return parse_date(raw, name) or ""
    except QueryError:
        raise BadRequest(f"{label}은 2024-01-31처럼 연-월-일 숫자로 적어 주세요. 받은 값: {raw}") from None


@bp.get("/")
def index():
    """Show the search box and filters and, when there is a query or a filter, a page of results."""
    q = request.args.get("q", "")
    sort = request.args.get("sort") or "relevance"
    raw_page = request.args.get("page") or "1"
    try:
        number = int(raw_page)
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_PAGE:
        raise BadRequest(f"페이지 번호는 1부터 {MAX_PAGE}까지의 숫자로 적어 주세요. 받은 값: {raw_page}")
    if sort not in SORTS:
        raise BadRequest(f"정렬은 relevance(정확도순)나 date(최신순)로 적어 주세요. 받은 값: {sort}")
    filters = {"source": request.args.get("source", "").strip(), "date_from": date_arg("from", "시작일"),
               "date_to": date_arg("to", "종료일")}
    if filters["date_from"] and filters["date_to"] and filters["date_from"] > filters["date_to"]:
        raise BadRequest(f"시작일({filters['date_from']})이 종료일({filters['date_to']})보다 늦습니다. 두 날짜를 바꿔 적어 주세요.")
    if any(name in request.args and not filters[key] for name, key in FILTERS.items()):
        # the form sends its empty filters too; the address to share leaves them out
        return redirect(search_url(q, number, sort, **filters))
    result = None
    if q.strip() or any(filters.values()):
        try:
            result = get_engine().search(q, page=number, size=current_app.config["PAGE_SIZE"], sort=sort,
                                         correct=request.args.get("correct") != "0",
                                         **{name: value or None for name, value in filters.items()})
        except QueryError as e:
            raise BadRequest(str(e)) from None
    return render_template("index.html", q=q, sort=sort, sorts=SORTS, result=result, filters=filters,
                           search_url=partial(search_url, **filters), page_numbers=page_numbers,
                           periods=facets.periods(get_engine().newest_date()))


@bp.get("/articles/<path:article_id>")
def article(article_id: str):
    """Show a whole article with the query's words marked."""
    q = request.args.get("q", "")
    view = get_engine().article(article_id, query=q or None)
    if view is None:
        abort(404, "요청한 기사를 찾을 수 없습니다. 검색 결과에서 다시 찾아 주세요.")
    return render_template("article.html", article=view, q=q, related=get_engine().related(article_id, 5) or [],
                           back=search_url(q) if q.strip() else url_for("pages.index"))
