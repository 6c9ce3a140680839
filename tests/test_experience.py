"""Autocomplete and typo correction: the library calls, /api/suggest, the page's messages and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.parse
from pathlib import Path

import numpy as np
import pytest

from conftest import CHAJA, CORPUS, engine_over, write_jsonl

from chaja.index import schema, vocabulary
from chaja.search import correct, jamo


def texts(found) -> list[tuple[str, str, int]]:
    return [(s.text, s.kind, s.count) for s in found]


def q(text: str) -> str:
    return urllib.parse.quote_plus(text)


# -- keystrokes ------------------------------------------------------------------------------------

def test_keystrokes_split_syllables_and_compound_jamo() -> None:
    assert jamo.keystrokes("인공지능") == "ㅇㅣㄴㄱㅗㅇㅈㅣㄴㅡㅇ"
    assert jamo.keystrokes("괜찮아") == "ㄱㅗㅐㄴㅊㅏㄴㅎㅇㅏ"  # ㅙ and ㄶ are two keys each
    assert jamo.keystrokes("인공ㅈ") == "ㅇㅣㄴㄱㅗㅇㅈ"
    assert jamo.keystrokes("AI반도체") == "aiㅂㅏㄴㄷㅗㅊㅔ"
    assert jamo.initials("부산항 신항") == "ㅂㅅㅎㅅㅎ"
    assert jamo.from_layout("dlsrhdwl") == "ㅇㅣㄴㄱㅗㅇㅈㅣ"
    assert jamo.from_layout("RLAWKD") == "ㄲㅣㅁㅉㅏㅇ" and jamo.from_layout("rlawkd") == "ㄱㅣㅁㅈㅏㅇ"
    assert jamo.from_layout("rla3") is None
    assert jamo.distance(jamo.keystrokes("반도채"), jamo.keystrokes("반도체")) == 0.5  # ㅐ/ㅔ sound alike
    assert jamo.distance(jamo.keystrokes("뉘루부르크링"), jamo.keystrokes("뉘르부르크링")) == 1
    assert jamo.distance("ㄱㄴㄷㄹ", "ㅁㅂㅅㅇ", limit=2) == 2


# -- autocomplete on the bundled corpus ------------------------------------------------------------

@pytest.mark.parametrize("typed", ["인공ㅈ", "인공지", "ㅇㄱㅈㄴ", "dlsrhdwl", "DLSRHDWL"])
def test_autocomplete_understands_korean_typing(engine, typed: str) -> None:
    assert texts(engine.suggest(typed, 3)) == [("인공지능", "term", 4), ("인공지능산업", "term", 1)]


def test_autocomplete_offers_words_and_titles_by_article_count(engine) -> None:
    title = "반도체 수출 1,419억 달러 '역대 최대'… 韓國 수출 7천억 달러 눈앞"
    assert texts(engine.suggest("ㅂㄷㅊ", 5)) == [("반도체", "term", 3), (title, "title", 1)]
    assert texts(engine.suggest("qksehcp", 5)) == [("반도체", "term", 3), (title, "title", 1)]
    # read word by word (the default), Kiwi never reads 누리호 as one noun: the rocket blog's title comes third
    assert texts(engine.suggest("누리", 3)) == [("누리집", "term", 2), ("누리", "term", 1),
                                              ("누리호 4차 발사 현장에서, 고흥 나로우주센터 관람기", "title", 1)]
    assert texts(engine.suggest("Rlawkd", 2)) == [("김장", "term", 1), ("김장철", "term", 1)]
    assert texts(engine.suggest("lng", 5)) == [("LNG", "term", 1)]


def test_autocomplete_leaves_out_conjugated_verbs_and_finds_nothing_for_nonsense(engine) -> None:
    words = [s.text for s in engine.suggest("ㅂ", 20)]
    assert "밝혔" not in words and "부담" in words
    assert engine.suggest("ㅋㅋㅋㅋ", 5) == [] and engine.suggest("   ", 5) == [] and engine.suggest("", 5) == []


def test_suggest_size_is_checked(engine) -> None:
    from chaja.search import QueryError

    with pytest.raises(QueryError, match="size must be a whole number from 1 to 20"):
        engine.suggest("부산", 0)


# -- typo correction on the bundled corpus ---------------------------------------------------------

@pytest.mark.parametrize("typed, meant", [
    ("반도채", "반도체"), ("인공지눙", "인공지능"), ("기준금니", "기준금리"), ("경재", "경제"),
    ("RLAWKD", "김장"), ("Rlawkd", "김장"), ("rlawkd", "김장"),
])
def test_a_typo_that_finds_nothing_is_searched_corrected(engine, typed: str, meant: str) -> None:
    page = engine.search(typed)
    assert (page.query, page.suggestion, page.corrected) == (typed, meant, True)
    assert page.total == engine.search(meant).total > 0
    assert [h.id for h in page.hits] == [h.id for h in engine.search(meant).hits]
    exact = engine.search(typed, correct=False)
    assert (exact.total, exact.suggestion, exact.corrected) == (0, meant, False)


def test_a_typo_beside_a_word_that_finds_something_is_only_suggested(engine) -> None:
    page = engine.search("누리호 발샤")
    assert (page.total, page.suggestion, page.corrected) == (3, "누리호 발사", False)  # 누리호 alone: relaxed
    assert [h.id for h in page.hits][0] == "blog/nuri-rocket-launch-goheung" and page.relaxed


NAMES = [
    {"id": "bundy", "title": "테드 번디", "sections": [{"heading": "", "text":
        "테드 번디는 미국의 연쇄 살인범이다. 번디는 1946년 버몬트주에서 태어났다. 번디가 졸업한 고등학교는 우드로 윌슨 고등학교이다."}]},
    {"id": "address", "title": "을지로 1번지", "sections": [{"heading": "", "text":
        "서울 중구 을지로 1번지에 있는 건물은 오래되었다. 번지마다 주소가 다르다."}]},
    {"id": "kim", "title": "김을동", "sections": [{"heading": "", "text":
        "김을동 씨는 대한민국의 배우이자 정치인이다. 김을동 씨가 졸업한 고등학교는 무학여자고등학교이다."}]},
]


@pytest.fixture(scope="module")
def names(tmp_path_factory):
    return engine_over(tmp_path_factory, "names", NAMES)


def _has_term(engine):
    gen = engine._current()
    return lambda term: any(gen.postings.df(f, term) for f in schema.SEARCHED)  # as Engine._suggestion asks


def test_a_name_with_a_title_is_not_corrected(names) -> None:
    # alone, Kiwi reads 김을동씨가 as 김을동 + 씨 (a bound noun) + 가: 씨 goes with the name as a suffix would
    vocabulary, has_term = names.vocabulary(), _has_term(names)
    for q in ("김을동씨가 졸업한 고등학교는?", "김을동님의 고등학교"):
        assert correct.correct(q, vocabulary, has_term) is None
    assert correct.correct("김을둥 고등학교", vocabulary, has_term) == "김을동 고등학교"  # a typo still is


def test_a_term_of_the_index_is_held_though_the_vocabulary_lacks_it(engine, names) -> None:
    # alone, Kiwi reads 번디가 as 번 + 디 + 가; the index holds 번디 (read in context), the corpus's vocabulary does not
    assert not correct.held("번디가", engine.vocabulary(), _has_term(engine))
    assert correct.held("번디가", engine.vocabulary(), _has_term(names))
    assert names.search("번디가 졸업한 고등학교는?").hits[0].id == "bundy"


@pytest.mark.parametrize("word", ["양궁이", "한지", "금리 동결", "반도체를", "부산한", "LNG", "누리호의 발사", "대한민국"])
def test_a_word_the_index_holds_is_never_replaced(engine, word: str) -> None:
    assert engine.search(word).suggestion is None


# -- the vocabulary is written at publish, and an update never writes into the serving generation ----

def test_update_writes_a_new_vocabulary_and_leaves_the_old_one(tmp_path: Path) -> None:
    from chaja.index import store
    from chaja.index.builder import rebuild
    from chaja.index.update import update
    from chaja.search import Engine

    articles = tmp_path / "articles"
    write_jsonl(articles / "a.jsonl", [{"id": "a", "title": "광합성의 원리", "sections": [{"heading": "", "text": "엽록체가 빛을 흡수한다."}]}])
    rebuild([articles], tmp_path / "index")
    old = store.require(tmp_path / "index")
    before = {p.name: p.read_bytes() for p in old.path.glob(f"{vocabulary.PREFIX}*")}
    assert len(before) == len(vocabulary.FILES)
    write_jsonl(articles / "b.jsonl", [{"id": "b", "title": "양자컴퓨터 시연", "sections": [{"heading": "", "text": "큐비트를 늘렸다."}]}])
    update([articles], tmp_path / "index")
    assert {p.name: p.read_bytes() for p in old.path.glob(f"{vocabulary.PREFIX}*")} == before
    engine = Engine(tmp_path / "index")
    assert texts(engine.suggest("ㅋㅂㅌ", 5)) == [("큐비트", "term", 1)]
    assert texts(engine.suggest("ㅇㄹㅊ", 5)) == [("엽록체", "term", 1)]


def test_vocabulary_arrays_are_sorted_and_memory_mapped(corpus_index: Path) -> None:
    from chaja.index import store

    v = vocabulary.read(store.require(corpus_index).path)
    assert isinstance(v.text.base, np.memmap) and not v.text.flags.owndata  # mapped, not read into memory
    for order, key in ((v.keys_order, jamo.keystrokes), (v.initials_order, jamo.initials),
                       (v.backward_order, lambda t: jamo.keystrokes(t)[::-1])):
        keys = [key(v.entry(e)) for e in order.tolist()]
        assert keys == sorted(keys)
    assert len(v.keys_order) == len(v.initials_order) == len(v) == len(set(v.keys_order.tolist()))
    assert len(v.backward_order) == int((v.kind == vocabulary.TERM).sum())
    assert v.entry(int(v.keys_order[0])) and sum(p.stat().st_size for p in store.require(corpus_index).path.glob(
        f"{vocabulary.PREFIX}*")) < 100_000  # a fraction of the index (the sample corpus: 780 kB)



def test_a_rebuild_counts_as_it_writes_what_reading_its_index_back_counts(corpus_index: Path, tmp_path: Path) -> None:
    from whoosh import index as whoosh_index

    from chaja.index import store
    from chaja.index.builder import rebuild

    generation = store.require(corpus_index).path
    written = vocabulary.read(generation)
    ix = whoosh_index.open_dir(str(generation))
    try:
        read_back = vocabulary.build(*vocabulary.collect(ix))  # what an update does
    finally:
        ix.close()
    assert all(np.array_equal(a, b) for a, b in zip(vars(written).values(), vars(read_back).values()))
    assert len(written) > 500 and written.entry(0) < written.entry(1)  # entries in text order
    rebuild([CORPUS], tmp_path / "again")  # the same articles give the same files
    again = store.require(tmp_path / "again").path
    assert {p.name: p.read_bytes() for p in again.glob(f"{vocabulary.PREFIX}*")} == \
        {p.name: p.read_bytes() for p in generation.glob(f"{vocabulary.PREFIX}*")}

# -- the JSON API, the page and the CLI ------------------------------------------------------------

def test_api_suggest(client) -> None:
    r = client.get(f"/api/suggest?q={q('ㅂㅅㅎ')}&size=5")
    assert r.status_code == 200
    assert r.get_json() == {"query": "ㅂㅅㅎ", "suggestions": [
        {"text": "부산항", "kind": "term", "count": 2},
        {"text": "부산항 컨테이너 물동량 역대 최대", "kind": "title", "count": 1}]}
    assert client.get("/api/suggest?q=qntks&size=1").get_json()["suggestions"] == [{"text": "부산항", "kind": "term", "count": 2}]
    assert client.get(f"/api/suggest?q={q('미세먼')}").get_json()["suggestions"] == [{"text": "미세먼지", "kind": "term", "count": 12}]
    assert client.get("/api/suggest").get_json() == {"query": "", "suggestions": []}
    bad = client.get("/api/suggest?q=a&size=50")
    assert bad.status_code == 400
    assert bad.get_json()["error"]["message"] == "size must be a whole number from 1 to 20, such as size=2; got '50'"


def test_api_search_corrects_and_says_so(client) -> None:
    body = client.get(f"/api/search?q={q('미세먼치')}").get_json()
    assert (body["query"], body["total"], body["suggestion"], body["corrected"]) == ("미세먼치", 12, "미세먼지", True)
    body = client.get(f"/api/search?q={q('미세먼치')}&correct=0").get_json()
    assert (body["total"], body["suggestion"], body["corrected"], body["hits"]) == (0, "미세먼지", False, [])
    body = client.get(f"/api/search?q={q('감귤')}").get_json()
    assert (body["suggestion"], body["corrected"]) == (None, False)


def test_page_shows_the_portal_messages(client) -> None:
    page = client.get(f"/?q={q('인천공한')}").text
    assert (f'<p class="notice correction"><a href="/?q={q("인천공항")}"><strong>인천공항</strong></a>의 검색 결과입니다. '
            f'<a href="/?q={q("인천공한")}&amp;correct=0">인천공한</a>(으)로 검색</p>') in page
    assert "검색 결과 <strong>1</strong>건" in page
    exact = client.get(f"/?q={q('인천공한')}&correct=0").text
    assert f'<p class="notice suggestion">이것을 찾으셨나요? <a href="/?q={q("인천공항")}">인천공항</a></p>' in exact
    assert "<p>검색 결과가 없습니다.</p>" in exact
    assert "찾으셨나요" not in client.get(f"/?q={q('감귤')}").text


def test_page_loads_the_autocomplete_script_without_inline_script(client) -> None:
    page = client.get("/").text
    assert '<script src="/static/suggest.js" defer></script>' in page
    assert page.count("<script") == 1 and " on" + "input=" not in page
    assert client.get("/static/suggest.js").status_code == 200


def test_cli_prints_the_correction(corpus_index: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    out = subprocess.run([CHAJA, "search", "반도채", "--index", str(corpus_index)], capture_output=True, text=True, env=env)
    assert out.returncode == 0
    assert out.stdout.splitlines()[0] == "'반도체'의 검색 결과입니다. '반도채'(으)로 검색하려면 --exact를 붙이세요."
    exact = subprocess.run([CHAJA, "search", "반도채", "--exact", "--index", str(corpus_index)], capture_output=True,
                           text=True, env=env)
    assert (exact.returncode, exact.stdout) == (1, "이것을 찾으셨나요? 반도체\n검색 결과가 없습니다.\n")
    data = json.loads(subprocess.run([CHAJA, "search", "인공지눙", "--json", "--index", str(corpus_index)],
                                     capture_output=True, text=True, env=env).stdout)
    assert (data["suggestion"], data["corrected"], data["total"]) == ("인공지능", True, 4)


def test_vocabulary_counts_an_article_once_when_its_sections_stand_apart(tmp_path: Path) -> None:
    from whoosh import index as whoosh_index

    from chaja.index import schema, spans
    from chaja.index.analysis import morphemes

    ix = whoosh_index.create_in(str(tmp_path), schema.make_schema())
    writer = ix.writer()
    for article, i, text in (("a", 0, "한국은행이 금리를 올렸다"), ("b", 0, "한국은행은 발표했다"), ("a", 1, "한국은행 총재가 말했다")):
        writer.add_document(**{schema.ID: schema.section_id(article, i), schema.ARTICLE: article, schema.SECTION: i,
                               schema.TITLE: f"기사 {article}", schema.HEADING: "", schema.TEXT: text, schema.DIGEST: "-",
                               schema.SPANS: (spans.encode([]), spans.encode([]), spans.encode(morphemes(text)))})
    writer.commit()
    words, titles = vocabulary.collect(ix)
    assert words["한국은행"] == 2  # a's two sections count once
    assert (words["금리"], words["총재"], words["발표"]) == (1, 1, 1)
    assert titles == {"기사 a": 1, "기사 b": 1}
