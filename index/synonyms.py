"""Synonym groups kept with an index generation (synonyms.json), like its user dictionary.

The file a person writes has one group a line, its words separated by commas
(`인공지능, AI, 에이아이`); `#` starts a comment. Queries use them (chaja.search.synonyms).
"""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path

FILE = "synonyms.json"


def read(path: str | os.PathLike) -> tuple[tuple[str, ...], ...]:
    """Read a synonyms file; raise ValueError naming the line of a group with fewer than two words."""
    groups = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            words = tuple(dict.fromkeys(unicodedata.normalize("NFKC", w).strip() for w in line.split(",") if w.strip()))
            if len(words) < 2:
                raise ValueError(f"{path}:{lineno}: a synonym group needs two or more words separated by commas, "
                                 f"such as `인공지능, AI, 에이아이`")
            groups.append(words)
    return tuple(groups)


def write(build_dir: str | os.PathLike, groups: tuple[tuple[str, ...], ...]) -> None:
    """Keep the groups in a build folder (replacing a hard link an update made, never writing through it)."""
    folder = Path(build_dir)
    tmp = folder / f".{FILE}.tmp"
    tmp.write_text(json.dumps([list(g) for g in groups], ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, folder / FILE)


def load(generation_dir: str | os.PathLike) -> tuple[tuple[str, ...], ...]:
    """Return a generation's synonym groups (none when it was built without them)."""
    try:
        return tuple(tuple(g) for g in json.loads((Path(generation_dir) / FILE).read_text(encoding="utf-8")))
    except FileNotFoundError:
        return ()
