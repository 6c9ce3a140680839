"""Read articles from JSON Lines, one article a line, the format of the shared corpora."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from chaja.index.article import Article, Section, Skipped
from chaja.index.dates import iso_date
from chaja.index.errors import ReadError

_OPTIONAL = ("source", "date", "url")


def read_jsonl(lines: Iterable[str | bytes], path: str) -> Iterator[Article | Skipped]:
    """Yield an Article for each good line and a Skipped("path:lineno", reason) for each bad one."""
    for lineno, line in enumerate(lines, start=1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError as error:
                yield Skipped(f"{path}:{lineno}", f"line is not valid UTF-8 ({error.reason} at byte {error.start}); "
                                                  "re-save the file as UTF-8")
                continue
        elif lineno == 1:
            line = line.lstrip("\ufeff")
        if not line.strip():
            continue
        try:
            yield parse_record(line, path)
        except ReadError as error:
            yield Skipped(f"{path}:{lineno}", str(error))


def parse_record(line: str, path: str | None = None) -> Article:
    """Return the Article in one JSON line; raise ReadError naming the field that is wrong."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise ReadError(f"line is not valid JSON ({error.msg} at column {error.colno})") from error
    if not isinstance(record, dict):
        raise ReadError(f"line holds a JSON {type(record).__name__}, not an object with id, title and sections")
    doc_id = record.get("id")
    if isinstance(doc_id, int) and not isinstance(doc_id, bool):
        doc_id = str(doc_id)
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise ReadError('"id" is missing or not a non-empty string')
    if doc_id.strip() in (".", ".."):  # a browser resolves them in any address, however encoded
        raise ReadError(f'"id" {doc_id.strip()!r} cannot be part of a link; give the article another id')
    title = record.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ReadError(f'article {doc_id!r}: "title" is missing or not a non-empty string')
    for name in _OPTIONAL:
        if record.get(name) is not None and not isinstance(record[name], str):
            raise ReadError(f'article {doc_id!r}: "{name}" must be a string or null, '
                            f"not {type(record[name]).__name__}")
    date = record.get("date") or None
    if date is not None and iso_date(date) is None:
        raise ReadError(f'article {doc_id!r}: "date" {date!r} is not a date; write it as YYYY-MM-DD')
    return Article(id=doc_id.strip(), title=" ".join(title.split()), sections=_sections(record, doc_id),
                   date=iso_date(date), source=record.get("source") or None, url=record.get("url") or None,
                   path=path)


def _sections(record: dict, doc_id: str) -> tuple[Section, ...]:
    sections = record.get("sections")
    if not isinstance(sections, list):
        raise ReadError(f'article {doc_id!r}: "sections" is missing or not a list of {{"heading", "text"}} objects')
    result = []
    for number, section in enumerate(sections):
        if not isinstance(section, dict):
            raise ReadError(f'article {doc_id!r}: section {number} is not an object with "heading" and "text"')
        heading, text = section.get("heading") or "", section.get("text")
        if not isinstance(heading, str) or not isinstance(text, str):
            raise ReadError(f'article {doc_id!r}: section {number} needs string "heading" and "text"')
        result.append(Section(heading, text))
    return tuple(result)
