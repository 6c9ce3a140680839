"""Find article files under the given paths and read each with the reader for its type."""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from chaja.index.article import Article, Skipped
from chaja.index.encoding import decode_bytes
from chaja.index.errors import ReadError
from chaja.index.read_html import read_html
from chaja.index.read_jsonl import read_jsonl
from chaja.index.read_text import read_text

__all__ = ["ReadError", "read_paths", "read_file", "article_kind", "MAX_FILE_BYTES"]

MAX_FILE_BYTES = 20 * 1024 * 1024  # an HTML or text article bigger than this is not an article
_KINDS = {".html": "html", ".htm": "html", ".txt": "text", ".jsonl": "jsonl", ".jsonl.gz": "jsonl"}
_KNOWN = ", ".join(_KINDS)


def article_kind(path: Path) -> str | None:
    """Return "html", "text" or "jsonl" for a file chaja can read, None for any other file."""
    name = path.name.lower()
    return next((kind for suffix, kind in _KINDS.items() if name.endswith(suffix)), None)


def read_paths(paths: Iterable[str | Path], root: Path | Iterable[Path] | None = None) -> Iterator[Article | Skipped]:
    """Yield the articles in files and folders (walked in sorted order), and a Skipped for each bad file.

    HTML and text articles get the id of their path relative to ``root`` (when the file is under it;
    with several roots, the first one it is under), else to the folder that was given, else their
    file name; the extension is dropped. Ids are not checked for repeats here: the index builder
    does that across everything it reads. Symbolic links inside a given folder that lead out of it
    are skipped with a reason, so a folder never makes chaja read files it does not contain.
    """
    roots = [root] if isinstance(root, (str, Path)) else list(root or ())
    roots = [Path(r) for r in roots]
    for given in paths:
        given = Path(given)
        if given.is_dir():
            files, errors, outside = _walk(given)
            base = given
            for error in errors:
                yield Skipped(str(error.filename or given), f"cannot list the folder ({error.strerror or error}); "
                                                            "check that you may read it")
            for link in outside:
                yield Skipped(str(link), f"symbolic link to {os.path.realpath(link)}, outside {given}; chaja reads "
                                         "only files inside the folders it is given — pass that file or folder itself")
        elif given.is_file():
            files, base = [given], given.parent
        else:
            yield Skipped(str(given), "no such file or folder; check the path")
            continue
        for path in files:
            relative_to = next((r for r in roots if path.is_relative_to(r)), base)
            yield from _read(path, _doc_id(path, relative_to))


def read_file(path: str | Path, doc_id: str | None = None) -> list[Article | Skipped]:
    """Return everything in one file (its articles, or Skipped entries for what could not be read)."""
    path = Path(path)
    return list(_read(path, doc_id or _doc_id(path, path.parent)))


def _walk(folder: Path) -> tuple[list[Path], list[OSError], list[Path]]:
    """Return the article files under ``folder`` (hidden ones left out), the folders that failed,
    and the symbolic links (to article files or folders) that lead outside ``folder``."""
    found: list[Path] = []
    errors: list[OSError] = []
    outside: list[Path] = []
    real = os.path.realpath(folder)

    def escapes(path: Path) -> bool:
        target = os.path.realpath(path)
        return target != real and not target.startswith(real.rstrip(os.sep) + os.sep)

    # os.walk does not follow linked folders; one that leads outside is reported, not silently left out
    for directory, subdirs, names in os.walk(folder, onerror=errors.append):
        subdirs[:] = [name for name in subdirs if not name.startswith(".")]
        outside.extend(Path(directory, name) for name in subdirs
                       if os.path.islink(Path(directory, name)) and escapes(Path(directory, name)))
        for name in names:
            path = Path(directory, name)
            if name.startswith(".") or article_kind(path) is None:
                continue
            (outside if os.path.islink(path) and escapes(path) else found).append(path)
    key = lambda path: path.relative_to(folder).parts  # noqa: E731
    return sorted(found, key=key), errors, sorted(outside, key=key)


def _doc_id(path: Path, base: Path) -> str:
    relative = path.relative_to(base)
    name = relative.name
    suffix = next((s for s in _KINDS if name.lower().endswith(s)), "")
    return relative.with_name(name[:len(name) - len(suffix)] if suffix else relative.stem).as_posix()


def _read(path: Path, doc_id: str) -> Iterator[Article | Skipped]:
    kind = article_kind(path)
    if kind is None:
        yield Skipped(str(path), f"unknown file type; chaja reads {_KNOWN} files")
    elif kind == "jsonl":
        yield from _read_jsonl(path)
    else:
        try:
            yield _read_single(path, kind, doc_id)
        except ReadError as error:
            yield Skipped(str(path), str(error))
        except OSError as error:
            yield Skipped(str(path), f"cannot read the file ({error.strerror or error}); check that it exists "
                                     "and that you may read it")


def _read_single(path: Path, kind: str, doc_id: str) -> Article:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ReadError(f"file is {size / 2**20:.1f} MB, over the {MAX_FILE_BYTES // 2**20} MB limit for one "
                        "article; split it or convert it to .jsonl")
    data = path.read_bytes()
    if kind == "html":
        return read_html(data, str(path), doc_id=doc_id)
    return read_text(decode_bytes(data), str(path), doc_id=doc_id)


def _gunzip_lines(handle, chunk: int = 1 << 16) -> Iterator[bytes]:
    """Yield the lines of a gzip stream (members one after another) as they are decompressed.

    gzip.GzipFile decompresses ahead of the lines it hands out, so damage was found before the
    lines in front of it were read; here every whole line before the damage comes out first.
    """
    inflate = zlib.decompressobj(wbits=31)
    pending = b""
    started = False
    while data := handle.read(chunk):
        if not started and not data.startswith(b"\x1f\x8b"):
            raise zlib.error("not gzip data: the file does not begin with the gzip signature 1f 8b")
        started = True
        while data:
            pending += inflate.decompress(data)
            *lines, pending = pending.split(b"\n")
            yield from (line + b"\n" for line in lines)
            data = inflate.unused_data if inflate.eof else b""
            if data:  # another gzip member follows
                inflate = zlib.decompressobj(wbits=31)
    if started and not inflate.eof:
        raise EOFError("the compressed stream ends before its end marker")
    if pending:
        yield pending


def _read_jsonl(path: Path) -> Iterator[Article | Skipped]:
    """Stream a .jsonl or .jsonl.gz file line by line; a broken gzip stream ends it with a Skipped."""
    lines_read = 0
    items = 0

    def counted(lines: Iterable[bytes]) -> Iterator[bytes]:
        nonlocal lines_read
        for line in lines:
            lines_read += 1
            yield line

    try:
        with open(path, "rb") as handle:
            lines = _gunzip_lines(handle) if path.name.lower().endswith(".gz") else handle
            for item in read_jsonl(counted(lines), str(path)):
                items += 1
                yield item
        if items == 0:
            yield Skipped(str(path), "file is empty; it holds no articles (one JSON object a line)")
    except (EOFError, zlib.error) as error:
        where = f"after line {lines_read:,}; the articles before it were read" if lines_read else "before its first line"
        yield Skipped(str(path), f"compressed data is cut off or damaged {where} ({error}); "
                                 "re-create or re-download the file")
    except OSError as error:
        yield Skipped(str(path), f"cannot read the file ({error.strerror or error}); check that it exists "
                                 "and that you may read it")
