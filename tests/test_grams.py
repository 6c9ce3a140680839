"""The character-bigram field: how Korean is read into letter pairs, the arrays on a real index, and what it ranks."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from chaja.index import arrays, grams, schema, store
from chaja.search import Engine
from chaja.search import grams as search_grams

from conftest import engine_over


def test_lengths_are_kept_as_lucenes_norms_keep_them() -> None:
    # SmallFloat.intToByte4 / byte4ToInt: exact below 24, then four significant bits
    assert grams.lucene_lengths(np.array([0, 5, 23, 24, 40, 207, 1000])).tolist() == [0, 5, 23, 24, 40, 200, 984]


def test_korean_is_read_as_overlapping_letter_pairs_and_lone_letters() -> None:
    # runs of Hangul or Hanja letters give their pairs; digits, Latin and punctuation only separate runs
    assert grams.tokens("진선규의 출신 대학은?") == ["진선", "선규", "규의", "출신", "대학", "학은"]
    assert grams.tokens("가 A 漢字 1만명 韓國어") == ["漢字", "만명", "韓國", "國어", "가"]
    assert grams.tokens("AI 2024, ...") == []
    assert all(grams.spelled(c) == t for c, t in zip(grams.codes("부산항 물동량"), grams.tokens("부산항 물동량")))


def test_the_arrays_hold_each_sections_bigrams_scored_by_bm25(corpus_index) -> None:
    gen = Engine(corpus_index)._current()
    folder = store.require(corpus_index).path / arrays.FOLDER
    codes, start = arrays.load(folder, "gram.codes"), arrays.load(folder, "gram.start")
    docs, scores = arrays.load(folder, "gram.docs"), arrays.load(folder, "gram.scores")
    n = gen.postings.doc_count
    read = []
    for d in range(n):
        f = gen.stored_fields(d)
        read.append(Counter(grams.codes(grams.section_text(f[schema.TITLE], f[schema.HEADING], f[schema.TEXT])).tolist()))
    df = Counter(c for counted in read for c in counted)
    assert codes.tolist() == sorted(df) and len(start) == len(codes) + 1
    lengths = grams.lucene_lengths(np.array([sum(c.values()) for c in read]))
    holding = sum(1 for c in read if c)  # Lucene's document count of the field: the sections holding a bigram
    average = max(1.0, sum(sum(c.values()) for c in read) / holding)
    manifest = gen.postings.manifest["gram"]
    assert manifest == {"k1": grams.K1, "b": grams.B, "average_length": average}
    for i, code in enumerate(codes.tolist()):
        held = docs[start[i] : start[i + 1]].tolist()
        assert held == sorted(d for d in range(n) if code in read[d])
        idf = np.log(1 + (holding - df[code] + 0.5) / (df[code] + 0.5))
        want = [idf * read[d][code] * (grams.K1 + 1)
                / (read[d][code] + grams.K1 * (1 - grams.B + grams.B * lengths[d] / average)) for d in held]
        assert scores[start[i] : start[i + 1]].tolist() == pytest.approx(want, rel=1e-5)


KAZAKH = [
    {"id": "kz", "title": "카자흐스탄", "sections": [
        {"heading": "개요", "text": "카자흐스탄은 중앙아시아의 내륙국이다. 수도는 아스타나이다."},
        {"heading": "역사", "text": "카자흐스탄은 1991년 소련에서 독립하였다."}]},
    {"id": "capital", "title": "수도", "sections": [
        {"heading": "", "text": "수도는 한 나라의 중앙 정부가 있는 도시이다. 수도의 위치는 나라마다 다르다."}]},
    {"id": "seoul", "title": "서울", "sections": [{"heading": "", "text": "서울은 대한민국의 수도이다. 수도권에 인구가 모인다."}]},
]


def test_a_misspelt_name_still_ranks_the_section_that_spells_it_first(tmp_path_factory, monkeypatch) -> None:
    engine = engine_over(tmp_path_factory, "grams", KAZAKH)
    question = "카자스흐탄의 수도는 어디인가?"  # two letters swapped: no morpheme of the name matches
    ranked = [(h.id, h.section.index) for h in engine.search(question, group="section").hits]
    assert ranked[0] == ("kz", 0)
    monkeypatch.setattr(search_grams, "WEIGHT", 0.0)  # without the bigrams the page ranks by 수도 alone
    without = [(h.id, h.section.index) for h in engine.search(question, group="section").hits]
    assert without[0] != ("kz", 0) and set(without) == set(ranked)  # the same list, in another order
