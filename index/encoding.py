"""Decode the bytes of an article file into text, whatever Korean encoding it uses."""

from __future__ import annotations

import codecs
import re
import unicodedata

import charset_normalizer

from chaja.index.errors import ReadError

# Declared names that mean EUC-KR; CP949 (Windows "UHC") is its superset, so decoding as CP949
# also reads the extra syllables that real "euc-kr" pages contain.
_CP949_ALIASES = {"euc-kr", "euc_kr", "euckr", "ks_c_5601-1987", "ks_c_5601", "ksc5601", "ksc_5601",
                  "korean", "cp949", "uhc", "windows-949", "x-windows-949", "ms949"}
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_SNIFF_BYTES = 4096
_BINARY_CONTROL_RATIO = 0.1
# Control bytes that plain text does use: tab, newline, form feed, carriage return, escape.
_TEXT_CONTROLS = {0x09, 0x0A, 0x0C, 0x0D, 0x1B}


def decode_bytes(data: bytes, *, html: bool = False) -> str:
    """Return ``data`` decoded and NFC-normalised; raise ReadError if it is not text."""
    if not data.strip():
        raise ReadError("file is empty; it holds no article text")
    text = _decode_bom(data)
    if text is None:
        _check_not_binary(data)
        text = _decode_declared(data) if html else None
    if text is None:
        text = _decode_strict(data, "utf-8")
    if text is None:
        text = _decode_detected(data)
    return unicodedata.normalize("NFC", text.lstrip("\ufeff"))


def declared_charset(data: bytes) -> str | None:
    """Return the codec named by an HTML ``<meta>`` charset in the first 4 KB, if any."""
    match = _META_CHARSET.search(data[:_SNIFF_BYTES])
    if match is None:
        return None
    name = match.group(1).decode("ascii").strip().lower()
    if name in _CP949_ALIASES:
        return "cp949"
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # A page whose bytes we can read as ASCII cannot really be UTF-16 (the HTML standard says so too).
    return "utf-8" if codec.startswith("utf-16") or codec.startswith("utf-32") else codec


def _decode_bom(data: bytes) -> str | None:
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            text = _decode_strict(data[len(bom):], codec)
            if text is None:
                raise ReadError(f"file starts with a {codec} byte-order mark but is not valid {codec}; "
                                "re-save it as UTF-8")
            return text
    return None


def _check_not_binary(data: bytes) -> None:
    head = data[:_SNIFF_BYTES * 2]
    if b"\x00" in head:
        raise ReadError("file is binary (it contains NUL bytes), not text or HTML; "
                        "remove it or give it the right extension")
    controls = sum(1 for b in head if b < 0x20 and b not in _TEXT_CONTROLS)
    if controls > len(head) * _BINARY_CONTROL_RATIO:
        raise ReadError("file is binary (full of control characters), not text or HTML; "
                        "remove it or give it the right extension")


def _decode_declared(data: bytes) -> str | None:
    codec = declared_charset(data)
    return None if codec is None else _decode_strict(data, codec)


def _decode_strict(data: bytes, codec: str) -> str | None:
    """Decode strictly; a file cut off inside its last character loses only that character."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        if error.end == len(data) and error.start >= len(data) - 3:
            try:
                return data[:error.start].decode(codec)
            except UnicodeDecodeError:
                return None
        return None


def _decode_detected(data: bytes) -> str:
    matches = charset_normalizer.from_bytes(data)
    names = [match.encoding for match in matches]
    # Korean is what chaja reads, so a CP949 reading that is mostly Hangul wins over a near tie.
    if {"cp949", "euc_kr"} & set(names):
        text = _decode_strict(data, "cp949")
        if text is not None and _mostly_hangul(text):
            return text
    best = matches.best()
    if best is None:
        raise ReadError("cannot tell the file's text encoding (it is neither UTF-8 nor CP949/EUC-KR); "
                        "re-save it as UTF-8")
    codec = "cp949" if best.encoding in ("euc_kr", "cp949") else best.encoding
    text = _decode_strict(data, codec)
    if text is None:
        raise ReadError(f"file looks like {codec} but does not decode as it; re-save it as UTF-8")
    return text


def _mostly_hangul(text: str) -> bool:
    wide = [ch for ch in text if ord(ch) > 0x7F]
    hangul = sum(1 for ch in wide if "\uac00" <= ch <= "\ud7a3" or "\u3131" <= ch <= "\u318e")
    return bool(wide) and hangul >= len(wide) / 2
