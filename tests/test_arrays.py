"""The search arrays: read back equal to an independent analysis, an update writes what a rebuild writes, old indexes refused."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from chaja.index import arrays, arrays_write, grams, schema, store
from chaja.index.builder import rebuild
from chaja.index.readers import read_paths
from chaja.index.update import update
from chaja.index.wordcache import morphemes_by_word
from chaja.search import Engine
from chaja.web.cli import main
from whoosh.util.numeric import byte_to_length, length_to_byte

from conftest import CORPUS, write_jsonl


def expected_postings(folder: Path) -> tuple[list[tuple[str, int]], dict]:
    """Return the sections (article id, index) in number order and, per field and term, {section: positions}.

    Each text read word by word, as the default rebuild reads it (chaja.index.wordcache).
    """
    articles = sorted((a for a in read_paths([folder]) if hasattr(a, "sections")), key=lambda a: a.id)
    sections, postings = [], defaultdict(lambda: defaultdict(dict))
    for a in articles:
        for i, sec in enumerate(a.sections):
            number = len(sections)
            sections.append((a.id, i))
            for field, text in ((schema.TITLE, a.title), (schema.HEADING, sec.heading), (schema.TEXT, sec.text)):
                for m in morphemes_by_word([text])[0]:
                    postings[field][m.text].setdefault(number, []).append(m.pos)
    return sections, postings


def test_the_arrays_hold_the_postings_and_positions_of_every_analysed_section(corpus_index) -> None:
    gen = Engine(corpus_index)._current()
    p = gen.postings
    sections, want = expected_postings(CORPUS)
    assert p.doc_count == len(sections) == 135
    assert set(p.terms.all()) == set(want[schema.TITLE]) | set(want[schema.HEADING]) | set(want[schema.TEXT])
    for field in schema.SEARCHED:
        for term, where in want[field].items():
            ids, tfs = p.get(field, term)
            assert ids.tolist() == sorted(where)
            assert tfs.tolist() == [len(where[d]) for d in sorted(where)]
            assert p.positions(field, term, np.array(sorted(where))) == where
        lengths = [sum(len(w.get(s, ())) for w in want[field].values()) for s in range(len(sections))]
        assert p.lengths(field).tolist() == [byte_to_length(length_to_byte(n)) for n in lengths]
        assert p.average_length(field) == max(1.0, sum(lengths) / len(sections))
    assert p.get(schema.TEXT, "없는낱말")[0].tolist() == []
    assert list(gen.article_ids) == sorted({a for a, _ in sections})
    assert [gen.article_ids[a] for a in gen.article_of.tolist()] == [a for a, _ in sections]
    for number, (article_id, index) in enumerate(sections):
        stored = gen.stored_fields(number)
        assert (stored[schema.ID], stored.get(schema.DATE) or "") == (schema.section_id(article_id, index),
                                                                      str(gen.dates[number]))
    assert p.get(schema.SOURCE, "연합뉴스")[0].tolist() == []  # the corpus's sources are its own
    source = gen.stored_fields(0)[schema.SOURCE]
    assert p.get(schema.SOURCE, source.lower())[0].tolist() == [
        s for s in range(len(sections)) if gen.stored_fields(s).get(schema.SOURCE) == source]


ARTICLES = [
    {"id": "port", "title": "부산항 물동량 역대 최대", "source": "연합뉴스", "date": "2024-01-05",
     "sections": [{"heading": "", "text": "부산항의 컨테이너 물동량이 역대 최대를 기록했다."},
                  {"heading": "신항", "text": "신항에 새 부두가 문을 열었다. 부산항 신항은 자동화 항만이다."}]},
    {"id": "airport", "title": "인천공항 이용객 회복", "source": "한겨레", "date": "2024-02-10",
     "sections": [{"heading": "", "text": "인천공항 국제선 이용객이 코로나 이전 수준을 회복했다."}]},
    {"id": "tangerine", "title": "제주 감귤 수확", "source": "제주일보",
     "sections": [{"heading": "", "text": "서귀포 과수원에서 노지 감귤 수확이 시작되었다."},
                  {"heading": "가격", "text": "감귤 가격이 조금 오를 것으로 보인다."}]},
]


def arrays_of(index: Path) -> dict[str, object]:
    """Return every array (but the Whoosh document numbers) and the manifest of the serving generation."""
    folder = store.require(index).path / arrays.FOLDER
    out: dict[str, object] = {p.stem: np.load(p) for p in sorted(folder.glob("*.npy")) if p.stem != "whoosh_doc"}
    out["manifest"] = json.loads((folder / arrays.MANIFEST).read_text(encoding="utf-8"))
    return out


def assert_same(a: dict, b: dict) -> None:
    assert sorted(a) == sorted(b)
    for name in a:
        if name == "manifest":
            assert a[name] == b[name]
        else:
            assert (name, a[name].dtype, a[name].tolist()) == (name, b[name].dtype, b[name].tolist())


@pytest.mark.parametrize("chunk", [None, (20, 7)], ids=["one-range", "twenty-tokens-a-range"])
def test_an_updated_generation_holds_exactly_the_arrays_a_rebuild_of_the_same_files_writes(
        tmp_path, monkeypatch, chunk) -> None:
    if chunk:  # the update's collector holds two parts (kept and new), scanned 7 tokens a block
        monkeypatch.setattr(arrays_write, "CHUNK", chunk[0])
        monkeypatch.setattr(arrays_write, "BLOCK", chunk[1])
    files = tmp_path / "articles"
    write_jsonl(files / "a.jsonl", ARTICLES[:2])
    write_jsonl(files / "b.jsonl", ARTICLES[2:])
    (files / "c.txt").write_text("오늘의 항구\n\n부산 항구가 붐볐다.\n", encoding="utf-8")
    updated = tmp_path / "updated"
    rebuild([files], updated)
    changed = [{**ARTICLES[0], "sections": ARTICLES[0]["sections"][:1]}, ARTICLES[1],
               {"id": "marathon", "title": "마라톤 훈련", "sections": [{"heading": "", "text": "부산에서 마라톤 훈련을 했다."}]}]
    write_jsonl(files / "a.jsonl", changed)
    (files / "b.jsonl").unlink()
    report = update([files], updated)
    assert (sorted(report.added), report.changed, report.removed, report.unchanged) == (
        ["marathon"], ["port"], ["tangerine"], 2)
    rebuilt = tmp_path / "rebuilt"
    rebuild([files], rebuilt)
    assert_same(arrays_of(updated), arrays_of(rebuilt))
    one, other = Engine(updated)._current(), Engine(rebuilt)._current()
    n = one.postings.doc_count
    assert n == 4
    assert [one.stored_fields(s) for s in range(n)] == [other.stored_fields(s) for s in range(n)]
    for q in ("부산항", "감귤", "마라톤 훈련", '"부산 항구"', "항구 -마라톤"):
        assert ([(h.id, h.section.index, h.score) for h in Engine(updated).search(q).hits]
                == [(h.id, h.section.index, h.score) for h in Engine(rebuilt).search(q).hits])


def test_arrays_written_a_few_terms_at_a_time_are_the_files_of_one_sort_of_every_token(
        tmp_path, monkeypatch, corpus_index) -> None:
    whole = store.require(corpus_index).path / arrays.FOLDER
    tokens = sum(len(arrays.load(whole, f"{f}.pos")) for f in schema.SEARCHED)
    assert len(arrays_write._ranges(np.ones(tokens, dtype=np.int64), arrays_write.CHUNK)) == 1  # one sort
    monkeypatch.setattr(arrays_write, "CHUNK", 100)
    monkeypatch.setattr(arrays_write, "BLOCK", 70)
    monkeypatch.setattr(grams, "CHUNK", 300)  # the bigrams too: a few first letters a range
    postings = len(arrays.load(whole, "gram.docs"))
    assert postings > 3_000 and len(arrays.load(whole, "gram.codes")) > 1_000
    assert tokens > 7_000 and len(arrays_write._ranges(np.ones(tokens, dtype=np.int64), 100)) == -(-tokens // 100)
    rebuild([CORPUS], tmp_path / "chunked")
    chunked = store.require(tmp_path / "chunked").path / arrays.FOLDER
    names = sorted(p.name for p in whole.glob("*.npy"))
    assert names == sorted(p.name for p in chunked.glob("*.npy")) and {"impact.scores.npy", "gram.scores.npy"} <= set(names)
    assert [n for n in names if (whole / n).read_bytes() != (chunked / n).read_bytes()] == []


def test_an_index_without_search_arrays_is_refused_with_how_to_rebuild_it(tmp_path) -> None:
    files = tmp_path / "articles"
    write_jsonl(files / "a.jsonl", ARTICLES)
    index = tmp_path / "index"
    rebuild([files], index)
    gen = store.require(index)
    manifest = gen.path / arrays.FOLDER / arrays.MANIFEST
    manifest.write_text(manifest.read_text().replace(f'"format": {arrays.FORMAT}', '"format": 0'))
    message = (f"the index in {index} was built by an older chaja, without the search arrays of format "
               f"{arrays.FORMAT} (search arrays of format 0 in {gen.path}, this chaja reads format {arrays.FORMAT}); "
               "rebuild it with `chaja index rebuild`")
    with pytest.raises(store.IndexUnavailable) as refused:
        Engine(index).search("부산항")
    assert str(refused.value) == message
    shutil.rmtree(gen.path / arrays.FOLDER)  # as an index written before the arrays existed
    message = (f"Error: the index in {index} was built by an older chaja, without the search arrays of format "
               f"{arrays.FORMAT} (no search arrays in {gen.path}); rebuild it with `chaja index rebuild`\n")
    for args, code in ((("search", "부산항"), 2), (("index", "update", str(files)), 1)):
        result = CliRunner().invoke(main, [*args, "--index", str(index)])
        assert (result.exit_code, result.stderr) == (code, message)
    rebuild([files], index)
    assert [h.id for h in Engine(index).search("부산항").hits] == ["port"]
