"""Read articles from JSON Lines, one article a line, the format of the shared corpora."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import replace

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
                                                  "re-save the file as UTF-8", lineno)
                continue
        elif lineno == 1:
            line = line.lstrip("\ufeff")
        if not line.strip():
            continue
        try:
            article = parse_record(line, path)
        except ReadError as error:
            yield Skipped(f"{path}:{lineno}", str(error), lineno)
            continue
        if article.notes:
            article = replace(article, notes=tuple(f"{path}:{lineno}: {note}" for note in article.notes))
        yield article


def parse_record(line: str, path: str | None = None) -> Article:
    """Return the Article in one JSON line; raise ReadError naming the field that is wrong."""
    line = line.rstrip("\r\n")  # with its newline, an error at the end of the line was "line 2, column 1"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        # columns count characters; the text there shows the place whatever an editor counts
        here = line[error.pos:error.pos + 20]
        raise ReadError(f"line is not valid JSON ({error.msg} at column {error.colno}"
                        + (f", before {here!r})" if here else ", the end of the line)")) from error
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
    notes = ()
    if date is not None and iso_date(date) is None:  # the article is still worth finding, only not by date
        notes = (f'article {doc_id.strip()!r}: "date" {date!r} is not a date; indexed without a date '
                 "(write it as YYYY-MM-DD)",)
    return Article(id=doc_id.strip(), title=" ".join(title.split()), sections=_sections(record, doc_id),
                   date=iso_date(date), source=record.get("source") or None, url=record.get("url") or None,
                   path=path, notes=notes)


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
