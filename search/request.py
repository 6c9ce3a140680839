"""The rules of a search request (page, size, sort, source, dates), written once for every front end.

The JSON API, the search page, the command line, the OpenAPI document and Engine.search all
check a request here, so a value is accepted or refused the same way everywhere and the reason
reads the same: in English for the API and the terminal, in Korean on the page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date

from .query import QueryError

MAX_PAGE = 1_000
MAX_SIZE = 100
DEFAULT_SIZE = 10
SORTS = {"relevance": "정확도순", "date": "최신순"}  # value -> its Korean name on the page
PARAMETERS = ("q", "page", "size", "sort", "source", "from", "to", "correct")

# ASCII digits only: int() also reads "1_0" as 10 and "٣" (Arabic-Indic three) as 3
_WHOLE = re.compile(r"[0-9]+")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_KOREAN_NAME = {"page": "페이지 번호는", "size": "한 페이지의 결과 수는", "from": "시작일은", "to": "종료일은"}


class RequestError(QueryError):
    """A search parameter is invalid: ``str()`` says why in English, ``korean`` says it for the page."""

    def __init__(self, param: str, message: str, korean: str):
        super().__init__(message)
        self.param = param
        self.korean = korean


@dataclass(frozen=True)
class SearchRequest:
    """A checked search request; ``search_args()`` are Engine.search's keyword arguments."""

    q: str = ""
    page: int = 1
    size: int = DEFAULT_SIZE
    sort: str = "relevance"
    source: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    correct: bool = True  # show the corrected query's hits when the query as typed finds nothing

    def search_args(self) -> dict:
        """Return the keyword arguments of Engine.search (everything but q)."""
        args = asdict(self)
        del args["q"]
        return args


def _range_error(param: str, raw: object, top: int) -> RequestError:
    return RequestError(param, f"{param} must be a whole number from 1 to {top}, such as {param}=2; got {raw!r}",
                        f"{_KOREAN_NAME[param]} 1부터 {top}까지의 숫자로 적어 주세요. 받은 값: {raw}")


def whole_number(param: str, raw: str | int | None, default: int, top: int) -> int:
    """Return a whole number from 1 to top written in ASCII digits ("" or None: default), else raise."""
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        raise _range_error(param, raw, top)
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and _WHOLE.fullmatch(raw):
        value = int(raw)
    else:
        raise _range_error(param, raw, top)
    if not 1 <= value <= top:
        raise _range_error(param, raw, top)
    return value


def sort_order(raw: str | None) -> str:
    """Return relevance or date ("" or None: relevance), else raise."""
    if raw is None or raw == "":
        return "relevance"
    if raw not in SORTS:
        raise RequestError("sort", f"sort must be relevance or date, not {raw!r}",
                           f"정렬은 relevance(정확도순)나 date(최신순)로 적어 주세요. 받은 값: {raw}")
    return raw


def day(param: str, raw: str | None) -> str | None:
    """Return a YYYY-MM-DD calendar day ("" or None: None), else raise naming param (from or to)."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, str) and _DAY.fullmatch(raw):
        try:
            return date.fromisoformat(raw).isoformat()
        except ValueError:
            pass
    raise RequestError(param, f"{param} must be a date written YYYY-MM-DD, such as 2024-01-31; got {raw!r}",
                       f"{_KOREAN_NAME[param]} 2024-01-31처럼 연-월-일 숫자로 적어 주세요. 받은 값: {raw}")


def date_range(raw_from: str | None, raw_to: str | None) -> tuple[str | None, str | None]:
    """Return the checked (from, to) days.

    A from later than to is well-formed, only empty: the search answers it with no hits and
    reversed_range()'s message, as it answers any query that finds nothing to search.
    """
    return day("from", raw_from), day("to", raw_to)


def reversed_range(start: str | None, end: str | None) -> str | None:
    """Return what to tell a person whose date range ends before it starts (None when it does not)."""
    if start and end and start > end:
        return f"시작일({start})이 종료일({end})보다 늦어 그 사이의 기사가 없습니다. 두 날짜를 바꿔 적어 주세요."
    return None


def correction(raw: str | None) -> bool:
    """Return whether to show a corrected query's hits: correct=1 or absent yes, correct=0 no."""
    if raw is None or raw == "1":
        return True
    if raw == "0":
        return False
    raise RequestError("correct", f"correct must be 0 (search exactly as typed) or 1, not {raw!r}",
                       f"correct는 0(입력한 그대로 검색) 또는 1로 적어 주세요. 받은 값: {raw}")


def source_filter(raw: str | None) -> str | None:
    """Return the source to filter on, spaces around it stripped (None when blank)."""
    return (raw or "").strip() or None


def check(page: int = 1, size: int = DEFAULT_SIZE, sort: str = "relevance", source: str | None = None,
          date_from: str | None = None, date_to: str | None = None, q: str = "") -> SearchRequest:
    """Return the request as Engine.search takes it, checked; raise RequestError for a bad value."""
    start, end = date_range(date_from, date_to)
    return SearchRequest(q or "", whole_number("page", page, 1, MAX_PAGE),
                         whole_number("size", size, DEFAULT_SIZE, MAX_SIZE), sort_order(sort), source_filter(source),
                         start, end)


def read(args: Mapping[str, str]) -> SearchRequest:
    """Return the request written in a query string (q, page, size, sort, source, from, to, correct), checked."""
    checked = check(args.get("page"), args.get("size"), args.get("sort"), args.get("source"), args.get("from"),
                    args.get("to"), args.get("q", ""))
    return replace(checked, correct=correction(args.get("correct")))


def param(name: str, description: str, schema: dict, example=None) -> dict:
    """Return the OpenAPI description of one optional query parameter."""
    out = {"name": name, "in": "query", "required": False, "description": description, "schema": schema}
    if example is not None:
        out["example"] = example
    return out


def openapi_parameters() -> list[dict]:
    """Return the OpenAPI description of /api/search's query parameters, from these rules."""

    # An empty value means "not given", as a form sends it: the schema says so, beside the date.
    day_or_empty = {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}]}
    return [
        param("q", "Search words in Korean (or any text); an empty query returns no hits and a message.",
              {"type": "string", "default": ""}, "부산항 물동량"),
        param("page", f"Page number, from 1 to {MAX_PAGE}; a page past the last one has no hits.",
              {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}),
        param("size", "Hits per page.", {"type": "integer", "minimum": 1, "maximum": MAX_SIZE, "default": DEFAULT_SIZE}),
        param("sort", "Order of hits: best match first, or newest first.",
              {"type": "string", "enum": list(SORTS), "default": "relevance"}),
        param("source", "Only articles from this source (spaces around it are ignored; blank: any source).",
              {"type": "string"}),
        param("from", "Only articles dated on or after this day (empty: no lower bound). A day later than `to` "
                      "makes an empty range: no hits, and a message saying to swap them.", day_or_empty, "2024-01-01"),
        param("to", "Only articles dated on or before this day (empty: no upper bound).", day_or_empty, "2024-12-31"),
        param("correct", "0: search the query exactly as typed, even when it finds nothing and a corrected "
                         "query would (the default shows the corrected query's hits, with corrected: true).",
              {"type": "string", "enum": ["0", "1"], "default": "1"}),
    ]
