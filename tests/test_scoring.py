"""The scorer's pieces: ranking only the leaders, phrases on positions, marks, impacts written with the index."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chaja.index.builder import rebuild
from chaja.index import schema
from chaja.search import Engine, highlight, scoring


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 4), st.booleans()), min_size=1, max_size=60),
       st.integers(1, 12))
def test_ranking_the_leaders_gives_the_full_ranking_cut_at_the_limit(docs, limit):
    # scores from a handful of values, so ties at the cut are common
    scores = np.array([s for s, _, _ in docs], dtype=np.float32)
    article_of = np.array(sorted(a for _, a, _ in docs), dtype=np.int32)
    matching = np.flatnonzero([m for _, _, m in docs])
    full = scoring.rank_articles(scores, matching, article_of)
    assert scoring.rank_articles(scores, matching, article_of, limit).tolist() == full[:limit].tolist()
    sections = scoring.rank_sections(scores, matching, article_of)
    assert scoring.rank_sections(scores, matching, article_of, limit).tolist() == sections[:limit].tolist()
    assert scoring.count_articles(matching, article_of) == len(full)


def test_in_a_row():
    assert scoring._in_a_row([[3, 9], [4], [5, 11]])
    assert not scoring._in_a_row([[3], [5], [6]])
    assert scoring._in_a_row([[2, 7], [8], [2, 9]])  # a word repeated in the phrase
    assert not scoring._in_a_row([[], [1]])


@pytest.fixture(scope="module")
def harbour(tmp_path_factory):
    folder = tmp_path_factory.mktemp("harbour")
    (folder / "a.txt").write_text("항구 소식\n\n부산 항구에서 새 배가 떠났다.\n", encoding="utf-8")
    (folder / "b.txt").write_text("시장 소식\n\n항구 근처의 부산 시장이 붐볐다.\n", encoding="utf-8")
    (folder / "c.txt").write_text("오늘의 부산\n\n항구가 붐볐다.\n", encoding="utf-8")
    rebuild([folder], folder / "ix")
    return Engine(folder / "ix")


def test_a_phrase_needs_its_words_next_to_each_other_in_one_field(harbour):
    assert sorted(h.id for h in harbour.search("부산 항구").hits) == ["a", "b", "c"]
    page = harbour.search('"부산 항구"')
    assert [h.id for h in page.hits] == ["a"]  # not b (apart), not c (title word, then text word)
    assert page.hits[0].snippet_html == "<mark>부산</mark> <mark>항구</mark>에서 새 배가 떠났다."
    assert harbour.search('"항구 부산"').total == 0


def test_the_impacts_written_with_the_index_are_the_scores_computed_at_query_time(corpus_index):
    gen = Engine(corpus_index)._current()
    terms = gen.postings.terms.all()
    assert len(terms) > 2_000
    for term in terms:
        ids, scores = gen.postings.impacts(term)
        want_ids, want_scores = scoring.computed_impacts(gen.postings, term, schema.SEARCHED)
        assert ids.tolist() == want_ids.tolist()
        assert scores.tolist() == want_scores.tolist()
    assert [a.tolist() for a in gen.postings.impacts("없는낱말")] == [[], []]
    assert [a.tolist() for a in scoring.computed_impacts(gen.postings, "없는낱말", schema.SEARCHED)] == [[], []]


def test_other_field_weights_are_scored_at_query_time(corpus_index, monkeypatch):
    engine = Engine(corpus_index)
    same = [[(h.id, h.score) for h in engine.search(q).hits] for q in ("인공지능 산업", "반도체 수출")]
    monkeypatch.setitem(scoring.WEIGHTS, "title", 2.0)
    assert [[(h.id, h.score) for h in engine.search(q).hits] for q in ("인공지능 산업", "반도체 수출")] != same
    monkeypatch.setitem(scoring.WEIGHTS, "title", 1.0)
    assert [[(h.id, h.score) for h in engine.search(q).hits] for q in ("인공지능 산업", "반도체 수출")] == same


def _marked_by_characters(text: str, spans, start: int, end: int) -> str:
    """An oracle for mark(): wrap each maximal run of characters that some span covers."""
    from html import escape
    out, i = [], start
    while i < end:
        inside = any(s <= i < e for s, e in spans)
        j = i
        while j < end and any(s <= j < e for s, e in spans) == inside:
            j += 1
        piece = escape(text[i:j], quote=False)
        out.append(f"<mark>{piece}</mark>" if inside else piece)
        i = j
    return "".join(out)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="가나 <&>a\n", min_size=1, max_size=60), st.data())
def test_marks_wrap_exactly_the_covered_characters(text, data):
    n = len(text)
    spans = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(1, 5)), max_size=12))
    spans = [(s, min(n, s + length)) for s, length in spans]
    start = data.draw(st.integers(0, n))
    end = data.draw(st.integers(start, n))
    assert highlight.mark(text, spans, start, end) == _marked_by_characters(text, spans, start, end)


def test_each_field_is_normalised_for_length_with_its_own_b():
    from chaja.index import arrays_write

    assert (arrays_write.field_b("text"), arrays_write.field_b("title"), arrays_write.field_b("heading")) == (0.9, 1.0, 0.75)
    got = arrays_write.term_scores("text", np.array([1]), 10, np.array([2], np.int32), np.array([50.0], np.float32),
                                   100.0, np.array([0]))
    idf = np.log(1 + (10 - 1 + 0.5) / (1 + 0.5))
    assert got.tolist() == pytest.approx([idf * 2 * 2.6 / (2 + 1.6 * (1 - 0.9 + 0.9 * 50 / 100))], rel=1e-6)
    assert round(float(got[0]), 4) == 3.5974  # idf 1.9924 x 5.2 / 2.88


def test_the_manifest_records_b_per_field_and_an_older_index_keeps_its_own_impacts(corpus_index, monkeypatch):
    postings = Engine(corpus_index)._current().postings
    assert postings.impact_settings() == (1.6, 0.75, {"title": 1.0, "text": 0.9},
                                          {"title": 1.0, "heading": 0.7, "text": 1.0})
    assert scoring._as_indexed(postings)
    # an index written before b per field: its impacts serve (quickly) until it is rebuilt
    monkeypatch.setattr(postings, "manifest", {**postings.manifest, "field_b": None})
    assert scoring._as_indexed(postings)
    monkeypatch.setitem(scoring.FIELD_B, "text", 0.5)  # a benchmark asking for another b: computed per query
    assert not scoring._as_indexed(postings)
