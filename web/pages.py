"""The Korean HTML pages: the search page and the article page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from werkzeug.exceptions import BadRequest

from chaja.search import QueryError

from . import get_engine

bp = Blueprint("pages", __name__)

SORTS = {"relevance": "정확도순", "date": "최신순"}
WINDOW = 10  # page numbers shown at once


def page_numbers(current: int, pages: int) -> range:
    """Return the page numbers to link: a window of WINDOW pages around the current one."""
    start = max(1, min(current - WINDOW // 2, pages - WINDOW + 1))
    return range(start, min(pages, start + WINDOW - 1) + 1)


def search_url(q: str, page: int = 1, sort: str = "relevance") -> str:
    """Return the shareable URL of a result page, leaving out default parameters."""
    args = {"q": q}
    if sort != "relevance":
        args["sort"] = sort
    if page != 1:
        args["page"] = page
    return url_for("pages.index", **args)


@bp.get("/")
def index():
    """Show the search box and, when there is a query, a page of results."""
    q = request.args.get("q", "")
    sort = request.args.get("sort") or "relevance"
    raw_page = request.args.get("page") or "1"
    try:
        number = int(raw_page)
    except ValueError:
        raise BadRequest(f"페이지 번호는 1 이상의 숫자로 적어 주세요. 받은 값: {raw_page}") from None
    result = None
    if q.strip():
        try:
            result = get_engine().search(q, page=number, size=current_app.config["PAGE_SIZE"], sort=sort)
        except QueryError as e:
            raise BadRequest(str(e)) from None
    return render_template("index.html", q=q, sort=sort, sorts=SORTS, result=result,
                           search_url=search_url, page_numbers=page_numbers)


@bp.get("/articles/<path:article_id>")
def article(article_id: str):
    """Show a whole article with the query's words marked."""
    q = request.args.get("q", "")
    view = get_engine().article(article_id, query=q or None)
    if view is None:
        abort(404, "요청한 기사를 찾을 수 없습니다. 검색 결과에서 다시 찾아 주세요.")
    return render_template("article.html", article=view, q=q,
                           back=search_url(q) if q.strip() else url_for("pages.index"))
