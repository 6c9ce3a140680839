"""The query path's faster computations give exactly what the straightforward ones give (issue 12, latency)."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from conftest import engine_over

from chaja.index import spans
from chaja.index.analysis import Morpheme
from chaja.search import correct, facets, jamo, scoring
from chaja.search.query import Marks

# -- keystrokes and edit distance (typo correction scans thousands of words a query) ---------------


def _keystrokes_one_by_one(text: str) -> str:
    """The definition: each syllable into its keys, each compound jamo into two, anything else lowercased."""
    out = []
    for ch in text:
        if jamo.is_syllable(ch):
            n = ord(ch) - 0xAC00
            medial, final = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"[n % 588 // 28], jamo._FINALS[n % 28]
            out.append(jamo.INITIALS[n // 588] + jamo._KEYS.get(medial, medial) + jamo._KEYS.get(final, final))
        else:
            out.append(jamo._KEYS.get(ch, ch.lower()))
    return "".join(out)


def test_keystrokes_of_every_syllable_and_jamo_are_the_definitions() -> None:
    every = [chr(c) for c in range(0xAC00, 0xD7A4)] + [chr(c) for c in range(0x3131, 0x318F)]
    assert [jamo.keystrokes(ch) for ch in every] == [_keystrokes_one_by_one(ch) for ch in every]
    assert jamo.keystrokes("괜찮아") == "ㄱㅗㅐㄴㅊㅏㄴㅎㅇㅏ"
    assert jamo.keystrokes("KBO 개막전 İstanbul") == "kbo ㄱㅐㅁㅏㄱㅈㅓㄴ i̇stanbul"
    # a capital sigma is lowercased one character at a time, as before: never as a word's final ς
    assert jamo.keystrokes("ΟΔΟΣ 한강") == "οδοσ ㅎㅏㄴㄱㅏㅇ" == _keystrokes_one_by_one("ΟΔΟΣ 한강")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="한강ΣΑaZ ㅘㄳ1.İ", max_size=12))
def test_keystrokes_of_mixed_text_are_the_definitions(text: str) -> None:
    assert jamo.keystrokes(text) == _keystrokes_one_by_one(text)


def _full_distance(a: str, b: str, limit: float) -> float:
    """Edit distance over the whole table (alike vowels cost 0.5), capped at limit."""
    table = [[0.0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        for j in range(len(b) + 1):
            if not i or not j:
                table[i][j] = i + j
                continue
            cost = 0 if a[i - 1] == b[j - 1] else 0.5 if (a[i - 1], b[j - 1]) in jamo._ALIKE else 1
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
    return min(table[-1][-1], limit)


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet="ㅐㅔㅒㅖㄱㄴㅏ", max_size=9), st.text(alphabet="ㅐㅔㅒㅖㄱㄴㅏ", max_size=9),
       st.sampled_from([0.5, 1, 2, 2.5, 3, 4]))
def test_distance_near_the_diagonal_is_the_full_edit_distance(a: str, b: str, limit: float) -> None:
    assert jamo.distance(a, b, limit) == _full_distance(a, b, limit)


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet="ㅐㅔㅒㅖㄱㄴㅏ", max_size=9), st.text(alphabet="ㅐㅔㅒㅖㄱㄴㅏ", max_size=9))
def test_plain_distance_of_folded_keys_never_exceeds_the_distance(a: str, b: str) -> None:
    # correction leaves out in C the words this lower bound already puts too far (search/correct._near)
    assert Levenshtein.distance(jamo.fold_alike(a), jamo.fold_alike(b)) <= _full_distance(a, b, 99)


def test_correction_finds_the_near_words_with_the_bound(engine) -> None:
    vocabulary = engine.vocabulary()
    assert vocabulary.entries(np.arange(len(vocabulary))) == [vocabulary.entry(e) for e in range(len(vocabulary))]
    words = [vocabulary.entry(e) for e in range(len(vocabulary)) if not vocabulary.kind[e]]
    for typo, meant in (("반도채", "반도체"), ("인공지눙", "인공지능"), ("기휴변화", "기후변화")):
        keys = jamo.keystrokes(typo)
        limit = 2 if len(keys) < 10 else 3  # as correct_word asks
        truly = {w for w in words if jamo.distance(keys, jamo.keystrokes(w), limit) < limit}
        near = {vocabulary.entry(e) for _, _, e in correct._near(vocabulary, keys, limit)}
        assert meant in near and near <= truly


def test_distance_of_real_typos() -> None:
    keys = jamo.keystrokes
    assert jamo.distance(keys("쿠알라룸프르"), keys("쿠알라룸푸르"), 3) == 1
    assert jamo.distance(keys("어느공항"), keys("국제공항"), 3) == 3  # too far: the limit
    assert jamo.distance(keys("베개"), keys("배게"), 2) == 1.0  # two alike vowels, half an edit each
    assert jamo.distance("", "ㄱㄴ", 3) == 2 and jamo.distance("ㄱㄴㄷ", "", 3) == 3


# -- marks: a field's stored records read once for all of a query's marks -------------------------


def _marked_from_morphemes(stored: list[Morpheme], marks: Marks) -> list[tuple[int, int]]:
    """What marked() must return, computed from the morphemes themselves."""
    position, positions, last = -1, [], None
    for m in stored:  # a morpheme starting where the one before starts is another reading of its position
        if m.start != last:
            position, last = position + 1, m.start
        positions.append(position)
    first: dict[tuple[str, int], tuple[int, int]] = {}
    for m, p in zip(stored, positions):
        first.setdefault((m.text, p), (m.start, m.end))

    def each(terms) -> list[tuple[int, int]]:
        return [(m.start, m.end) for m in stored if m.text in terms]

    def together(sequence) -> list[tuple[int, int]]:
        out = []
        for p in sorted({p for t, p in first if t == sequence[0]}):
            if all((t, p + k) in first for k, t in enumerate(sequence)):
                out += [first[(t, p + k)] for k, t in enumerate(sequence)]
        return out

    found = each(marks.anywhere)
    for phrase in marks.phrases:
        found += together(phrase)
    for word in marks.words:
        found += together(word) or each(word)
    return found


TERMS = ["인공", "지능", "산업", "1", "1만", "명", "ai"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(TERMS), st.booleans()), max_size=25),
       st.sets(st.sampled_from(TERMS + ["없는"])),
       st.lists(st.lists(st.sampled_from(TERMS + ["없는"]), min_size=2, max_size=3).map(tuple), max_size=2),
       st.lists(st.lists(st.sampled_from(TERMS), min_size=2, max_size=3).map(tuple), max_size=2))
def test_marked_is_what_the_morphemes_say(words, anywhere, phrases, groups) -> None:
    stored, at = [], 0
    for pos, (word, same_place) in enumerate(words):
        if same_place and stored:  # a longer reading where the last one starts ("1" and "1만")
            stored.append(Morpheme(word, stored[-1].pos, stored[-1].start, stored[-1].start + len(word)))
            continue
        stored.append(Morpheme(word, pos, at, at + len(word)))
        at += len(word) + 1
    marks = Marks(frozenset(anywhere), tuple(phrases), tuple(groups))
    assert spans.marked(spans.encode(stored), marks.anywhere, marks.phrases, marks.words) == \
        _marked_from_morphemes(stored, marks)


@pytest.fixture(scope="module")
def industry(tmp_path_factory):
    return engine_over(tmp_path_factory, "industry", [
        {"id": "ai-1", "title": "인공지능산업 육성", "date": "2025-03-02", "source": "연합",
         "sections": [{"heading": "", "text": "정부가 인공지능산업 육성법을 내놓았다. 인공 지능 연구와 산업 현장은 1만 명의 인력을 원한다."}]},
        {"id": "ai-2", "title": "반도체 산업", "date": "2024-11-30", "source": "한겨레",
         "sections": [{"heading": "수출", "text": "반도체 산업은 인공지능 수요로 수출이 늘었다."}]},
    ])


def test_a_word_is_marked_where_its_morphemes_stand_together_else_each_where_it_stands(industry) -> None:
    page = industry.search("인공지능산업")
    assert [(h.id, h.title_html, h.snippet_html) for h in page.hits] == [
        ("ai-1", "<mark>인공지능산업</mark> 육성",  # its three morphemes together
         "정부가 <mark>인공지능산업</mark> 육성법을 내놓았다. 인공 지능 연구와 산업 현장은 1만 명의 인력을 원한다."),
        ("ai-2", "반도체 <mark>산업</mark>",  # apart: each where it stands
         "반도체 <mark>산업</mark>은 <mark>인공지능</mark> 수요로 수출이 늘었다."),
    ]
    page = industry.search('"인공 지능"')  # a phrase: only where its words follow each other
    assert [(h.id, h.title_html, h.snippet_html) for h in page.hits][0] == (
        "ai-1", "<mark>인공지능</mark>산업 육성",
        "정부가 <mark>인공지능</mark>산업 육성법을 내놓았다. <mark>인공</mark> <mark>지능</mark> 연구와 산업 현장은 "
        "1만 명의 인력을 원한다.")
    assert industry.search("1만 명").hits[0].snippet_html == (
        "정부가 인공지능산업 육성법을 내놓았다. 인공 지능 연구와 산업 현장은 <mark>1만 명</mark>의 인력을 원한다.")


# -- scoring: all clauses' postings added at once --------------------------------------------------


def _matched_clause_by_clause(postings, clauses):
    """matched() as it was written first: each clause's postings added into the dense arrays in turn."""
    scores = np.zeros(postings.doc_count, dtype=np.float32)
    count = np.zeros(postings.doc_count, dtype=np.int16)
    share = np.zeros(postings.doc_count, dtype=np.float32)
    weights = [scoring.weight(postings, c) for c in clauses]
    total = sum(weights) or 1.0
    for clause, w in zip(clauses, weights):
        ids, s = scoring.clause_scores(postings, clause)
        scores[ids] += s
        count[ids] += 1
        share[ids] += w / total
    return scores, count, share


QUERIES = ["부산항 컨테이너 물동량", "인공지능 OR 반도체 수출", '"기준 금리"', "한국은행이 기준금리를 3.5%로 동결한 까닭은?",
           "누리호는 어디에서 발사되었나", "1만 명 관중", "title:부산 항구", "없는낱말 김장"]


@pytest.mark.parametrize("query", QUERIES)
def test_matched_adds_up_as_clause_by_clause(engine, query: str) -> None:
    gen = engine._current()
    parsed = engine._parse(gen, query)
    documents: dict = {}
    got = scoring.matched(gen.postings, parsed.clauses, documents)
    want = _matched_clause_by_clause(gen.postings, parsed.clauses)
    for a, b in zip(got, want):
        assert a.dtype == b.dtype
        assert a.tobytes() == b.tobytes()  # bit for bit, not approximately
    assert int(np.count_nonzero(got[1])) > 0 or query.startswith("없는낱말")
    carrying = parsed.carrying
    want = (_matched_clause_by_clause(gen.postings, carrying)[1] > 0).tolist()
    assert scoring.matches_any(gen.postings, carrying, documents).tolist() == want  # from the documents matched() read
    fresh = []  # without them (here on another thread) it reads the clauses' documents itself
    thread = threading.Thread(target=lambda: fresh.append(scoring.matches_any(gen.postings, carrying).tolist()))
    thread.start()
    thread.join()
    assert fresh == [want]


def test_matched_of_no_clauses_is_nothing(engine) -> None:
    gen = engine._current()
    scores, count, share = scoring.matched(gen.postings, [])
    assert (scores.any(), count.any(), share.any()) == (False, False, False)
    assert scoring.matches_any(gen.postings, []).any() == False  # noqa: E712


# -- facets from the articles the list holds -------------------------------------------------------


@pytest.mark.parametrize("query", ["인공지능", "산업", "반도체 수출", "-반도체 산업"])
def test_facets_from_the_listed_articles_are_those_counted_from_the_documents(industry, query: str) -> None:
    gen = industry._current()
    parsed = industry._parse(gen, query)
    allowed = industry._allowed(gen, parsed)
    _, count, _ = scoring.matched(gen.postings, parsed.clauses)
    docs = np.flatnonzero((count > 0) & allowed)
    matching = np.flatnonzero(count > 0)
    fast = facets.count(gen, parsed, matching, lambda p: industry._allowed(gen, p), facets.articles_of(gen, docs))
    assert fast == facets.count(gen, parsed, matching, lambda p: industry._allowed(gen, p))
    assert fast == industry.search(query).facets


def test_facets_of_a_filtered_search_leave_its_own_filter_out(industry) -> None:
    page = industry.search("산업", source="한겨레")
    assert [h.id for h in page.hits] == ["ai-2"]
    assert [(v.value, v.count) for v in page.facets["source"]] == [("연합", 1), ("한겨레", 1)]
    assert [(v.value, v.count) for v in page.facets["year"]] == [("2024", 1)]
    page = industry.search("산업", date_from="2025-01-01")
    assert [(v.value, v.count) for v in page.facets["source"]] == [("연합", 1)]
    assert [(v.value, v.count) for v in page.facets["year"]] == [("2024", 1), ("2025", 1)]
