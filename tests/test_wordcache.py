"""The analysis cache (index setting word_cache, the default): exact offsets per occurrence, kept with the index,
updates and queries alike; an index built in context stays in context."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from chaja.index import arrays, store
from chaja.index.analysis import morphemes, read_with_tokens
from chaja.index.builder import rebuild
from chaja.index.update import update
from chaja.index.wordcache import morphemes_by_word, word_tokens, words
from chaja.search import Engine
from chaja.search.query import parse
from chaja.web.cli import main

from conftest import write_jsonl
from test_arrays import arrays_of, assert_same


def read(text: str) -> list[tuple[str, int, int, int, str]]:
    """Return each morpheme of text read word by word, with the original text its span covers."""
    return [(m.text, m.pos, m.start, m.end, text[m.start:m.end]) for m in morphemes_by_word([text])[0]]


def test_words_are_split_on_any_whitespace_with_their_offsets():
    assert words("  서울에서\t서울로\n\n서울에서  ") == [(2, "서울에서"), (7, "서울로"), (12, "서울에서")]
    assert words(" \n ") == []


def test_a_repeated_word_gets_its_own_offsets_at_every_occurrence():
    text = "한국은행이 금리를 올렸다. 한국은행은 금리를 또 올렸다."
    assert read(text) == [("한국", 0, 0, 2, "한국"), ("은행", 1, 2, 4, "은행"), ("금리", 2, 6, 8, "금리"),
                          ("올리", 3, 10, 12, "올렸"), ("한국", 4, 15, 17, "한국"), ("은행", 5, 17, 19, "은행"),
                          ("금리", 6, 21, 23, "금리"), ("올리", 7, 27, 29, "올렸")]
    assert morphemes_by_word([text])[0] == morphemes(text)  # Kiwi reads these words alike alone and in context


def test_mixed_hangul_english_numbers_hanja_and_spaced_units():
    text = "삼성전자 Galaxy S24는 2024년 1월 출시됐고 經濟 효과는 3.5%였다. 經濟 1만 명"
    assert read(text) == [
        ("삼성", 0, 0, 2, "삼성"), ("전자", 1, 2, 4, "전자"), ("galaxy", 2, 5, 11, "Galaxy"), ("s", 3, 12, 13, "S"),
        ("24", 4, 13, 15, "24"), ("2024", 5, 17, 21, "2024"), ("2024년", 5, 17, 22, "2024년"), ("1", 6, 23, 24, "1"),
        ("1월", 6, 23, 25, "1월"), ("출시", 7, 26, 28, "출시"), ("經濟", 8, 31, 33, "經濟"), ("경제", 8, 31, 33, "經濟"),
        ("효과", 9, 34, 36, "효과"), ("3.5", 10, 38, 41, "3.5"), ("3.5%", 10, 38, 42, "3.5%"),
        ("經濟", 11, 46, 48, "經濟"), ("경제", 11, 46, 48, "經濟"), ("1", 12, 49, 50, "1"), ("1만", 12, 49, 51, "1만"),
        ("1만명", 12, 49, 53, "1만 명")]


def test_decomposed_hangul_keeps_offsets_into_the_text_as_given():
    text = unicodedata.normalize("NFD", "김장 비용이 올랐다 김장 비용")
    assert len(text) == 36
    assert read(text) == [("김장", 0, 0, 6, unicodedata.normalize("NFD", "김장")),
                          ("비용", 1, 7, 12, unicodedata.normalize("NFD", "비용")),
                          ("오르", 2, 15, 18, unicodedata.normalize("NFD", "올")),
                          ("김장", 3, 24, 30, unicodedata.normalize("NFD", "김장")),
                          ("비용", 4, 31, 36, unicodedata.normalize("NFD", "비용"))]


def test_a_word_longer_than_kiwi_takes_at_once_is_read_in_pieces_with_exact_offsets():
    word = "a" * 20_001
    found = morphemes_by_word([f"앞 {word} 뒤"])[0]
    assert (found[0].text, found[0].start, found[0].end) == ("앞", 0, 1)
    assert (found[-1].text, found[-1].start, found[-1].end) == ("뒤", 20_004, 20_005)
    inner = found[1:-1]
    assert [(m.start, m.end) for m in inner] == list(zip([2] + [m.end for m in inner[:-1]], [m.end for m in inner]))
    assert "".join(m.text for m in inner) == word and inner[-1].end == 20_003


def test_texts_of_a_batch_share_readings_and_empty_texts_read_nothing():
    texts = ["부산항 물동량", "", "   ", "부산항 물동량이 늘었다", "물동량"]
    assert [[(m.text, m.start, m.end) for m in found] for found in morphemes_by_word(texts)] == [
        [("부산", 0, 2), ("항", 2, 3), ("물동량", 4, 7)], [], [],
        [("부산", 0, 2), ("항", 2, 3), ("물동량", 4, 7), ("늘", 9, 10)], [("물동량", 0, 3)]]


def test_a_word_alone_can_read_otherwise_than_in_its_sentence():
    # Kiwi reads 김장은 as 김 + 장 after two lone particles, and as 김장 alone: the price of the cache.
    assert [m.text for m in morphemes("은 는 김장은 은")] == ["김", "장"]
    assert [(m.text, m.start, m.end) for m in morphemes_by_word(["은 는 김장은 은"])[0]] == [("김장", 4, 6)]
    # 선 (stood) after 발사대에 is the verb 서 in its sentence, the noun 선 (line) alone: so the bundled
    # corpus's rocket blog holds 우주 and 선, both parts of 우주선, only in an index with the cache
    assert [(m.text, m.start) for m in morphemes("발사대에 선 누리호")] == [("발사", 0), ("대", 2), ("서", 5), ("누리", 7)]
    assert [(m.text, m.start) for m in morphemes_by_word(["발사대에 선 누리호"])[0]] == [
        ("발사", 0), ("대", 2), ("선", 5), ("누리", 7)]


def test_a_kiwi_without_worker_threads_reads_a_question_word_by_word_alike():
    from chaja.index import analysis

    question = "은 는 김장은 은 부산항 물동량이 늘었다"
    threaded = word_tokens(analysis.kiwi_for(), question)
    analysis.set_workers(0)  # as `chaja serve` loads Kiwi before forking: Kiwi then refuses a batch call
    try:
        assert word_tokens(analysis.kiwi_for(), question) == threaded
        assert sorted(parse(question, by_word=True).terms) == ["김장", "늘", "물동량", "부산", "항"]
    finally:
        analysis.set_workers(-1)


def test_a_searching_process_reads_each_query_word_once_and_remembers_a_bounded_number(monkeypatch):
    from chaja.index import analysis, wordcache

    kiwi = analysis.kiwi_for()
    wordcache._query_words.clear()
    fresh = word_tokens(kiwi, "늘었다 부산항 물동량이 부산항")
    assert {w for _, w in wordcache._query_words} == {"늘었다", "부산항", "물동량이"}
    wordcache._query_words.clear()
    word_tokens(kiwi, "부산항 물동량이")  # remembered: the next reading takes these two from the memo
    assert word_tokens(kiwi, "늘었다 부산항 물동량이 부산항") == fresh
    monkeypatch.setattr(wordcache, "QUERY_WORDS", 2)
    word_tokens(kiwi, "김장 비용이 올랐다")
    assert len(wordcache._query_words) <= 2


def test_a_query_read_word_by_word_reads_as_the_cached_index_did():
    from chaja.index.analysis import kiwi_for

    # every word read alone, its tokens shifted to where it stands (늘 + ᆫ: Kiwi's reading of a lone 는)
    assert word_tokens(kiwi_for(), "은 는 김장은 은") == [("은", "NNG", 0, 1), ("늘", "VV", 2, 3), ("ᆫ", "ETM", 2, 3),
                                                        ("김장", "NNG", 4, 6), ("은", "JX", 6, 7), ("은", "NNG", 8, 9)]
    assert sorted(parse("은 는 김장은 은", by_word=True).terms) == ["김장"]
    assert sorted(parse("은 는 김장은 은").terms) == ["김", "김장", "장"]  # in context: both readings asked


ARTICLES = [
    {"id": "kimchi", "title": "김장 비용", "date": "2024-11-20",
     "sections": [{"heading": "비용", "text": "김장 비용이 올랐다. 김장은 가족 행사다. 經濟 부담도 크다."},
                  {"heading": "배추", "text": "배추 값이 올라 김장 비용이 늘었다."}]},
    {"id": "port", "title": "부산항 물동량", "sections": [{"heading": "", "text": "부산항 물동량이 2024년 3.5% 늘었다."}]},
    {"id": "nfd", "title": unicodedata.normalize("NFD", "김장 축제"),
     "sections": [{"heading": "", "text": unicodedata.normalize("NFD", "김장 축제에서 김장을 했다.")}]},
]


@pytest.fixture(scope="module")
def cached_index(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("word-cache")
    write_jsonl(folder / "articles" / "a.jsonl", ARTICLES)
    rebuild([folder / "articles"], folder / "index")  # the default
    return folder / "index"


@pytest.fixture(scope="module")
def context_index(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("in-context")
    write_jsonl(folder / "articles" / "a.jsonl", ARTICLES)
    rebuild([folder / "articles"], folder / "index", word_cache=False)
    return folder / "index"


def test_the_setting_is_kept_with_the_index_and_shown_by_stats(cached_index, context_index, corpus_index):
    manifest = json.loads((store.require(cached_index).path / arrays.FOLDER / arrays.MANIFEST).read_text("utf-8"))
    assert manifest["word_cache"] is True
    assert store.require(cached_index).meta()["word_cache"] is True
    assert Engine(cached_index).stats()["word_cache"] is True
    assert Engine(corpus_index).stats()["word_cache"] is True
    assert arrays_of(context_index)["manifest"]["word_cache"] is False
    assert Engine(context_index).stats()["word_cache"] is False
    for index, shown in ((cached_index, "True"), (context_index, "False")):
        rows = dict(line.split(None, 1) for line in
                    CliRunner().invoke(main, ["index", "stats", "--index", str(index)]).output.splitlines())
        assert rows["word_cache"] == shown


def test_marks_in_a_cached_index_fall_on_every_occurrence_exactly(cached_index):
    engine = Engine(cached_index)
    view = engine.article("kimchi", "김장 비용")
    assert view.sections[0].text_html == ("<mark>김장</mark> <mark>비용</mark>이 올랐다. <mark>김장</mark>은 가족 행사다. "
                                          "經濟 부담도 크다.")
    assert view.title_html == "<mark>김장</mark> <mark>비용</mark>"
    assert engine.article("kimchi", "경제").sections[0].text_html == "김장 비용이 올랐다. 김장은 가족 행사다. <mark>經濟</mark> 부담도 크다."
    assert engine.article("port", "3.5%").sections[0].text_html == "부산항 물동량이 2024년 <mark>3.5%</mark> 늘었다."
    nfd = engine.article("nfd", "김장")
    kimjang = unicodedata.normalize("NFD", "김장")
    assert nfd.sections[0].text_html == (f"<mark>{kimjang}</mark> {unicodedata.normalize('NFD', '축제에서')} "
                                         f"<mark>{kimjang}</mark>{unicodedata.normalize('NFD', '을 했다.')}")
    page = engine.search("김장 비용")
    assert ([h.id for h in page.hits], page.partial_from) == (["kimchi", "nfd"], 1)  # nfd holds 김장 only


def test_an_update_of_a_cached_index_writes_what_a_cached_rebuild_writes(tmp_path):
    files = tmp_path / "articles"
    write_jsonl(files / "a.jsonl", ARTICLES[:1])
    write_jsonl(files / "b.jsonl", ARTICLES[1:])
    updated = tmp_path / "updated"
    rebuild([files], updated)  # the default
    write_jsonl(files / "b.jsonl", [ARTICLES[1], {"id": "tangerine", "title": "감귤 수확",
                                                  "sections": [{"heading": "", "text": "은 는 김장은 은 감귤 수확"}]}])
    report = update([files], updated)
    assert (report.added, report.removed, report.unchanged) == (["tangerine"], ["nfd"], 2)
    rebuilt = tmp_path / "rebuilt"
    rebuild([files], rebuilt, word_cache=True)
    assert_same(arrays_of(updated), arrays_of(rebuilt))
    assert arrays_of(updated)["manifest"]["word_cache"] is True
    # the new article was read word by word, as the rebuild reads it: 김장, not 김 + 장
    assert [h.id for h in Engine(updated).search('"김장"').hits] == ["kimchi", "tangerine"]


def test_an_index_built_in_context_reads_its_update_and_queries_in_context(tmp_path, context_index):
    # the same article as in the cached index's update above: 김 + 장 in its sentence, not 김장
    assert sorted(h.id for h in Engine(context_index).search('"김장"').hits) == ["kimchi", "nfd"]
    files = tmp_path / "articles"
    write_jsonl(files / "a.jsonl", ARTICLES[:1])
    rebuild([files], tmp_path / "ix", word_cache=False)
    write_jsonl(files / "b.jsonl", [{"id": "tangerine", "title": "감귤 수확",
                                     "sections": [{"heading": "", "text": "은 는 김장은 은 감귤 수확"}]}])
    assert update([files], tmp_path / "ix").added == ["tangerine"]
    assert arrays_of(tmp_path / "ix")["manifest"]["word_cache"] is False
    engine = Engine(tmp_path / "ix")
    assert [h.id for h in engine.search('"김장"').hits] == ["kimchi"]
    assert [h.id for h in engine.search('"김 장"').hits] == ["tangerine"]
    assert engine.article("tangerine", "김 장").sections[0].text_html == "은 는 <mark>김장</mark>은 은 감귤 수확"


def test_rebuild_reads_word_by_word_unless_asked_for_in_context(tmp_path):
    write_jsonl(tmp_path / "articles" / "a.jsonl", ARTICLES[1:2])
    runner = CliRunner()
    for options, word_cache in (([], True), (["--word-cache"], True), (["--in-context"], False)):
        built = runner.invoke(main, ["index", "rebuild", str(tmp_path / "articles"), "--index",
                                     str(tmp_path / "ix"), *options])
        assert built.exit_code == 0, built.output
        assert Engine(tmp_path / "ix").stats()["word_cache"] is word_cache


@pytest.mark.parametrize("option", ["--word-cache", "--in-context"])
def test_an_opensearch_load_from_an_index_takes_its_analysis_setting_and_refuses_another(cached_index, option):
    # no cluster listens on port 9: the refusal comes first
    result = CliRunner().invoke(main, ["index", "rebuild", "--index", "opensearch://127.0.0.1:9/x",
                                       "--from-index", str(cached_index), option])
    assert (result.exit_code, result.output) == (
        2, f"Error: --from-index takes the articles and their analysis from the index folder; leave out {option}\n")


def test_each_word_is_picked_once_alone_and_placed_where_it_stands_as_the_whole_text_would_be():
    from chaja.index.wordcache import read_by_word

    texts = ["인구는 1만명이다. 인구는 1만 명이다.", "올해 100 명이 3.5% 늘었다", "經濟 성장과 한국농수산식품유통공사의 발표",
             "은 는 김장은 은", unicodedata.normalize("NFD", "국회의원 선거의 국회의원"), "2019년 국회의원 선거", "", "  "]
    read = read_by_word(texts)
    # picked whole: a number taking the next word's counter (1만 명, 100 명), and a text normalisation changed
    assert read.whole == [True, True, False, False, True, False, False, False]
    assert read.morphemes() == [read_with_tokens(text, by_word=True)[0] for text in texts]
    assert [(m.text, m.pos) for m in read.morphemes()[0]] == [
        ("인구", 0), ("1", 1), ("1만", 1), ("1만명", 1), ("인구", 2), ("1", 3), ("1만", 3), ("1만명", 3)]
    assert [(m.text, m.pos, m.start, m.end) for m in read.morphemes()[2]] == [
        ("經濟", 0, 0, 2), ("경제", 0, 0, 2), ("성장", 1, 3, 5), ("한국", 2, 7, 9), ("농수산", 3, 9, 12),
        ("식품", 4, 12, 14), ("유통", 5, 14, 16), ("공사", 6, 16, 18), ("발표", 7, 20, 22)]


def test_a_build_reads_each_word_once_and_alike_in_later_batches(monkeypatch):
    from chaja.index import wordcache

    wordcache._readings.clear()
    first = ["한국은행이 금리를 올렸다.", "정부는 금리를 내렸다."]
    later = ["한국은행이 금리를 또 올렸다.", "금리를"]
    alone = morphemes_by_word(first) + morphemes_by_word(later)
    assert sorted(w for _, w in wordcache._readings) == sorted({"한국은행이", "금리를", "올렸다.", "정부는", "내렸다.", "또"})
    wordcache._readings.clear()
    fresh = morphemes_by_word(later)  # the later batch read with nothing remembered
    assert alone[2:] == fresh
    assert [m.text for m in fresh[0]] == ["한국", "은행", "금리", "올리"]
    monkeypatch.setattr(wordcache, "READINGS", 3)  # a full memo starts again instead of growing
    wordcache._readings.clear()
    morphemes_by_word(first)
    assert len(wordcache._readings) == 2
    assert ((), "내렸다.") in wordcache._readings
