"""Error responses: JSON for the API and /healthz, Korean HTML pages everywhere else."""

from __future__ import annotations

from flask import Flask, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from chaja.index.store import IndexUnavailable

# Korean title and explanation of each status for the HTML error page
PAGES = {
    400: ("잘못된 요청입니다", "주소의 검색 조건이 올바르지 않습니다."),
    404: ("페이지를 찾을 수 없습니다", "주소가 바뀌었거나 없는 문서입니다."),
    405: ("허용되지 않는 요청입니다", "이 주소는 이 요청 방식을 지원하지 않습니다."),
    500: ("서버 오류가 발생했습니다", "잠시 후 다시 시도해 주세요."),
    503: ("검색 색인을 열 수 없습니다", "관리자가 색인을 다시 만드는 중일 수 있습니다. 잠시 후 다시 시도해 주세요."),
}


def wants_json() -> bool:
    """Tell whether the request is for the JSON API, whose errors are JSON too."""
    path = request.path
    return path == "/api" or path.startswith("/api/") or path == "/healthz"


def error_code(e: HTTPException) -> str:
    """Return the machine-readable code of an error, such as ``not_found``."""
    return e.name.lower().replace("'", "").replace(" ", "_")


def handle_http(e: HTTPException) -> Response:
    """Render an HTTP error as {"error": {"code", "message"}} for the API, else as a Korean page."""
    if wants_json():
        message = "internal server error; see the server log" if e.code == 500 else e.description
        response = current_app.json.response({"error": {"code": error_code(e), "message": message}})
        response.status_code = e.code
        if "Allow" in (headers := e.get_response().headers):  # a 405 says which methods would do
            response.headers["Allow"] = headers["Allow"]
    else:
        response = e.get_response()  # keeps headers such as Allow on a 405
        title, explanation = PAGES.get(e.code, (e.name, ""))
        # show only a message the view wrote, not Werkzeug's English default nor internals
        custom = e.code not in (500, 503) and e.description != type(e).description
        response.set_data(render_template("error.html", status=e.code, title=title, explanation=explanation,
                                          detail=e.description if custom else None))
        response.content_type = "text/html; charset=utf-8"
    return response


def handle_unavailable(e: IndexUnavailable) -> Response:
    """Answer 503 when the index cannot be opened, with the library's explanation."""
    current_app.logger.error("index unavailable: %s", e)
    return handle_http(ServiceUnavailable(str(e)))


def init_app(app: Flask) -> None:
    """Register the error handlers; unhandled exceptions reach handle_http as a 500."""
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(IndexUnavailable, handle_unavailable)
