"""Search over the bundled corpus: ranking, query language, relaxation, paging, snippets, bad input."""

from __future__ import annotations

import re

import pytest

from chaja.search import QueryError
from chaja.search.query import parse


def ids(page):
    return [h.id for h in page.hits]


def marked(html):
    return re.findall(r"<mark>(.*?)</mark>", html)


# -- Korean matching -----------------------------------------------------------------------------

@pytest.mark.parametrize("q", ["협력", "협력을", "협력의", "협력하였다"])
def test_particles_and_endings_do_not_decide_a_match(engine, q):
    page = engine.search(q)
    assert ids(page) == ["news/daejeon-quantum-computer", "archive-003", "news/gwangju-ai-cluster",
                         "news/busan-port-lng-bunkering"]
    assert page.total == 4 and not page.relaxed


@pytest.mark.parametrize("q", ["인공지능 산업", "인공지능산업"])
def test_spacing_variants_of_a_compound_match_each_other(engine, q):
    page = engine.search(q)
    # two words go on with articles that have only one of them; one compound word has no partial matches
    assert page.partial_from == (2 if " " in q else None)
    assert ids(page)[:page.partial_from] == ["news/gwangju-ai-cluster", "news/private-5g-networks"]
    assert page.hits[1].section.index == 3
    assert "<mark>인공지능산업</mark>" in page.hits[1].snippet_html


def test_part_of_a_compound_finds_the_compound(engine):
    page = engine.search("의원")
    assert ids(page) == ["news/jeju-foreign-tourists", "news/hanji-unesco-bid"]
    assert "국회<mark>의원</mark>들도" in page.hits[0].snippet_html


def test_hanja_units_and_latin_case(engine):
    hanja = engine.search("韓國", size=20)  # also finds its reading 한국 (tests/test_hanja.py)
    assert "news/semiconductor-exports-record" in ids(hanja)
    assert hanja.total == engine.search("한국").total == 15
    assert ids(engine.search("esg")) == ids(engine.search("ESG")) == ["archive-002"]
    km = engine.search("42.195km")
    assert ids(km) == ["blog/first-marathon-16-weeks"]
    assert "<mark>42.195㎞</mark>" in km.hits[0].snippet_html


def test_boilerplate_words_are_not_indexed(engine):
    for word in ("로또", "열애설", "무단전재", "개인정보처리방침", "레고랜드"):
        assert engine.search(word).total == 0, word


# -- query language -----------------------------------------------------------------------------


def test_words_typed_together_are_analysed_together():
    # The index analyses whole sentences, where Kiwi reads "마리 앙투아네트" as one name; alone,
    # "마리" is a counter and "앙투아네트가" another noun.
    assert [c.terms for c in parse("마리 앙투아네트가 태어난 나라는?").clauses] == [
        ("마리 앙투아네트",), ("태어나",), ("나라",)]
    (either,) = parse("가로수 OR 꿀벌").clauses  # operators still stand between the words
    assert [[c.terms for c in alternative] for alternative in either.any_of] == [[("가로", "수")], [("꿀벌",)]]


def test_a_word_split_into_nouns_also_matches_as_one_noun():
    # An unknown name is split by context: 강 + 완구 in this question, 강완구 in an article.
    first = parse("강완구가 태어난 지역은?").clauses[0]
    assert [[c.terms for c in alternative] for alternative in first.any_of] == [[("강", "완구")], [("강완구",)]]
    assert parse("인공지능산업").clauses[0].terms == ("인공", "지능", "산업")  # the same either way: no OR

def test_every_word_must_match_by_default(engine):
    page = engine.search("부산항 LNG")
    assert ids(page) == ["news/busan-port-lng-bunkering"]
    assert page.hits[0].title_html.startswith("<mark>부산항</mark>, 국내 첫 <mark>LNG</mark> 벙커링")


def test_phrase_uses_morpheme_positions(engine):
    assert ids(engine.search('"인공지능 산업"')) == ["news/gwangju-ai-cluster", "news/private-5g-networks"]
    assert engine.search('"산업 인공지능"').total == 0
    # "국회 의원" spaced in one article, "국회의원들도" in another: the phrase finds both
    assert ids(engine.search('"국회 의원"')) == ["news/hanji-unesco-bid", "news/jeju-foreign-tourists"]


def test_minus_excludes_whole_articles(engine):
    assert ids(engine.search("협력 -양자")) == ["archive-003", "news/gwangju-ai-cluster", "news/busan-port-lng-bunkering"]


def test_or_between_words(engine):
    assert ids(engine.search("가로수 OR 꿀벌")) == ["blog/street-trees-urban-heat", "archive-006"]


def test_title_source_and_date_filters(engine):
    assert ids(engine.search("title:김장")) == ["archive-007"]
    assert ids(engine.search("source:문화누리")) == ["archive-007", "news/hanji-unesco-bid"]
    assert ids(engine.search("환율 date:2024-12-01..2024-12-31")) == ["news/won-dollar-exchange-rate"]
    assert engine.search("환율 date:..2024-01-01").total == 0
    assert ids(engine.search("금리 date:2025-01-01..")) == ["archive-005"]
    assert ids(engine.search("금리", source="한빛일보")) == ["news/bok-base-rate-freeze", "news/won-dollar-exchange-rate"]
    assert ids(engine.search("금리", date_from="2024-09-01", date_to="2024-12-31")) == ["news/won-dollar-exchange-rate"]


def test_a_bad_date_in_the_query_is_ignored_with_a_message(engine):
    page = engine.search("date:2025-13-45 환율")
    assert ids(page) == ["news/won-dollar-exchange-rate"]
    assert page.notice == "날짜 조건 '2025-13-45'을(를) 알 수 없어 무시했습니다. date:2025-01-01..2025-06-30처럼 쓰세요."


def test_sort_by_date_newest_first(engine):
    page = engine.search("인공지능", sort="date")
    assert ids(page) == ["archive-003", "news/private-5g-networks", "news/gwangju-ai-cluster",
                         "blog/small-company-cloud-migration"]
    assert [h.date for h in page.hits] == ["2026-02-11", "2026-01-20", "2024-05-14", None]


def test_relaxed_when_not_every_word_matches(engine):
    # 잠수함: in no article (우주선 is: 우주 + 선, as the rocket blog reads word by word, tests/test_wordcache.py)
    page = engine.search("김장 배추 잠수함")
    assert page.relaxed
    assert ids(page) == ["archive-007"]
    partial = engine.search("김장 잠수함 양궁 벙커링")  # no article has two of these
    assert partial.relaxed
    assert sorted(ids(partial)) == ["archive-001", "archive-007", "news/busan-port-lng-bunkering"]
    assert engine.search("잠수함 블랙홀").total == 0


def test_pagination_totals_and_pages(engine):
    first = engine.search("있", size=3)
    assert first.total > 6
    second = engine.search("있", size=3, page=2)
    assert (second.total, second.page, second.pages) == (first.total, 2, -(-first.total // 3))
    assert not set(ids(first)) & set(ids(second))
    everything = engine.search("있", size=100)
    assert ids(everything)[:6] == ids(first) + ids(second)
    assert len(everything.hits) == first.total


def test_ties_are_broken_the_same_way_every_time(engine):
    assert ids(engine.search("source:테크온")) == ["archive-003", "news/private-5g-networks"]
    assert [ids(engine.search("있", size=20)) for _ in range(3)].count(ids(engine.search("있", size=20))) == 3


def test_keyboard_layout_suggestion(engine):
    page = engine.search("rlawkd", correct=False)  # 김장 typed on an English layout
    assert page.total == 0 and page.suggestion == "김장"
    assert engine.search("from").suggestion is None


# -- snippets and marks --------------------------------------------------------------------------

def test_marks_wrap_exactly_the_morpheme_surface(engine):
    page = engine.search("협력")
    assert marked(page.hits[0].snippet_html) == ["협력"]
    assert "<mark>협력</mark>을 통해" in page.hits[0].snippet_html
    eat = engine.search("먹다")
    assert "사 <mark>먹</mark>는다는" in eat.hits[0].snippet_html


def test_snippet_length_and_ellipsis(engine):
    for q in ("반도체", "가로수", "큐비트", "김장"):
        for hit in engine.search(q).hits:
            text = re.sub(r"</?mark>", "", hit.snippet_html)
            assert 40 <= len(text) <= 300, (q, len(text))
            assert marked(hit.snippet_html) or hit.title_html.count("<mark>")


def test_article_view_marks_every_section(engine):
    view = engine.article("archive-007", "김장")
    assert view.title_html.count("<mark>김장</mark>") == 2
    assert [s.index for s in view.sections] == list(range(len(view.sections)))
    assert sum(s.text_html.count("<mark>김장</mark>") for s in view.sections) >= 5
    assert engine.article("no/such/article") is None


# -- anything a person can type ------------------------------------------------------------------

@pytest.mark.parametrize("q, message", [
    ("", "검색어를 입력하세요."),
    ("   ", "검색어를 입력하세요."),
    ("은 는 이 가", "검색할 수 있는 낱말이 없습니다. 조사나 기호만으로는 검색할 수 없습니다."),
    ("?!…“”", "검색할 수 있는 낱말이 없습니다. 조사나 기호만으로는 검색할 수 없습니다."),
    ("-김장", "제외할 낱말만으로는 검색할 수 없습니다. 찾을 낱말을 함께 입력하세요."),
])
def test_unusable_queries_get_a_message(engine, q, message):
    page = engine.search(q)
    assert (page.total, page.hits, page.message) == (0, (), message)


@pytest.mark.parametrize("q", ['"김장 배추', "김장 * ( ) : AND NOT", "title: 김장", "foo:김장", "😀 김장 🎉",
                               "김장\x00\x07\x1b", "*:*", "김장)", "OR", "OR 김장 OR", "date:", "source:"])
def test_odd_queries_never_raise_and_whoosh_syntax_does_not_leak(engine, q):
    page = engine.search(q)
    expected = ["archive-007"] if "김장" in q else []  # never a full scan, never an error
    assert (ids(page), page.total) == (expected, len(expected))


def test_a_long_paste_is_truncated_with_a_note(engine):
    page = engine.search("김장 배추 " * 1000)
    assert page.notice == "검색어의 낱말이 너무 많아 앞의 32개만 검색했습니다."
    assert ids(page) == ["archive-007"] and not page.relaxed


@pytest.mark.parametrize("kwargs, message", [
    ({"page": 0}, "page must be a whole number from 1 to 1000, such as page=2; got 0"),
    ({"size": 101}, "size must be a whole number from 1 to 100, such as size=2; got 101"),
    ({"sort": "random"}, "sort must be relevance or date, not 'random'"),
    ({"date_from": "2024-02-30"}, "from must be a date written YYYY-MM-DD, such as 2024-01-31; got '2024-02-30'"),
    ({"date_to": "yesterday"}, "to must be a date written YYYY-MM-DD, such as 2024-01-31; got 'yesterday'"),
])
def test_bad_parameters_raise_query_error(engine, kwargs, message):
    with pytest.raises(QueryError) as e:
        engine.search("김장", **kwargs)
    assert str(e.value) == message


FILLER = "오늘 오후 시청 앞 광장에서는 시민 수백 명이 모여 다양한 행사를 즐겼다. "


@pytest.fixture(scope="module")
def small_engine(tmp_path_factory):
    from chaja.index.builder import rebuild
    from chaja.search import Engine

    folder = tmp_path_factory.mktemp("small")
    (folder / "script.txt").write_text(
        "보안 공지\n\n게시판에 <script>alert('협력')</script> 코드를 올린 사람을 찾는다. 협력 & 신고 바란다.\n",
        encoding="utf-8")
    (folder / "long.txt").write_text(
        "긴 기사\n\n" + FILLER * 10 + "드론 택배 시범 사업이 시작되었다. " + FILLER * 10 + "\n", encoding="utf-8")
    rebuild([folder], folder / "ix")
    return Engine(folder / "ix")


def test_escaping_comes_before_marks(small_engine):
    hit = small_engine.search("협력").hits[0]
    assert hit.snippet_html == ("게시판에 &lt;script&gt;alert('<mark>협력</mark>')&lt;/script&gt; 코드를 올린 사람을 찾는다. "
                                "<mark>협력</mark> &amp; 신고 바란다.")


def test_a_long_section_gives_a_passage_around_the_match_cut_at_words(small_engine):
    snippet = small_engine.search("드론 택배").hits[0].snippet_html
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>드론</mark> <mark>택배</mark> 시범 사업이" in snippet
    text = re.sub(r"</?mark>", "", snippet).strip("…")
    assert 160 <= len(text) <= 240
    assert text in (FILLER * 10 + "드론 택배 시범 사업이 시작되었다. " + FILLER * 10)
    assert text.startswith(tuple(FILLER.split())) and text.split()[-1] in FILLER.split() + ["시작되었다."]


def test_a_question_ranks_partial_matches_by_how_many_words_they_have(engine):
    # Four or more words: articles with only some of them still come back, after the best.
    page = engine.search("한국은행 기준금리 동결 가계부채")
    assert not page.relaxed
    assert ids(page)[0] == "news/bok-base-rate-freeze"
    assert page.total > 1
    missing = engine.search("한국은행 기준금리 가계부채 우주정거장 도킹")
    assert missing.relaxed and ids(missing)[0] == "news/bok-base-rate-freeze"


def test_up_to_three_words_list_the_articles_with_all_of_them_first(engine):
    page = engine.search("기준금리 가계부채 동결")
    assert ids(page) == ["news/bok-base-rate-freeze", "news/won-dollar-exchange-rate"]  # the second has 기준금리 only
    assert (page.total, page.partial_from, page.relaxed) == (2, 1, False)
