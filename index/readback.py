"""Read an index generation's analysed articles back from its stored fields and arrays, without Kiwi.

A generation keeps each section's morphemes twice: its stored spans (chaja.index.spans) hold every
morpheme's term and character span in the analyzer's order, and its search arrays
(chaja.index.arrays) hold every term's word positions per section. Neither alone is enough:
readings of one position share a span ("1", "1만"), but so do a Hanja word and each part of its
reading, which stand at consecutive positions. Together they are exact: a term's records in the
spans and its positions in the arrays were both written in the analyzer's order, so its k-th
record stands at its k-th position. What comes back is the write pipeline's own ``Analysed``,
so a loader writes exactly what a rebuild from the article files writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from . import arrays, schema, spans, store
from .analysis import Morpheme
from .article import Article, Section
from .opensearch_load import in_part
from .pipeline import Analysed, BuildError

BLOCK = 256  # articles read back together (one numpy pass over their sections' postings)
_morpheme = partial(tuple.__new__, Morpheme)


@dataclass(frozen=True)
class Opened:
    """An index generation opened to be read back: its Whoosh index, arrays folder and build information."""

    generation: store.Generation
    ix: object
    folder: Path
    manifest: dict

    @property
    def user_words(self) -> tuple[tuple[str, str], ...]:
        return tuple(tuple(w) for w in self.manifest["user_words"])


def open_index(path: str | Path) -> Opened:
    """Open the serving generation of the index folder at path; IndexUnavailable saying why it cannot be read."""
    root = Path(path)
    if not root.is_dir():
        raise store.IndexUnavailable(f"{root} is not a folder; give the folder of a chaja index (the --index DIR "
                                     "of `chaja index rebuild`)")
    gen = store.current(root)
    if gen is None:
        raise store.IndexUnavailable(f"{root} holds no chaja index (it has no CURRENT file); give the folder of an "
                                     "index built by `chaja index rebuild`")
    ix = gen.open()  # refuses a generation an older chaja wrote, without spans or arrays of this format
    folder = gen.path / arrays.FOLDER
    return Opened(gen, ix, folder, arrays.read_manifest(folder))


class _Positions:
    """One field's postings regrouped by section, so a run of sections reads its (term, position) rows at once."""

    def __init__(self, folder: Path, field: str, sections: int):
        self.start = arrays.load(folder, f"{field}.start")
        self.docs = arrays.load(folder, f"{field}.docs")
        self.tfs = arrays.load(folder, f"{field}.tfs")
        self.pos = arrays.load(folder, f"{field}.pos")
        # postings are laid out term by term; a stable sort by section keeps each section's terms ascending
        self.order = np.argsort(self.docs, kind="stable")
        self.section_start = np.zeros(sections + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.docs, minlength=sections), out=self.section_start[1:])
        self.first = np.zeros(len(self.tfs) + 1, dtype=np.int64)  # where each posting's positions start in pos
        np.cumsum(self.tfs, out=self.first[1:])

    def rows(self, sections: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (term, position) of every token of these sections and where each section's rows begin.

        A section's rows come by term, then position; bounds has len(sections) + 1 entries.
        """
        first, last = self.section_start[sections], self.section_start[sections + 1]
        chosen = self.order[_ranges(first, last)]
        tfs = np.asarray(self.tfs[chosen], dtype=np.int64)
        term = np.searchsorted(self.start, chosen, side="right") - 1
        tokens = np.zeros(len(chosen) + 1, dtype=np.int64)
        np.cumsum(tfs, out=tokens[1:])
        postings = np.zeros(len(sections) + 1, dtype=np.int64)
        np.cumsum(last - first, out=postings[1:])
        return np.repeat(term, tfs), np.asarray(self.pos[_ranges(self.first[chosen], self.first[chosen] + tfs)]), \
            tokens[postings]


def _ranges(first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Return the concatenation of range(first[i], last[i]) for every i."""
    lengths = last - first
    ends = np.cumsum(lengths)
    return np.repeat(first - (ends - lengths), lengths) + np.arange(int(ends[-1]) if len(ends) else 0)


def analysed_batches(opened: Opened, part: tuple[int, int] | None = None,
                     block: int = BLOCK) -> Iterator[list[Analysed]]:
    """Yield the generation's articles (those of part K of N, if given) with their morphemes, a block at a time.

    Articles come in the order they were written (their Whoosh documents' order): for an index
    rebuilt from files, the order a rebuild reads them, so OpenSearch breaks ties between equal
    scores alike.
    """
    folder = opened.folder
    ids = arrays.Strings.open(folder, "article_ids")
    article_start = np.asarray(arrays.load(folder, "article_start"))
    whoosh_doc = arrays.load(folder, "whoosh_doc")
    terms = arrays.Strings.open(folder, "terms")
    n = int(opened.manifest["sections"])
    fields = {f: _Positions(folder, f, n) for f in arrays.FIELDS}
    written = np.argsort(np.asarray(whoosh_doc)[article_start[:-1]], kind="stable")
    with opened.ix.reader() as reader:
        for at in range(0, len(written), block):
            wanted = [a for a in written[at : at + block].tolist() if in_part(ids[a], part)]
            if not wanted:
                continue
            counts = article_start[np.add(wanted, 1)] - article_start[wanted]
            sections = _ranges(article_start[wanted], article_start[wanted] + counts)
            rows = {f: p.rows(sections) for f, p in fields.items()}
            used = np.unique(np.concatenate([r[0] for r in rows.values()]))
            number = {terms[t]: t for t in used.tolist()}
            row_of = {s: i for i, s in enumerate(sections.tolist())}

            def field_of(section: int, stored: dict, field: str) -> list[Morpheme]:
                row_terms, row_pos, bounds = rows[field]
                lo, hi = bounds[row_of[section]], bounds[row_of[section] + 1]
                return _morphemes(stored, field, number, row_terms[lo:hi], row_pos[lo:hi], section)

            batch = []
            for a in wanted:
                first, last = int(article_start[a]), int(article_start[a + 1])
                stored = [reader.stored_fields(int(whoosh_doc[s])) for s in range(first, last)]
                head = stored[0]
                article = Article(
                    id=head[schema.ARTICLE], title=head[schema.TITLE],
                    sections=tuple(Section(s[schema.HEADING], s[schema.TEXT]) for s in stored),
                    date=head.get(schema.DATE), source=head.get(schema.SOURCE), url=head.get(schema.URL),
                    path=head.get(schema.PATH),
                )
                batch.append(Analysed(article, field_of(first, head, schema.TITLE),
                                      [(field_of(s, st, schema.HEADING), field_of(s, st, schema.TEXT))
                                       for s, st in zip(range(first, last), stored)]))
            yield batch


def _morphemes(stored: dict, field: str, number: dict[str, int], row_terms: np.ndarray, row_pos: np.ndarray,
               section: int) -> list[Morpheme]:
    """Return a field's morphemes: its stored records in order, each at the next position of its term."""
    names, data = stored[schema.SPANS][schema.SEARCHED.index(field)]
    records = np.frombuffer(data, dtype=np.int32).reshape(-1, 3)
    local = names.split(spans.SEPARATOR) if names else []
    try:
        terms = np.array([number[t] for t in local], dtype=np.int64)[records[:, 0]] if len(records) else records[:, 0]
    except KeyError as e:
        raise _disagree(stored, field, section, f"the term {e.args[0]!r} has no positions") from None
    by = np.argsort(terms, kind="stable")  # a term's records in order, as its positions are
    if not np.array_equal(terms[by], row_terms):
        raise _disagree(stored, field, section, f"{len(terms)} stored morphemes, {len(row_terms)} positions")
    positions = np.empty(len(terms), dtype=np.int64)
    positions[by] = row_pos
    texts = [local[t] for t in records[:, 0].tolist()]
    # tuple.__new__ makes the same Morphemes without the named constructor's Python call (a third of the read-back)
    return list(map(_morpheme, zip(texts, positions.tolist(), records[:, 1].tolist(), records[:, 2].tolist())))


def _disagree(stored: dict, field: str, section: int, what: str) -> BuildError:
    return BuildError(f"the index's stored spans and search arrays disagree in the {field} of "
                      f"{schema.section_id(stored[schema.ARTICLE], stored[schema.SECTION])} (section {section}: {what}); "
                      "rebuild that index from its article files")
